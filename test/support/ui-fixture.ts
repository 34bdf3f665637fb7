/**
 * What the engine hands the UI for hand-built layer trees (the classified
 * layers), and what the app derives from it (the top lower's states): the
 * input of the tree-pane tests.
 */
import type { ClassifiedLayers } from '../../src/engine/layers/classify-container.js';
import {
  classifyLowers,
  classifyUpper,
  computeMerged,
  entryAt,
  type LayerEntry,
  type LowerState,
  type UpperState,
} from '../../src/overlay/index.js';

export interface Fixture {
  layers: ClassifiedLayers;
  lowerStates: Map<string, LowerState>;
}

export function classified(upper: LayerEntry, ...lowers: LayerEntry[]): Fixture {
  const view = computeMerged({ upper, lowers });
  const changes = classifyUpper(view);
  const states = new Map<string, UpperState>();
  for (const change of changes) {
    const entry = entryAt(upper, change.path);
    if (entry) states.set(change.path, { change, entry });
  }
  const lowerStates = new Map(
    classifyLowers(view)
      .filter((s) => s.layer === 0)
      .map((s) => [s.path, s]),
  );
  return { layers: { upper, view, changes, states }, lowerStates };
}
