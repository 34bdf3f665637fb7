/**
 * A container's layers, classified: the upper tree, the lower trees loaded
 * along upper's paths, the merged view computed from them, and every upper
 * entry's classification. Used once by `diff`, and after every burst of
 * changes by the watcher.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import {
  childPath,
  classifyUpper,
  computeMerged,
  entryAt,
  isAtOrUnder,
  parentPath,
  type LayerEntry,
  type LowerPlace,
  type MergedView,
  type UpperChange,
  type UpperState,
  type XattrNamespace,
  type IdMap,
} from '../../overlay/index.js';
import type { LowerLoader } from './lower-loader.js';

export interface ClassifiedLayers {
  upper: LayerEntry;
  view: MergedView;
  changes: UpperChange[];
  /** Every upper path (but the root) with its classification and entry. */
  states: Map<string, UpperState>;
}

// Reused: two fresh 64 KiB buffers per compared file were most of diff's time.
const bufA = Buffer.allocUnsafe(1 << 16);
const bufB = Buffer.allocUnsafe(1 << 16);

// Not following a symlink, and not waiting on a fifo: upper changes under a
// running container, and the path may be something else by now.
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** Opens a regular file for reading, or throws. */
function openFile(path: string): number {
  const fd = openSync(path, READ_FLAGS);
  if (fstatSync(fd).isFile()) return fd;
  closeSync(fd);
  throw new Error(`${path} is no longer a regular file`);
}

/**
 * Byte-for-byte comparison of the first `limit` bytes (all, by default):
 * the whole of files of equal size, or the heads classification asks about.
 */
function sameContent(a: string, b: string, limit = Infinity): boolean {
  const fa = openFile(a);
  let fb: number;
  try {
    fb = openFile(b);
  } catch (err) {
    closeSync(fa);
    throw err;
  }
  try {
    for (let left = limit; left > 0; left -= bufA.length) {
      const want = Math.min(left, bufA.length);
      const na = readSync(fa, bufA, 0, want, null);
      const nb = readSync(fb, bufB, 0, want, null);
      if (na !== nb || !bufA.subarray(0, na).equals(bufB.subarray(0, nb))) return false;
      if (na === 0) return true;
    }
    return true;
  } finally {
    closeSync(fa);
    closeSync(fb);
  }
}

/**
 * The upper tree cut down to the given subtrees and the directories on the
 * way to them (with their own entries and xattrs: an opaque or redirected
 * ancestor changes what lies below it). Classifying this costs what the
 * change costs, not what the whole upper holds.
 */
function pruneTo(upper: LayerEntry, roots: readonly string[]): LayerEntry {
  const keep = new Set<string>();
  const ancestors = new Set<string>(['/']);
  for (const r of roots) {
    keep.add(r);
    for (let p = r; p !== '/'; ) {
      p = parentPath(p);
      ancestors.add(p);
    }
  }
  const prune = (entry: LayerEntry, path: string): LayerEntry => {
    if (keep.has(path) || !entry.children) return entry;
    const children = new Map<string, LayerEntry>();
    for (const [name, child] of entry.children) {
      const p = childPath(path, name);
      if (keep.has(p)) children.set(name, child);
      else if (ancestors.has(p)) children.set(name, prune(child, p));
    }
    return { ...entry, children };
  };
  return keep.has('/') ? upper : prune(upper, '/');
}

/** The classified states of the entries at and under roots only (see pruneTo). */
export function classifyUnder(
  upperDir: string,
  upper: LayerEntry,
  lowerDirs: readonly string[],
  lowers: LowerLoader,
  roots: readonly string[],
  ns: XattrNamespace = 'trusted',
  idmap?: IdMap,
): Map<string, UpperState> {
  const part = pruneTo(upper, roots);
  const { states } = classifyLayers(upperDir, part, lowerDirs, lowers, ns, roots, idmap);
  const out = new Map<string, UpperState>();
  for (const [path, state] of states)
    if (roots.some((r) => isAtOrUnder(path, r))) out.set(path, state);
  return out;
}

export function classifyLayers(
  upperDir: string,
  upper: LayerEntry,
  lowerDirs: readonly string[],
  lowers: LowerLoader,
  ns: XattrNamespace = 'trusted',
  /** Only these subtrees need a merged view (see MergeOptions.within); default all. */
  within?: readonly string[],
  /** The container's user namespace map, if it ran with --userns. */
  idmap?: IdMap,
): ClassifiedLayers {
  lowers.ensureUnder(upper, ns);
  const view = computeMerged({ upper, lowers: lowers.roots }, { xattrNamespace: ns, within });
  const sameBytes = (path: string, lower: LowerPlace, bytes?: number): boolean | undefined => {
    const lowerDir = lowerDirs[lower.layer];
    if (lowerDir === undefined) return undefined;
    try {
      return sameContent(join(upperDir, path), join(lowerDir, lower.path), bytes);
    } catch {
      return undefined; // changed under us: the next burst says what it is
    }
  };
  const changes = classifyUpper(view, {
    sameData: (path, lower) => sameBytes(path, lower),
    sameHead: sameBytes,
    ...(idmap ? { idmap } : {}),
  });
  const states = new Map<string, UpperState>();
  for (const change of changes) {
    const entry = entryAt(upper, change.path);
    if (entry) states.set(change.path, { change, entry });
  }
  return { upper, view, changes, states };
}
