/**
 * One inotify watch (node:fs.watch) per directory of the upper tree, none
 * per file: a directory's watch already reports what happens to its
 * entries (create, write, chmod, setxattr, rename, delete), and the watcher
 * rescans what it is pointed at, so a name is all it needs.
 *
 * Why not chokidar, which the design first named: on every event in a
 * directory chokidar lists that directory again and lstats each entry
 * (readdirp), to work out add/change/unlink for itself. We do that work in
 * rescan.ts anyway; chokidar's copy took 39% of the watching process's CPU
 * at 200 writes a second, with file watches switched off, and its queued
 * lstats delayed our events (bench/LAYERS.md).
 *
 * A watch follows an inode, not a name: a directory deleted and made again
 * under the same name needs a new watch. Each watch remembers the inode it
 * was made for (number and birth time: ext4 gives a directory made right
 * after an rmdir the same inode number) and sync() replaces it when the
 * inode differs.
 */
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { childPath, entryAt, inodeKey, isAtOrUnder, type LayerEntry } from '../../overlay/index.js';
import { fromBuffer, fsPath } from '../../overlay/byte-path.js';
import { printablePath } from '../../overlay/printable-path.js';

interface Watch {
  inode: string;
  fsw: FSWatcher;
}

export class DirWatches {
  private readonly watches = new Map<string, Watch>();
  private closed = false;

  /**
   * rootDir: the layer directory; onChange gets the absolute path of
   * whatever an event names (an entry, or the directory itself). Both are
   * byte strings (src/overlay/byte-path.ts): names come as bytes.
   */
  constructor(
    private readonly rootDir: string,
    private readonly onChange: (abs: string) => void,
    private readonly onError: (err: Error) => void,
  ) {}

  /** How many directories are watched. */
  get size(): number {
    return this.watches.size;
  }

  has(path: string): boolean {
    return this.watches.has(path);
  }

  /**
   * Makes the watches at and under path match the directories the tree
   * holds there: new ones watched, gone or replaced ones let go.
   */
  sync(tree: LayerEntry, path = '/'): void {
    if (this.closed) return;
    const want = new Map<string, string>();
    const start = entryAt(tree, path);
    if (start?.type === 'dir') collectDirs(start, path, want);
    for (const [p, w] of this.watches) {
      if (isAtOrUnder(p, path) && want.get(p) !== w.inode) this.drop(p, w);
    }
    for (const [p, inode] of want) if (!this.watches.has(p)) this.add(p, inode);
  }

  close(): void {
    this.closed = true;
    for (const [p, w] of this.watches) this.drop(p, w);
  }

  private add(path: string, inode: string): void {
    const abs = path === '/' ? this.rootDir : join(this.rootDir, path);
    try {
      // The event's type says little: libuv reports any event on a
      // directory entry as 'rename' (IN_ISDIR is in its mask).
      const fsw = watch(fsPath(abs), { persistent: true, encoding: 'buffer' }, (_type, name) => {
        this.onChange(name ? join(abs, fromBuffer(name)) : abs);
      });
      fsw.on('error', (err) => this.onError(err));
      this.watches.set(path, { inode, fsw });
    } catch (err) {
      // Gone already (the next rescan says so), too deep to name (the scan
      // says so), or out of inotify watches.
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG') return;
      this.onError(
        new Error(
          code === 'ENOSPC'
            ? `cannot watch ${printablePath(abs)}: out of inotify watches (raise fs.inotify.max_user_watches)`
            : `cannot watch ${printablePath(abs)}: ${(err as Error).message}`,
        ),
      );
    }
  }

  private drop(path: string, w: Watch): void {
    w.fsw.close();
    this.watches.delete(path);
  }
}

function collectDirs(dir: LayerEntry, path: string, out: Map<string, string>): void {
  out.set(path, inodeKey(dir));
  for (const [name, child] of dir.children ?? [])
    if (child.type === 'dir') collectDirs(child, childPath(path, name), out);
}
