/**
 * What each entry of the upper layer is: new, copied up (and what changed),
 * a whiteout, an opaque or redirected directory, a metacopy. Pure: works on
 * a MergedView, which already knows what lies under each upper entry.
 */
import { hostId, type IdMap } from './id-map.js';
import type { EntryType, LayerEntry, LayerRef, XattrNamespace } from './layer-entry.js';
import { walkEntries } from './layer-entry.js';
import {
  hasOrigin,
  isMetacopy,
  isOpaqueDir,
  isWhiteout,
  overlayXattrs,
  validRedirect,
} from './entry-rules.js';
import type { LookupResult } from './overlay-lookup.js';
import type { MergedEntry, MergedView } from './merged-view.js';
import { decodeOriginHandle } from './origin-handle.js';

export type UpperKind = 'new' | 'copied-up' | 'whiteout' | 'opaque' | 'redirected' | 'metacopy';

/** 'unknown': same size, different mtime, and no content comparison given (a write or a touch). */
export type DataChange = 'changed' | 'unchanged' | 'unknown';

export interface CopyUpChanges {
  data: DataChange;
  mode: boolean;
  owner: boolean;
  mtime: boolean;
}

/** A lower entry, by layer index (0 = topmost lower) and path in that layer. */
export interface LowerPlace {
  layer: number;
  path: string;
  type: EntryType;
}

export interface UpperChange {
  /** Path in upper, which is also the path in the merged view. */
  path: string;
  type: EntryType;
  kind: UpperKind;
  /**
   * The lower entry it relates to. copied-up, redirected, metacopy: the one
   * it was copied from. new, opaque: the one it replaces (deleted and made
   * anew). whiteout: the one it hides (none: a whiteout with nothing under).
   */
  lower?: LowerPlace;
  /** copied-up, redirected, metacopy: what differs from the lower entry. */
  changes?: CopyUpChanges;
  /** redirected: the overlay.redirect value (the directory's old name or path). */
  redirect?: string;
  /** A directory marked opaque: also new directories, which the kernel marks as an optimisation. */
  opaque?: true;
  /** new: the lower file it is a copy of (a lower file renamed or hard-linked here), from origin. */
  originPath?: string;
  /** Regular files copied-up or metacopy: the bytes of data the kernel copied up (see copiedBytes). */
  copiedBytes?: number;
}

export interface ClassifyOptions {
  /** Compares contents when sizes match (I/O, so the caller's): true if the same. */
  sameData?: (upperPath: string, lower: LowerPlace) => boolean | undefined;
  /** Compares the first `bytes` bytes of the two files (I/O too): true if the same. */
  sameHead?: (upperPath: string, lower: LowerPlace, bytes: number) => boolean | undefined;
  /** The container's user namespace map (`--userns`): lower ids are compared as it saw them. */
  idmap?: IdMap;
}

/**
 * How much of a file copiedBytes compares to tell a file rewritten after an
 * O_TRUNC open from one written in place or appended to: one read.
 */
export const HEAD_BYTES = 1 << 16;

/** Every upper entry but the root, classified, in path order. */
export function classifyUpper(view: MergedView, opts: ClassifyOptions = {}): UpperChange[] {
  const origins = new OriginIndex(view);
  const out: UpperChange[] = [];
  // Upper entries live only in directories whose top is upper: walk just
  // those, so a small upper over a 100,000-file image costs little.
  const pending: MergedEntry[] = view.root.top.layer === 'upper' ? [view.root] : [];
  for (let dir = pending.pop(); dir; dir = pending.pop()) {
    for (const child of dir.children?.values() ?? []) {
      if (child.top.layer !== 'upper') continue;
      out.push(classifyPositive(view, child.top, child.lookup, origins, opts));
      if (child.stack) pending.push(child);
    }
    for (const found of dir.masked?.values() ?? []) {
      const at = found.stop?.at;
      if (found.stop?.why !== 'whiteout' || at?.layer !== 'upper') continue;
      const change: UpperChange = { path: at.path, type: at.entry.type, kind: 'whiteout' };
      const hidden = firstBelow(found, view.ns);
      if (hidden) change.lower = place(hidden);
      out.push(change);
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function classifyPositive(
  view: MergedView,
  top: LayerRef,
  lookup: LookupResult,
  origins: OriginIndex,
  opts: ClassifyOptions,
): UpperChange {
  const ns = view.ns;
  const e = top.entry;
  const change: UpperChange = { path: top.path, type: e.type, kind: 'new' };
  const mergedLower = lookup.chain.find((c) => c.layer !== 'upper');
  const replaced = firstBelow(lookup, ns);
  const copiedFrom = (from: LayerRef, kind: UpperKind) => {
    change.kind = kind;
    change.lower = place(from);
    change.changes = compare(top, from, kind === 'metacopy', opts);
    if (e.type === 'file') change.copiedBytes = copiedBytes(top, from, change, opts);
  };
  if (e.type === 'dir') {
    const redirect = validRedirect(e, ns);
    if (redirect !== undefined) change.redirect = redirect;
    if (isOpaqueDir(e, ns)) change.opaque = true;
    if (mergedLower) copiedFrom(mergedLower, redirect !== undefined ? 'redirected' : 'copied-up');
    else if (replaced) {
      change.lower = place(replaced);
      if (change.opaque) change.kind = 'opaque';
    }
  } else if (isMetacopy(e, ns)) {
    const data = lookup.chain.at(-1);
    change.kind = 'metacopy';
    if (data && data !== top) copiedFrom(data, 'metacopy');
  } else {
    const sameType = replaced?.entry.type === e.type;
    // Lower hard links share an inode: the same inode is the same source.
    // The usual case (a copy-up in place) needs no search of the lower.
    const inPlace = sameType && origins.originIno(e) === replaced?.entry.ino;
    const source = hasOrigin(e, ns) && !inPlace ? origins.sourceOf(e) : undefined;
    const fromReplaced = inPlace || !source || source.entry.ino === replaced?.entry.ino;
    if (replaced && sameType && hasOrigin(e, ns) && fromReplaced) {
      copiedFrom(replaced, 'copied-up');
    } else {
      if (replaced) change.lower = place(replaced);
      if (source) change.originPath = source.path;
    }
  }
  return change;
}

// What an upper entry replaces or hides: the topmost lower entry under it,
// unless that is itself a whiteout (then nothing below was visible).
function firstBelow(lookup: LookupResult, ns: XattrNamespace): LayerRef | undefined {
  const first = lookup.below[0];
  return first && !isWhiteout(first.entry, ns) ? first : undefined;
}

function place(ref: LayerRef): LowerPlace {
  return { layer: ref.layer as number, path: ref.path, type: ref.entry.type };
}

function compare(
  upper: LayerRef,
  lower: LayerRef,
  metacopy: boolean,
  opts: ClassifyOptions,
): CopyUpChanges {
  const u = upper.entry;
  const l = lower.entry;
  return {
    // A metacopy file's data is the lower one's: merged reads it from there.
    // Upper holds a sparse file of that size, whose zeros are no data of its
    // own; comparing them with the lower's bytes would say "changed".
    data: metacopy
      ? 'unchanged'
      : dataChange(u, l, () => opts.sameData?.(upper.path, place(lower))),
    mode: u.mode !== l.mode,
    owner: u.uid !== hostId(l.uid, opts.idmap) || u.gid !== hostId(l.gid, opts.idmap),
    mtime: u.mtimeMs !== l.mtimeMs,
  };
}

/**
 * The bytes of data the kernel copied into upper when it copied the file
 * up. A metacopy copies none. Otherwise the kernel copies the whole lower
 * file, except for an open with O_TRUNC, which copies none: measured on
 * 6.18 with 1 GiB lower files, `: > f` took 2 ms where an append, a chmod,
 * a write in place or a truncate(2) took 0.8 to 4.9 s (metacopy=on or off
 * alike, but for the chmod, which metacopy=on makes 3 ms). Upper keeps no
 * trace of the flag, so it is told from the data: a file that no longer
 * begins as the lower one did was rewritten from empty (`>`); one that does
 * was written in place or appended to (`>>`). What the data cannot tell
 * apart is taken the common way: a truncate(2) to fewer bytes than the
 * compared head counts as `>` (none copied), and a rewrite that kept the
 * first HEAD_BYTES (an editor saving a file it added to) as `>>`.
 */
function copiedBytes(
  upper: LayerRef,
  lower: LayerRef,
  change: UpperChange,
  opts: ClassifyOptions,
): number {
  const u = upper.entry;
  const l = lower.entry;
  if (change.kind === 'metacopy') return 0;
  if (change.changes?.data === 'unchanged') return l.size;
  const head = Math.min(l.size, HEAD_BYTES);
  if (u.size < head) return 0;
  const same = head === 0 ? true : opts.sameHead?.(upper.path, place(lower), head);
  // Not compared (no I/O given, or the file changed under the caller): assume in place.
  return same === false ? 0 : l.size;
}

function dataChange(u: LayerEntry, l: LayerEntry, same: () => boolean | undefined): DataChange {
  switch (u.type) {
    case 'symlink':
      return u.target === l.target ? 'unchanged' : 'changed';
    case 'char':
    case 'block':
      return u.rdev?.major === l.rdev?.major && u.rdev?.minor === l.rdev?.minor
        ? 'unchanged'
        : 'changed';
    case 'file': {
      if (u.size !== l.size) return 'changed';
      const s = same();
      if (s !== undefined) return s ? 'unchanged' : 'changed';
      // A write moves mtime; copy-up keeps it.
      return u.mtimeMs === l.mtimeMs ? 'unchanged' : 'unknown';
    }
    default:
      return 'unchanged';
  }
}

/**
 * Lower entries by inode number, built on first use, to tell which lower
 * file an upper file's origin handle names (see origin-handle.ts).
 */
class OriginIndex {
  private byIno?: Map<number, LayerRef[]>;
  constructor(private readonly view: MergedView) {}

  /** The inode number the origin handle names, if it has one we can read. */
  originIno(upper: LayerEntry): number | undefined {
    const hex = overlayXattrs(upper, this.view.ns)?.origin;
    return hex ? decodeOriginHandle(hex)?.ino : undefined;
  }

  sourceOf(upper: LayerEntry): LayerRef | undefined {
    const ino = this.originIno(upper);
    if (ino === undefined) return undefined;
    return (this.index().get(ino) ?? []).find((r) => r.entry.type === upper.type);
  }

  private index(): Map<number, LayerRef[]> {
    if (this.byIno) return this.byIno;
    const byIno = new Map<number, LayerRef[]>();
    this.view.stack.lowers.forEach((root, layer) => {
      for (const { path, entry } of walkEntries(root)) {
        if (entry.type === 'dir') continue;
        const list = byIno.get(entry.ino) ?? [];
        list.push({ layer, path, entry });
        byIno.set(entry.ino, list);
      }
    });
    return (this.byIno = byIno);
  }
}
