/**
 * The merged view, computed from the layer trees by overlayfs's rules: what
 * `ls -la` shows at the mount point, each entry labelled with the layer it
 * comes from. Pure: lookup in overlay-lookup.ts, listing rules here.
 */
import {
  childPath,
  isAtOrUnder,
  pathParts,
  type EntryType,
  type LayerRef,
  type OverlayStack,
  type XattrNamespace,
} from './layer-entry.js';
import { hasOrigin, hiddenFromReaddir, isMetacopy } from './entry-rules.js';
import { lookupChild, type LookupContext, type LookupResult } from './overlay-lookup.js';

export interface MergedEntry {
  name: string;
  /** Path in the merged view: '/', '/etc/passwd'. */
  path: string;
  type: EntryType;
  /** The entry whose metadata the mount shows (mode, owner, size, times, link target). */
  top: LayerRef;
  /** st_nlink as the mount reports it: 1 for a directory merged from several layers. */
  nlink: number;
  /** Directories: every layer directory merged here, top first. */
  stack?: LayerRef[];
  /** Metacopy files: the lower file the data is read from (absent: the kernel says EIO). */
  data?: LayerRef;
  /** The lookup that found this entry (the root's is made up: all layer roots). */
  lookup: LookupResult;
  /** Directories: the visible children by name. */
  children?: Map<string, MergedEntry>;
  /** Directories: names some layer holds that do not exist here (whiteouts and what they hide). */
  masked?: Map<string, LookupResult>;
  /** Directories: names readdir lists but lstat does not find (ENOENT), in sorted order. */
  ghosts?: string[];
}

export interface MergedView {
  root: MergedEntry;
  ns: XattrNamespace;
  stack: OverlayStack;
}

export interface MergeOptions {
  /** 'user' for a mount with the userxattr option. Default 'trusted'. */
  xattrNamespace?: XattrNamespace;
  /**
   * Only these subtrees (and the directories on the way to them) are
   * listed: other directories appear as entries with no children. Lets a
   * caller that knows what changed pay for that, not for the whole tree.
   */
  within?: readonly string[] | undefined;
}

/** True if dir lies on the way to one of roots, or at or under one. */
function touches(dir: string, roots: readonly string[]): boolean {
  return roots.some((r) => isAtOrUnder(dir, r) || isAtOrUnder(r, dir));
}

/** The merged view of an overlay stack. */
export function computeMerged(stack: OverlayStack, opts: MergeOptions = {}): MergedView {
  if (stack.lowers.length === 0) throw new Error('overlay needs at least one lower layer');
  const ns = opts.xattrNamespace ?? 'trusted';
  const lowerRoots: LayerRef[] = stack.lowers.map((entry, i) => ({ layer: i, path: '/', entry }));
  // The root merges every layer's root, whatever their xattrs say.
  const rootStack = stack.upper
    ? [{ layer: 'upper' as const, path: '/', entry: stack.upper }, ...lowerRoots]
    : lowerRoots;
  const root = mergedEntry('', '/', { chain: rootStack, below: [] }, ns);
  const ctx: LookupContext = { ns, lowerRoots };
  // Iterative, so that a deep tree cannot overflow the stack.
  const within = opts.within;
  const pending = [root];
  for (let dir = pending.pop(); dir; dir = pending.pop()) {
    fillDirectory(ctx, dir);
    for (const child of dir.children?.values() ?? [])
      if (child.stack && (!within || touches(child.path, within))) pending.push(child);
  }
  return { root, ns, stack };
}

function mergedEntry(name: string, path: string, lookup: LookupResult, ns: XattrNamespace) {
  const top = lookup.chain[0];
  if (!top) throw new Error(`no entry for ${path}`);
  const entry: MergedEntry = {
    name,
    path,
    type: top.entry.type,
    top,
    nlink: top.entry.nlink,
    lookup,
  };
  if (entry.type === 'dir') {
    entry.stack = lookup.chain;
    if (lookup.chain.length > 1) entry.nlink = 1;
  } else if (isMetacopy(top.entry, ns)) {
    const data = lookup.chain.at(-1);
    if (data && data !== top && !isMetacopy(data.entry, ns)) entry.data = data;
  }
  return entry;
}

function fillDirectory(ctx: LookupContext, dir: MergedEntry): void {
  const stack = dir.stack ?? [];
  const upperDir = stack[0]?.layer === 'upper' ? stack[0] : undefined;
  const lowerDirs = stack.filter((s) => s.layer !== 'upper');
  const listed = listedNames(stack, ctx.ns);
  const children = new Map<string, MergedEntry>();
  const masked = new Map<string, LookupResult>();
  const ghosts: string[] = [];
  for (const name of allNames(stack)) {
    const found = lookupChild(ctx, upperDir, lowerDirs, name);
    if (found.chain.length > 0) {
      children.set(name, mergedEntry(name, childPath(dir.path, name), found, ctx.ns));
    } else {
      masked.set(name, found);
      if (listed.has(name)) ghosts.push(name);
    }
  }
  dir.children = children;
  if (masked.size > 0) dir.masked = masked;
  if (ghosts.length > 0) dir.ghosts = ghosts;
}

function allNames(stack: readonly LayerRef[]): string[] {
  const names = new Set<string>();
  for (const dir of stack) for (const name of dir.entry.children?.keys() ?? []) names.add(name);
  return [...names].sort();
}

/**
 * The names readdir returns (ovl_iterate). A directory from a single layer
 * with no origin xattr is "real": its own listing, whiteouts included. A
 * merged one lists each name once, as its topmost occurrence decides.
 */
function listedNames(stack: readonly LayerRef[], ns: XattrNamespace): Set<string> {
  const only = stack.length === 1 ? stack[0] : undefined;
  if (only && !hasOrigin(only.entry, ns)) return new Set(only.entry.children?.keys());
  const seen = new Set<string>();
  const listed = new Set<string>();
  for (const dir of stack) {
    for (const [name, entry] of dir.entry.children ?? []) {
      if (seen.has(name)) continue;
      seen.add(name);
      if (!hiddenFromReaddir(entry, dir.entry, dir.layer === 'upper', ns)) listed.add(name);
    }
  }
  return listed;
}

/** Every merged entry, parents before children, names in sorted order. */
export function* walkMerged(root: MergedEntry): Generator<MergedEntry> {
  yield root;
  if (!root.children) return;
  for (const name of [...root.children.keys()].sort()) {
    const child = root.children.get(name);
    if (child) yield* walkMerged(child);
  }
}

/** The merged entry at a path ('/a/b'), if it exists. */
export function mergedAt(view: MergedView, path: string): MergedEntry | undefined {
  let cur: MergedEntry | undefined = view.root;
  for (const part of pathParts(path)) cur = cur?.children?.get(part);
  return cur;
}
