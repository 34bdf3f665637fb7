/**
 * The three trees as the flatten in tree-rows.ts sees them: how to list a
 * node's children and what row state each entry has in its pane.
 */
import type { ClassifiedLayers } from '../../engine/layers/classify-container.js';
import {
  layerName,
  parentPath,
  type EntryType,
  type LayerEntry,
  type LowerState,
  type MergedEntry,
  type UpperChange,
} from '../../overlay/index.js';
import type { RowState, TreeRow } from './tree-rows.js';

/** What the flatten needs to know of one kind of tree. */
export interface TreeSource<N> {
  root: N;
  children(node: N): ReadonlyMap<string, N> | undefined;
  type(node: N): EntryType;
  /** Sets the row's state and the optional fields (mutating: no object per row to spread). */
  describe(node: N, path: string, row: TreeRow, dirPath: string): void;
  /** changesOnly: whether the entry stays (ancestors of kept ones stay through `changed`). */
  keep(path: string, changed: ReadonlySet<string>, dirPath: string): boolean;
}

/**
 * An upper change as a row state: a file copied up with its data unchanged
 * is 'metadata'. A directory has no data of its own: it is copied up
 * because something under it changed, which is 'copied-up', unless its own
 * mode or owner changed too.
 */
function upperRowState(change: UpperChange | undefined): RowState {
  if (!change) return 'from-upper';
  switch (change.kind) {
    case 'copied-up':
      if (change.type === 'dir')
        return change.changes?.mode || change.changes?.owner ? 'metadata' : 'copied-up';
      return change.changes?.data === 'unchanged' ? 'metadata' : 'copied-up';
    case 'redirected':
      return 'redirect';
    default:
      return change.kind;
  }
}

function describeEntry(row: TreeRow, entry: LayerEntry, state: RowState): void {
  row.state = state;
  if (entry.type === 'file') row.size = entry.size;
  if (entry.target !== undefined) row.target = entry.target;
}

const layerChildren = (e: LayerEntry) => e.children;
const layerType = (e: LayerEntry) => e.type;

/**
 * numbers (the layer column): each lower's number by index; an upper row
 * then carries the layer its copy-up came from (nothing for a new entry).
 */
export function upperSource(
  layers: ClassifiedLayers,
  numbers?: readonly number[],
): TreeSource<LayerEntry> {
  return {
    root: layers.upper,
    children: layerChildren,
    type: layerType,
    describe: (e, path, row) => {
      const change = layers.states.get(path)?.change;
      describeEntry(row, e, upperRowState(change));
      if (!numbers) return;
      const below = change?.lower?.layer;
      row.from = below === undefined ? '' : String(numbers[below] ?? below);
    },
    // Every upper entry is a change: the filter keeps the whole upper tree.
    keep: () => true,
  };
}

const unusualCache = new WeakMap<ReadonlyMap<string, LowerState>, Set<string>>();

/**
 * Directories holding a lower entry that is not plainly visible. Most of a
 * big image is plainly visible: its rows then need no lookup by path, which
 * on 100,000 rows costs more than the rest of the flatten. Cached per map
 * (the app derives a new one when the layers change).
 */
function unusualDirs(states: ReadonlyMap<string, LowerState>): Set<string> {
  let dirs = unusualCache.get(states);
  if (dirs) return dirs;
  dirs = new Set();
  for (const s of states.values()) {
    if (s.status !== 'visible' || s.whiteout) dirs.add(parentPath(s.path));
  }
  unusualCache.set(states, dirs);
  return dirs;
}

export function lowerSource(
  layers: ClassifiedLayers,
  states: ReadonlyMap<string, LowerState>,
): TreeSource<LayerEntry> {
  const root = layers.view.stack.lowers[0];
  if (!root) throw new Error('the merged view has no lower layer');
  const unusual = unusualDirs(states);
  return {
    root,
    children: layerChildren,
    type: layerType,
    describe: (e, path, row, dirPath) => {
      const s = unusual.has(dirPath) ? states.get(path) : undefined;
      const state = s?.whiteout && s.status === 'visible' ? 'whiteout' : (s?.status ?? 'visible');
      describeEntry(row, e, state);
    },
    // What a whiteout or opaque directory hides lies below a changed path
    // but is not itself one: keep it, it is what changed for this layer.
    keep: (path, changed, dirPath) =>
      changed.has(path) ||
      (unusual.has(dirPath) && (states.get(path)?.status ?? 'visible') !== 'visible'),
  };
}

/** numbers (the layer column): each lower's number by index; 'U' marks upper. */
export function mergedSource(
  layers: ClassifiedLayers,
  numbers?: readonly number[],
): TreeSource<MergedEntry> {
  const lowerCount = layers.view.stack.lowers.length;
  // Layer names made once, not a template string per row.
  const names = ['upper', ...layers.view.stack.lowers.map((_, i) => layerName(i, lowerCount))];
  const column = numbers && [
    'U',
    ...layers.view.stack.lowers.map((_, i) => String(numbers[i] ?? i)),
  ];
  return {
    root: layers.view.root,
    children: (e) => e.children,
    type: (e) => e.type,
    describe: (e, _path, row) => {
      const top = e.top.layer;
      const state =
        top === 'upper' ? upperRowState(layers.states.get(e.path)?.change) : 'from-lower';
      describeEntry(row, e.top.entry, state);
      row.layer = names[top === 'upper' ? 0 : top + 1] ?? layerName(top, lowerCount);
      if (column) row.from = column[top === 'upper' ? 0 : top + 1] ?? '';
    },
    keep: (path, changed) => changed.has(path),
  };
}
