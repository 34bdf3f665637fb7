/**
 * The merged view of a part of the lower stack (the layers from one index
 * down), computed lazily, one directory at a time, as the layer pane asks
 * for it. The merged pane's view (computeMerged) has upper on top and is
 * computed whole; the layer pane needs what the layers under layer i show
 * at a path (to mark what layer i did there), and the whole image without
 * upper (the stack view): both for the few directories on screen, never
 * for a whole layer. Pure: the lower trees are the loader's partial trees.
 *
 * Those trees only grow (LowerLoader adds children to the maps it has,
 * never replaces an entry), so what is computed here stays valid until a
 * map it was computed from grows: each result keeps the sizes of the maps
 * it read (a stamp) and is computed again when they differ. One merge can
 * thus serve every state the watcher emits, upper changing or not.
 */
import {
  parentPath,
  baseName,
  type LayerEntry,
  type LayerRef,
  type XattrNamespace,
} from '../../overlay/index.js';
import { lookupChild, type LookupResult } from '../../overlay/overlay-lookup.js';

export class LowerMerge {
  private readonly ctx: { ns: XattrNamespace; lowerRoots: LayerRef[] };
  /** Directory path -> the layer directories merged there (top first; null: none) and what it was read from. */
  private readonly dirs = new Map<string, Computed>();
  private readonly root: readonly LayerRef[];

  /**
   * lowers: every lower root, topmost first (layer numbers stay the
   * stack's); from: the topmost layer this merge looks at.
   */
  constructor(lowers: readonly LayerEntry[], ns: XattrNamespace, from: number) {
    const lowerRoots = lowers.map((entry, layer) => ({ layer, path: '/', entry }));
    this.ctx = { ns, lowerRoots };
    this.root = lowerRoots.slice(from);
  }

  /** The layer directories merged at a directory path; undefined if it is none here. */
  dirChain(path: string): readonly LayerRef[] | undefined {
    if (path === '/') return this.root;
    const parent = this.dirChain(parentPath(path));
    if (!parent) return undefined;
    const known = this.dirs.get(path);
    if (known && isCurrent(known, parent)) return known.chain ?? undefined;
    const found = lookupChild(this.ctx, undefined, parent, baseName(path));
    const chain = found.chain[0]?.entry.type === 'dir' ? found.chain : null;
    this.dirs.set(path, { chain, from: parent, loaded: loadedIn(parent) });
    return chain ?? undefined;
  }

  /** The kernel's lookup of name in the merged directory dirPath (empty chain: nothing). */
  lookup(dirPath: string, name: string): LookupResult {
    const chain = this.dirChain(dirPath);
    if (!chain || chain.length === 0) return { chain: [], below: [] };
    return lookupChild(this.ctx, undefined, chain, name);
  }

  /** The entry these layers show at path, if any. */
  entryAt(path: string): LayerRef | undefined {
    if (path === '/') return this.dirChain('/')?.[0];
    return this.lookup(parentPath(path), baseName(path)).chain[0];
  }

  /** What children(dirPath) reads now: a result computed from it is current while isCurrent says so. */
  readFrom(dirPath: string): { from: readonly LayerRef[]; loaded: number } | undefined {
    const chain = this.dirChain(dirPath);
    return chain && { from: chain, loaded: loadedIn(chain) };
  }

  /** The visible children of a merged directory, by name (what its listing shows). */
  children(dirPath: string): Map<string, LayerRef> {
    const out = new Map<string, LayerRef>();
    const chain = this.dirChain(dirPath);
    if (!chain) return out;
    const names = new Set<string>();
    for (const dir of chain) for (const name of dir.entry.children?.keys() ?? []) names.add(name);
    for (const name of names) {
      const top = lookupChild(this.ctx, undefined, chain, name).chain[0];
      if (top) out.set(name, top);
    }
    return out;
  }
}

/** Something computed from the children of a chain of directories. */
interface Computed {
  chain: readonly LayerRef[] | null;
  from: readonly LayerRef[];
  /** The children loaded in from's directories then. */
  loaded: number;
}

/** The children loaded in a chain's directories, in all. */
export function loadedIn(chain: readonly LayerRef[]): number {
  let n = 0;
  for (const dir of chain) n += dir.entry.children?.size ?? 0;
  return n;
}

/**
 * Whether what was computed from a chain still holds: the same chain (a
 * recomputed one is a new array), and as many children loaded in it. The
 * maps only grow, so the same count means the same children.
 */
export function isCurrent(
  c: { from: readonly LayerRef[]; loaded: number },
  from: readonly LayerRef[],
): boolean {
  return c.from === from && c.loaded === loadedIn(from);
}
