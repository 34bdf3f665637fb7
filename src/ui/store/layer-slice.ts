/**
 * The store's part for an image of several layers: which layers there
 * are, what the lower pane shows (the whole stack or one layer), whether
 * merged and upper rows carry their layer, and the inspector's versions
 * down the stack with the two compared. Actions are keys' only way in.
 */
import type { StoreApi } from 'zustand/vanilla';
import { classifyLowers, type LowerState } from '../../overlay/index.js';
import type { ClassifiedLayers } from '../../engine/layers/classify-container.js';
import { stepView, type LowerView, type StackLayer } from '../layers/stack-layers.js';
import type { StackVersion } from '../layers/stack-versions.js';
import { defaultPair, movePair, type VersionPair } from '../inspector/stack-inspect.js';
import type { AppState, EngineActions } from './app-store.js';

export interface LayerSliceState {
  /** The lowers' labels (number, created_by, entries, size), topmost first as the lowers. */
  stack: readonly StackLayer[];
  /** classifyLowers per lower layer (index 0 = topmost), by path. */
  layerStates: readonly ReadonlyMap<string, LowerState>[];
  /** The lower pane: the whole stack, or one layer (several layers only). */
  lowerView: LowerView;
  /** The layer `s` goes back to from the whole stack. */
  lastLayer: number;
  /** Merged and upper rows show the layer each entry comes from. */
  layerColumn: boolean;
  /** The selected path's versions down the stack, read when the inspector is shown. */
  stackVersions?: StackVersion[] | undefined;
  /** The two versions the inspector compares. */
  versionPair: VersionPair;

  /** Moves the layer selector down (1: toward the bottom layer) or up the stack. */
  selectLayer(step: 1 | -1): void;
  /** The whole stack, or back to the layer last shown. */
  toggleStackView(): void;
  toggleLayerColumn(): void;
  /** Moves one side of the compared pair down (1) or up (-1) the versions. */
  moveVersion(side: 'from' | 'to', step: 1 | -1): void;
}

/** classifyLowers for every lower layer, as one map per layer. */
export function layerStatesOf(layers: ClassifiedLayers): Map<string, LowerState>[] {
  const out = layers.view.stack.lowers.map(() => new Map<string, LowerState>());
  for (const s of classifyLowers(layers.view)) out[s.layer]?.set(s.path, s);
  return out;
}

/** Several layers: the inspector reads the versions down the stack too. */
export function stackVersionsPatch(
  s: Pick<AppState, 'inspector' | 'stack' | 'selected' | 'versionPair' | 'stackVersions'>,
  engine: EngineActions,
  path: string,
): Partial<Pick<AppState, 'stackVersions' | 'versionPair'>> {
  if (!s.inspector || s.stack.length <= 1 || !engine.readStackVersions) return {};
  const versions = engine.readStackVersions(path);
  // Another path: the default pair; the same path read again: the pair
  // chosen stays, within what is there now.
  const same = path === s.selected && s.stackVersions !== undefined;
  const n = versions.length;
  const pair =
    same && s.versionPair.from < n && s.versionPair.to < n ? s.versionPair : defaultPair(n);
  return { stackVersions: versions, versionPair: pair };
}

export function layerSlice(
  set: StoreApi<AppState>['setState'],
  get: () => AppState,
): Pick<LayerSliceState, 'selectLayer' | 'toggleStackView' | 'toggleLayerColumn' | 'moveVersion'> {
  return {
    selectLayer: (step) => {
      const s = get();
      if (s.stack.length <= 1) return;
      const view = stepView(s.lowerView, s.stack.length, step);
      set({ lowerView: view, ...(view === 'stack' ? {} : { lastLayer: view }) });
    },
    toggleStackView: () => {
      const s = get();
      if (s.stack.length <= 1) return;
      const layer = Math.min(s.lastLayer, s.stack.length - 1);
      set({ lowerView: s.lowerView === 'stack' ? layer : 'stack' });
    },
    toggleLayerColumn: () => set({ layerColumn: !get().layerColumn }),
    moveVersion: (side, step) => {
      const s = get();
      const n = s.stackVersions?.length ?? 0;
      const pair = movePair(s.versionPair, side, step, n);
      if (pair !== s.versionPair) set({ versionPair: pair });
    },
  };
}
