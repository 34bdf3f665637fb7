/**
 * The UI's one store (zustand). Engine events come in through its actions;
 * components only read it and call actions. The terminal emulator's buffer
 * is not here (it lives in TerminalScreen, outside React and the store).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { classifyLowers, type ChangeEvent, type LowerState } from '../../overlay/index.js';
import type { ClassifiedLayers } from '../../engine/layers/classify-container.js';

export type PaneId = 'terminal' | 'lower' | 'upper' | 'merged' | 'feed';
export const PANE_ORDER: readonly PaneId[] = ['terminal', 'lower', 'upper', 'merged', 'feed'];

export interface StatusInfo {
  image: string;
  id: string;
  mountOptions: string;
  pid?: number;
}

/** What the app asks of the engine; the store calls it, components never do. */
export interface EngineActions {
  loadLowerDir(path: string): void;
  quit(): void;
}

/** The feed keeps this many events, newest first. */
export const FEED_LIMIT = 1000;

export interface AppState {
  layers: ClassifiedLayers;
  /** Topmost lower layer's entries by path: visible, shadowed or hidden. */
  lowerStates: ReadonlyMap<string, LowerState>;
  events: readonly ChangeEvent[];
  focus: PaneId;
  selected: string;
  /** Selected event in the feed (index into events). */
  feedIndex: number;
  expanded: ReadonlySet<string>;
  changesOnly: boolean;
  search: string;
  searching: boolean;
  help: boolean;
  status: StatusInfo;
  upperBytes: number;
  exited?: number;

  setLayers(layers: ClassifiedLayers): void;
  addEvents(events: ChangeEvent[]): void;
  focusPane(pane: PaneId): void;
  cycleFocus(step: 1 | -1): void;
  select(path: string): void;
  selectEvent(index: number): void;
  toggle(path: string): void;
  setChangesOnly(on: boolean): void;
  setSearch(text: string, searching: boolean): void;
  setHelp(on: boolean): void;
  quit(): void;
}

function upperBytes(layers: ClassifiedLayers): number {
  let total = 0;
  for (const { entry } of layers.states.values()) if (entry.type === 'file') total += entry.size;
  return total;
}

function lowerStatesOf(layers: ClassifiedLayers): Map<string, LowerState> {
  const out = new Map<string, LowerState>();
  for (const s of classifyLowers(layers.view)) if (s.layer === 0) out.set(s.path, s);
  return out;
}

export type AppStore = StoreApi<AppState>;

export function createAppStore(
  layers: ClassifiedLayers,
  status: StatusInfo,
  engine: EngineActions,
): AppStore {
  return createStore<AppState>()((set, get) => ({
    layers,
    lowerStates: lowerStatesOf(layers),
    events: [],
    focus: 'terminal',
    selected: '/',
    feedIndex: 0,
    expanded: new Set(['/']),
    changesOnly: false,
    search: '',
    searching: false,
    help: false,
    status,
    upperBytes: upperBytes(layers),

    setLayers: (next) =>
      set({ layers: next, lowerStates: lowerStatesOf(next), upperBytes: upperBytes(next) }),
    addEvents: (events) =>
      set((s) => ({ events: [...[...events].reverse(), ...s.events].slice(0, FEED_LIMIT) })),
    focusPane: (pane) => set({ focus: pane }),
    cycleFocus: (step) => {
      const i = PANE_ORDER.indexOf(get().focus);
      const next = PANE_ORDER[(i + step + PANE_ORDER.length) % PANE_ORDER.length] ?? 'terminal';
      set({ focus: next });
    },
    select: (path) => set({ selected: path }),
    selectEvent: (index) => {
      const events = get().events;
      const i = Math.max(0, Math.min(index, events.length - 1));
      const event = events[i];
      if (!event) return;
      // Show the event's path in the trees: expand its ancestors.
      const expanded = new Set(get().expanded);
      const parts = event.path.split('/').filter(Boolean);
      for (let n = 0; n < parts.length; n++) {
        const dir = `/${parts.slice(0, n).join('/')}`;
        if (!expanded.has(dir)) {
          expanded.add(dir);
          engine.loadLowerDir(dir);
        }
      }
      set({ feedIndex: i, selected: event.path, expanded });
    },
    toggle: (path) => {
      const expanded = new Set(get().expanded);
      if (expanded.has(path)) expanded.delete(path);
      else {
        expanded.add(path);
        engine.loadLowerDir(path);
      }
      set({ expanded });
    },
    setChangesOnly: (on) => set({ changesOnly: on }),
    setSearch: (text, searching) => set({ search: text, searching }),
    setHelp: (on) => set({ help: on }),
    quit: () => engine.quit(),
  }));
}
