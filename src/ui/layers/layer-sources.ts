/**
 * The lower pane over an image of several layers: one layer's own entries,
 * each marked with what it does to the layers below (layer-change.ts), or
 * the whole stack (the image without upper), each entry with the number of
 * the layer it comes from. TreeSources for the flatten in tree-rows.ts.
 *
 * Both read only what the loader has loaded (the directories expanded, or
 * the whole image once search asked for it): the lazy merges below are
 * computed for the directories the flatten walks, and kept for as long as
 * the lower trees have not grown under them (lower-merge.ts).
 */
import type { ClassifiedLayers } from '../../engine/layers/classify-container.js';
import {
  type EntryType,
  type LayerEntry,
  type LayerRef,
  type LowerState,
} from '../../overlay/index.js';
import { layerChange } from '../../overlay/layer-change.js';
import type { TreeSource } from '../trees/pane-sources.js';
import type { RowState, TreeRow } from '../trees/tree-rows.js';
import { isCurrent, LowerMerge } from './lower-merge.js';

/**
 * Per lower stack (the loader's roots: the same array in every state the
 * watcher emits), the merge of the layers from index i down, made when
 * first asked. It checks itself against the trees' growth (lower-merge.ts),
 * so an upper change costs no recomputation here.
 */
const merges = new WeakMap<readonly LayerEntry[], Map<number, LowerMerge>>();

export function lowerMerge(layers: ClassifiedLayers, from: number): LowerMerge {
  const lowers = layers.view.stack.lowers;
  let byFrom = merges.get(lowers);
  if (!byFrom) {
    byFrom = new Map();
    merges.set(lowers, byFrom);
  }
  let merge = byFrom.get(from);
  if (!merge) {
    merge = new LowerMerge(layers.view.stack.lowers, layers.view.ns, from);
    byFrom.set(from, merge);
  }
  return merge;
}

/** The row state for what a layer's entry at path does to the layers under it. */
export function layerRowState(
  layers: ClassifiedLayers,
  index: number,
  path: string,
  entry: LayerEntry,
): RowState {
  const below = lowerMerge(layers, index + 1).entryAt(path)?.entry;
  const change = layerChange(entry, below, layers.view.ns);
  if (change.opaque) return 'opaque';
  return change.letter === 'A' ? 'added' : change.letter === 'C' ? 'changed' : 'deleted';
}

function describeEntry(row: TreeRow, entry: LayerEntry, state: RowState): void {
  row.state = state;
  if (entry.type === 'file') row.size = entry.size;
  if (entry.target !== undefined) row.target = entry.target;
}

/** One layer's own entries (index into the lowers, 0 = topmost). */
export function layerSource(layers: ClassifiedLayers, index: number): TreeSource<LayerEntry> {
  const root = layers.view.stack.lowers[index];
  if (!root) throw new Error(`the stack has no lower layer ${index}`);
  const children = (e: LayerEntry) => e.children;
  return {
    root,
    children,
    type: (e) => e.type,
    describe: (e, path, row) => describeEntry(row, e, layerRowState(layers, index, path, e)),
    keep: (path, changed) => changed.has(path),
  };
}

/** An entry of the whole stack: what the layers' merge shows at a path. */
export interface StackNode {
  path: string;
  ref: LayerRef;
  kids?: Map<string, StackNode>;
  /** What kids was computed from (lower-merge.ts isCurrent). */
  kidsFrom?: { from: readonly LayerRef[]; loaded: number };
}

const stackRoots = new WeakMap<LowerMerge, StackNode>();

/**
 * The whole stack, every entry with the number of its layer (numbers:
 * the label's number of each lower index) and its state in the container
 * (visible, or shadowed or hidden by upper) from layerStates.
 */
export function stackSource(
  layers: ClassifiedLayers,
  layerStates: readonly ReadonlyMap<string, LowerState>[],
  numbers: readonly number[],
): TreeSource<StackNode> {
  const merge = lowerMerge(layers, 0);
  let root = stackRoots.get(merge);
  if (!root) {
    const top = merge.dirChain('/')?.[0];
    if (!top) throw new Error('the merged view has no lower layer');
    root = { path: '/', ref: top };
    stackRoots.set(merge, root);
  }
  const texts = numbers.map(String);
  return {
    root,
    children: (node) => {
      if (node.ref.entry.type !== 'dir') return undefined;
      const from = merge.readFrom(node.path);
      if (!from) return undefined;
      if (node.kids && node.kidsFrom && isCurrent(node.kidsFrom, from.from)) return node.kids;
      // Computed again: the nodes that stay the same entry are kept, with
      // what they computed below them.
      const old = node.kids;
      node.kids = new Map();
      node.kidsFrom = from;
      for (const [name, ref] of merge.children(node.path)) {
        const had = old?.get(name);
        if (had && had.ref.entry === ref.entry) node.kids.set(name, had);
        else
          node.kids.set(name, {
            path: node.path === '/' ? `/${name}` : `${node.path}/${name}`,
            ref,
          });
      }
      return node.kids;
    },
    type: (node): EntryType => node.ref.entry.type,
    describe: (node, _path, row) => {
      const layer = node.ref.layer as number;
      const status = layerStates[layer]?.get(node.ref.path)?.status ?? 'visible';
      describeEntry(row, node.ref.entry, status);
      row.from = texts[layer] ?? String(layer);
    },
    keep: (path, changed) => changed.has(path),
  };
}
