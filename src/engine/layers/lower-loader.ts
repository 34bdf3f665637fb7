/**
 * Lower layers, loaded only along the paths that matter. Classifying an
 * upper entry needs the lower entries at its own path (and at a redirect's
 * target), never the whole image: an image can hold 100,000 files while a
 * container changes ten. Each loaded directory's children map holds only
 * the children loaded so far, which is all the merged-view computation is
 * asked about.
 */
import { readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import {
  childPath,
  entryAt,
  pathParts,
  scanEntry,
  validRedirect,
  type LayerEntry,
  type XattrNamespace,
} from '../../overlay/index.js';
import { bytesOf, fsPath } from '../../overlay/byte-path.js';
import { printablePath } from '../../overlay/printable-path.js';

export class LowerLoader {
  /** Partial lower trees, topmost first (as lowerdir=top:...:bottom). */
  readonly roots: LayerEntry[];
  private readonly loaded = new Set<string>();
  /** loadAllSlice's directories still to list, and every one it has queued. */
  private pendingAll: string[] | undefined;
  private readonly queuedAll = new Set<string>();

  /** The layer directories as byte strings, as every path the model holds (byte-path.ts). */
  private readonly dirs: readonly string[];

  constructor(dirs: readonly string[]) {
    this.dirs = dirs.map(bytesOf);
    this.roots = this.dirs.map((dir) => {
      const root = scanEntry(dir, '');
      if (root?.type !== 'dir')
        throw new Error(`lower layer ${printablePath(dir)} is not a directory`);
      return root;
    });
  }

  /** Loads the entry at path (and the directories on the way) in every lower layer. */
  ensure(path: string): void {
    if (this.loaded.has(path)) return;
    this.loaded.add(path);
    const parts = pathParts(path);
    this.dirs.forEach((dir, layer) => {
      let node = this.roots[layer];
      let abs = dir;
      for (const name of parts) {
        if (node?.type !== 'dir' || !node.children) return;
        abs = join(abs, name);
        let child = node.children.get(name);
        if (!child) {
          child = scanEntry(abs, name);
          if (!child) return; // not in this layer
          node.children.set(name, child);
        }
        node = child;
      }
    });
  }

  /**
   * Loads a directory's whole listing in every lower layer (for a tree pane
   * that shows it). False if it was loaded already: nothing changed.
   */
  loadDir(path: string): boolean {
    this.ensure(path);
    const key = `${path}/`;
    if (this.loaded.has(key)) return false;
    this.loaded.add(key);
    this.dirs.forEach((dir, layer) => {
      const root = this.roots[layer];
      const node = root ? entryAt(root, path) : undefined;
      if (node?.type !== 'dir' || !node.children) return;
      const abs = path === '/' ? dir : join(dir, path);
      let names: string[] = [];
      try {
        names = readdirSync(fsPath(abs), 'latin1');
      } catch {
        return; // not a directory in this layer after all
      }
      for (const name of names) {
        if (node.children.has(name)) continue;
        const child = scanEntry(join(abs, name), name);
        if (child) node.children.set(name, child);
      }
    });
    return true;
  }

  /**
   * Lists every directory of every lower layer, a slice of about budgetMs
   * at a time, depth first; true once all are loaded. Search looks through
   * the whole image, and 100,000 files take about a second: in slices, the
   * screen keeps drawing meanwhile.
   */
  loadAllSlice(budgetMs: number): boolean {
    if (!this.pendingAll) {
      this.pendingAll = ['/'];
      this.queuedAll.add('/');
    }
    const until = performance.now() + budgetMs;
    // At least one directory per call, however small the budget.
    for (let path = this.pendingAll.pop(); path !== undefined; path = this.pendingAll.pop()) {
      this.loadDir(path);
      for (const root of this.roots) {
        for (const [name, child] of entryAt(root, path)?.children ?? []) {
          const sub = childPath(path, name);
          if (child.type !== 'dir' || this.queuedAll.has(sub)) continue;
          this.queuedAll.add(sub);
          this.pendingAll.push(sub);
        }
      }
      if (performance.now() >= until) break;
    }
    return this.pendingAll.length === 0;
  }

  /**
   * Loads what lies under every entry of an upper tree: the same path, or,
   * below a renamed directory (overlay.redirect), the path it was renamed
   * from, as overlayfs's lookup follows it.
   */
  ensureUnder(upper: LayerEntry, ns: XattrNamespace): void {
    const walk = (dir: LayerEntry, lowerPath: string): void => {
      for (const [name, child] of dir.children ?? []) {
        const redirect = child.type === 'dir' ? validRedirect(child, ns) : undefined;
        const below =
          redirect === undefined ? childPath(lowerPath, name) : redirectTarget(lowerPath, redirect);
        this.ensure(childPath(lowerPath, name));
        if (below !== childPath(lowerPath, name)) this.ensure(below);
        if (child.type === 'dir') walk(child, below);
      }
    };
    walk(upper, '/');
  }
}

// An absolute redirect names the whole lower path; a relative one replaces the last element.
function redirectTarget(parentLowerPath: string, redirect: string): string {
  return redirect.startsWith('/') ? redirect : childPath(parentLowerPath, redirect);
}
