/**
 * The merged view of a part of the lower stack (the layers from one index
 * down), computed lazily, one directory at a time, as the layer pane asks
 * for it. The merged pane's view (computeMerged) has upper on top and is
 * computed whole; the layer pane needs what the layers under layer i show
 * at a path (to mark what layer i did there), and the whole image without
 * upper (the stack view): both for the few directories on screen, never
 * for a whole layer. Pure: the lower trees are the loader's partial trees.
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
  /** Directory path -> the layer directories merged there (top first); null: no directory. */
  private readonly dirs = new Map<string, readonly LayerRef[] | null>();

  /**
   * lowers: every lower root, topmost first (layer numbers stay the
   * stack's); from: the topmost layer this merge looks at.
   */
  constructor(lowers: readonly LayerEntry[], ns: XattrNamespace, from: number) {
    const lowerRoots = lowers.map((entry, layer) => ({ layer, path: '/', entry }));
    this.ctx = { ns, lowerRoots };
    this.dirs.set('/', lowerRoots.slice(from));
  }

  /** The layer directories merged at a directory path; undefined if it is none here. */
  dirChain(path: string): readonly LayerRef[] | undefined {
    const known = this.dirs.get(path);
    if (known !== undefined) return known ?? undefined;
    const parent = this.dirChain(parentPath(path));
    const found = parent ? lookupChild(this.ctx, undefined, parent, baseName(path)) : undefined;
    const chain = found?.chain[0]?.entry.type === 'dir' ? found.chain : null;
    this.dirs.set(path, chain);
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
