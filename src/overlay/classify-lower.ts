/**
 * What became of each lower entry in the merged view: visible, shadowed
 * (a higher layer's entry wins) or hidden (a whiteout, an opaque directory
 * or a non-directory above it, or an ancestor that is). Pure: derived from
 * the lookups a MergedView recorded.
 */
import type { EntryType, LayerEntry, LayerId, LayerRef } from './layer-entry.js';
import { childPath, walkEntries } from './layer-entry.js';
import { isWhiteout } from './entry-rules.js';
import type { LookupResult, StopReason } from './overlay-lookup.js';
import { mergedAt, walkMerged, type MergedView } from './merged-view.js';

export type LowerStatus = 'visible' | 'shadowed' | 'hidden';

/**
 * Why: 'merged', a directory merged under a higher one (its children take
 * part); 'metacopy', data read through a metacopy file above; 'redirect', a
 * name a renamed directory took over; else the reason the lookup stopped.
 */
export type LowerReason = StopReason | 'merged' | 'metacopy' | 'redirect';

export interface LowerState {
  layer: number;
  path: string;
  type: EntryType;
  status: LowerStatus;
  /** visible and merged: where it shows in the merged view (differs under a renamed directory). */
  mergedPath?: string;
  /** shadowed, hidden: the entry that wins over it or hides it, and why. */
  by?: { layer: LayerId; path: string; why: LowerReason };
  /** A whiteout in a lower layer ('visible': it takes effect on the layers below). */
  whiteout?: true;
}

interface Mark {
  status: LowerStatus;
  rank: number;
  mergedPath?: string;
  by?: LowerState['by'];
}

/** Every entry of every lower layer, layer by layer, in path order. */
export function classifyLowers(view: MergedView): LowerState[] {
  const marks = collectMarks(view);
  const out: LowerState[] = [];
  view.stack.lowers.forEach((root, layer) => {
    const resolved = new Map<LayerEntry, Mark>();
    for (const { path, entry, parent } of walkEntries(root)) {
      const parentMark = parent && resolved.get(parent);
      const mark = marks.get(entry) ?? fallback(view, entry.name, parentMark);
      resolved.set(entry, mark);
      const state: LowerState = { layer, path, type: entry.type, status: mark.status };
      if (mark.mergedPath !== undefined) state.mergedPath = mark.mergedPath;
      if (mark.by) state.by = mark.by;
      if (isWhiteout(entry, view.ns)) state.whiteout = true;
      out.push(state);
    }
  });
  return out;
}

// The strongest claim wins: shown, then merged or feeding data, then
// shadowed or hidden below a stop.
const RANK = { visible: 3, inChain: 2, below: 1 };

function collectMarks(view: MergedView): Map<LayerEntry, Mark> {
  const marks = new Map<LayerEntry, Mark>();
  const put = (ref: LayerRef, mark: Mark) => {
    if (ref.layer === 'upper') return;
    const had = marks.get(ref.entry);
    if (!had || had.rank < mark.rank) marks.set(ref.entry, mark);
  };
  const fromLookup = (mergedPath: string, found: LookupResult) => {
    const [top, ...rest] = found.chain;
    if (top) put(top, { status: 'visible', rank: RANK.visible, mergedPath });
    for (const ref of rest) {
      const why = ref.entry.type === 'dir' ? 'merged' : 'metacopy';
      put(ref, { status: 'shadowed', rank: RANK.inChain, mergedPath, by: byOf(top, why) });
    }
    const stop = found.stop;
    if (!stop) return;
    if (stop.why === 'whiteout') {
      put(stop.at, { status: 'visible', rank: RANK.visible, mergedPath });
    }
    const hides = stop.why === 'whiteout' || stop.why === 'opaque';
    // A type mismatch is stopped by the entry that won, the top.
    const winner = stop.why === 'type-mismatch' && top ? top : stop.at;
    for (const ref of found.below) {
      const status = hides ? 'hidden' : 'shadowed';
      put(ref, { status, rank: RANK.below, by: byOf(winner, stop.why) });
    }
  };
  for (const dir of walkMerged(view.root)) {
    if (dir === view.root) fromLookup('/', dir.lookup);
    for (const child of dir.children?.values() ?? []) fromLookup(child.path, child.lookup);
    for (const [name, found] of dir.masked ?? []) fromLookup(childPath(dir.path, name), found);
  }
  return marks;
}

function byOf(ref: LayerRef | undefined, why: LowerReason): LowerState['by'] {
  return ref ? { layer: ref.layer, path: ref.path, why } : undefined;
}

/**
 * An entry no lookup reached. Under a shadowed or hidden directory it is
 * hidden by the same entry. Under a directory that takes part in the merged
 * view its name was taken over by a renamed directory (a redirect looks up
 * another name in this layer): shadowed by what the merged view shows there.
 */
function fallback(view: MergedView, name: string, parent: Mark | undefined): Mark {
  if (!parent || parent.rank < RANK.inChain || parent.mergedPath === undefined) {
    const mark: Mark = { status: 'hidden', rank: 0 };
    if (parent?.by) mark.by = parent.by;
    return mark;
  }
  const there = mergedAt(view, childPath(parent.mergedPath, name));
  const mark: Mark = { status: there ? 'shadowed' : 'hidden', rank: 0 };
  if (there) mark.by = { layer: there.top.layer, path: there.top.path, why: 'redirect' };
  return mark;
}
