/**
 * The kernel's lookup of one name in a merged directory, over LayerEntry
 * trees: ovl_lookup, ovl_lookup_layer and ovl_lookup_single of
 * fs/overlayfs/namei.c, step for step, so that the merged view follows
 * overlayfs's rules for whiteouts, opaque directories, redirects (relative
 * and absolute), metacopy, and a non-directory over a directory. Pure.
 *
 * Not modelled: data-only lower layers ("::"), index=on, and
 * redirect_dir=nofollow: a redirect is always followed, as the kernel does
 * by default. (With userxattr the kernel forces nofollow, and a lookup that
 * meets a redirect fails with EPERM.)
 */
import {
  childPath,
  entryAt,
  type LayerId,
  type LayerRef,
  type XattrNamespace,
} from './layer-entry.js';
import { isMetacopy, isWhiteout, opaqueValue, validRedirect } from './entry-rules.js';

export interface LookupContext {
  ns: XattrNamespace;
  /** The lower layers' roots, topmost first: absolute redirects restart there. */
  lowerRoots: LayerRef[];
}

/** Why a lookup went no further down: what a lower entry is shadowed or hidden by. */
export type StopReason = 'whiteout' | 'opaque' | 'non-dir' | 'type-mismatch';

export interface LookupResult {
  /**
   * What the kernel found, top first: [0] gives the metadata; for a
   * directory all of them are merged; for a metacopy file the last holds
   * the data. Empty: the name does not exist in the merged view.
   */
  chain: LayerRef[];
  /** Where the lookup stopped before the bottom layer, why, and the entry that stopped it. */
  stop?: { why: StopReason; at: LayerRef };
  /** Entries under the same name in the layers the lookup did not reach: shadowed or hidden. */
  below: LayerRef[];
}

// struct ovl_lookup_data, plus where it stopped.
interface State {
  name: string;
  isDir: boolean;
  stop: boolean;
  metacopy: boolean;
  last: boolean;
  stopped?: { why: StopReason; at: LayerRef };
}

function stopHere(d: State, why: StopReason, at: LayerRef): void {
  d.stop = true;
  d.stopped = { why, at };
}

// ovl_check_redirect: a relative redirect replaces this path element, an
// absolute one the whole name, and restarts the lookup in lower layers.
function followRedirect(d: State, ref: LayerRef, ns: XattrNamespace, prelen: number, post: string) {
  const r = validRedirect(ref.entry, ns);
  if (r === undefined) return;
  if (r.startsWith('/')) {
    d.stop = false;
    delete d.stopped;
    d.name = r + post;
  } else {
    d.name = d.name.slice(0, prelen) + r + post;
  }
}

// ovl_lookup_single: one path element in one layer directory.
function lookupSingle(
  base: LayerRef,
  d: State,
  name: string,
  prelen: number,
  post: string,
  ns: XattrNamespace,
): LayerRef | undefined {
  const lastElement = post === '';
  const entry = base.entry.children?.get(name);
  if (!entry) return undefined;
  const ref: LayerRef = { layer: base.layer, path: childPath(base.path, name), entry };
  if (isWhiteout(entry, ns)) {
    stopHere(d, 'whiteout', ref);
    return undefined;
  }
  if (lastElement && d.metacopy && entry.type !== 'file') {
    stopHere(d, 'type-mismatch', ref);
    return undefined;
  }
  if (entry.type !== 'dir') {
    if (d.isDir || !lastElement) {
      stopHere(d, 'type-mismatch', ref);
      return undefined;
    }
    d.metacopy = isMetacopy(entry, ns);
    if (!d.metacopy) stopHere(d, 'non-dir', ref);
    if (!d.metacopy || d.last) return ref;
  } else {
    if (lastElement) d.isDir = true;
    if (d.last) return ref;
    // opaque=x marks a lower directory that holds xattr whiteouts: not opaque.
    if (opaqueValue(entry, ns) === 'y') {
      stopHere(d, 'opaque', ref);
      return ref;
    }
  }
  followRedirect(d, ref, ns, prelen, post);
  return ref;
}

// ovl_lookup_layer: a relative name in base, or an absolute one walked
// element by element from the layer root (counting from the end, since a
// redirect on the way can change the prefix).
function lookupLayer(base: LayerRef, d: State, ns: XattrNamespace): LayerRef | undefined {
  if (!d.name.startsWith('/')) return lookupSingle(base, d, d.name, 0, '', ns);
  let rem = d.name.length - 1;
  let cur: LayerRef | undefined = base;
  while (cur && cur.entry.type === 'dir') {
    const start = d.name.length - rem;
    const slash = d.name.indexOf('/', start);
    const end = slash < 0 ? d.name.length : slash;
    const element = d.name.slice(start, end);
    const post = d.name.slice(end);
    cur = lookupSingle(cur, d, element, start, post, ns);
    if (post === '') break;
    rem -= element.length + 1;
  }
  return cur;
}

/** Looks name up in a merged directory: its upper directory (if any) and its lower directories. */
export function lookupChild(
  ctx: LookupContext,
  upperDir: LayerRef | undefined,
  lowerDirs: readonly LayerRef[],
  name: string,
): LookupResult {
  const { ns, lowerRoots } = ctx;
  const d: State = { name, isDir: false, stop: false, metacopy: false, last: false };
  const chain: LayerRef[] = [];
  let poe = lowerDirs;
  if (upperDir) {
    const found = lookupLayer(upperDir, d, ns);
    if (found) chain.push(found);
    if (d.name.startsWith('/')) poe = lowerRoots;
  }
  for (let i = 0; !d.stop && i < poe.length; i++) {
    const lower = poe[i] as LayerRef;
    d.last = lower.layer === lowerRoots.length - 1;
    const found = lookupLayer(lower, d, ns);
    if (found) chain.push(found);
    if (d.stop) break;
    if (d.name.startsWith('/') && poe !== lowerRoots) {
      // Continue below this layer, from the roots (ovl_lookup: poe = roe).
      poe = lowerRoots;
      i = lower.layer as number;
    }
  }
  const result: LookupResult = { chain, below: [] };
  if (d.stopped) {
    result.stop = d.stopped;
    result.below = entriesBelow(ctx, poe, d.name, chain, d.stopped);
  }
  return result;
}

// What the name holds in the layers from the one that stopped the lookup
// down, leaving out what the lookup used and the whiteout that stopped it:
// these entries are shadowed or hidden. (A type-mismatch stop entry, say a
// lower file under an upper directory, is the first of them.)
function entriesBelow(
  ctx: LookupContext,
  poe: readonly LayerRef[],
  name: string,
  chain: readonly LayerRef[],
  stopped: NonNullable<State['stopped']>,
): LayerRef[] {
  const stopLayer: LayerId = stopped.at.layer;
  const from = stopLayer === 'upper' ? 0 : poe.findIndex((l) => l.layer === stopLayer);
  const used = new Set(chain.map((c) => c.entry));
  if (stopped.why === 'whiteout') used.add(stopped.at.entry);
  const out: LayerRef[] = [];
  for (const dir of poe.slice(Math.max(from, 0))) {
    const ref = plainLookup(ctx, dir, name);
    if (ref && !used.has(ref.entry)) out.push(ref);
  }
  return out;
}

function plainLookup(ctx: LookupContext, dir: LayerRef, name: string): LayerRef | undefined {
  if (name.startsWith('/')) {
    const root = ctx.lowerRoots[dir.layer as number];
    const entry = root && entryAt(root.entry, name);
    return entry && { layer: dir.layer, path: name, entry };
  }
  const entry = dir.entry.children?.get(name);
  return entry && { layer: dir.layer, path: childPath(dir.path, name), entry };
}
