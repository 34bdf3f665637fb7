/**
 * The layer model's plain data: one directory tree per layer, as scanned
 * from disk (layer-scan.ts) or built by hand in tests. Pure: no I/O.
 */

export type EntryType = 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket';

/** Where overlayfs keeps its xattrs: `trusted.overlay.*`, or `user.overlay.*` with `userxattr`. */
export type XattrNamespace = 'trusted' | 'user';

/**
 * The overlay xattrs of one entry, read on the layer itself (the mount hides
 * them). Binary values (origin, metacopy) are hex; '' means "present, empty".
 */
export interface OverlayXattrs {
  /** 'y': opaque directory; 'x': a lower directory that may hold xattr whiteouts. */
  opaque?: string;
  /** A renamed directory (or metacopy file): the lower path it came from. */
  redirect?: string;
  /** Set on copy-up: a file handle of the lower inode ('' = origin unknown). */
  origin?: string;
  /** The data is still in a lower layer; only metadata was copied up. */
  metacopy?: string;
  /** Present on an xattr whiteout (a zero-size file). */
  whiteout?: true;
  /** A directory holding copied-up or moved entries (for inode numbers). */
  impure?: string;
}

export interface LayerEntry {
  name: string;
  type: EntryType;
  /** Permission bits with setuid, setgid and sticky (mode & 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtimeMs: number;
  ino: number;
  /**
   * Birth time (statx btime), where the filesystem keeps one. With ino it
   * tells a directory made anew from the one deleted just before it, whose
   * inode number ext4 hands out again at once.
   */
  btimeMs?: number;
  nlink: number;
  /** Character and block devices only (a whiteout is a character device 0/0). */
  rdev?: { major: number; minor: number };
  /** Symlinks only. */
  target?: string;
  /** Only the namespaces that hold at least one overlay xattr. */
  xattrs?: Partial<Record<XattrNamespace, OverlayXattrs>>;
  /** Directories only: children by name. */
  children?: Map<string, LayerEntry>;
}

/** The same inode, not just the same inode number (see LayerEntry.btimeMs). */
export function sameInode(a: LayerEntry, b: LayerEntry): boolean {
  return a.ino === b.ino && a.btimeMs === b.btimeMs;
}

/**
 * The same entry as far as the layer model and the stream care: type,
 * inode, mode, owner, link target, overlay xattrs, and for all but
 * directories size and mtime (a directory's move with every child added
 * or removed: not a change of its own).
 */
export function sameEntry(a: LayerEntry, b: LayerEntry): boolean {
  if (a.type !== b.type || !sameInode(a, b) || a.mode !== b.mode) return false;
  if (a.uid !== b.uid || a.gid !== b.gid || a.target !== b.target) return false;
  if (JSON.stringify(a.xattrs) !== JSON.stringify(b.xattrs)) return false;
  return a.type === 'dir' || (a.size === b.size && a.mtimeMs === b.mtimeMs);
}

/** A string naming an entry's inode as sameInode() compares it. */
export function inodeKey(e: LayerEntry): string {
  return `${e.ino}:${e.btimeMs ?? ''}`;
}

/** A layer in a stack: 'upper', or the index of a lower (0 = topmost, as in lowerdir=top:...:bottom). */
export type LayerId = 'upper' | number;

/** The layers of one overlay mount, as trees. */
export interface OverlayStack {
  /** Absent for a read-only overlay (lowers only). */
  upper?: LayerEntry;
  /** Lower layer roots, topmost first; at least one. */
  lowers: LayerEntry[];
}

/** An entry inside a layer: the layer, its path there ('/a/b'), and the entry. */
export interface LayerRef {
  layer: LayerId;
  path: string;
  entry: LayerEntry;
}

export function layerName(id: LayerId, lowerCount = 2): string {
  if (id === 'upper') return 'upper';
  return lowerCount === 1 ? 'lower' : `lower${id}`;
}

export function childPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

/** The directory holding path: '/a' for '/a/b', '/' for '/a' (and for '/'). */
export function parentPath(path: string): string {
  return path.slice(0, path.lastIndexOf('/')) || '/';
}

/** The last component of path: 'b' for '/a/b', '' for '/'. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** True if path is root or lies under it. */
export function isAtOrUnder(path: string, root: string): boolean {
  return root === '/' || path === root || path.startsWith(`${root}/`);
}

/** The components of '/a/b' (none for '/'). */
export function pathParts(path: string): string[] {
  return path.split('/').filter((p) => p !== '');
}

/** The entry at path ('/a/b') in a layer tree, without following symlinks. */
export function entryAt(root: LayerEntry, path: string): LayerEntry | undefined {
  let cur: LayerEntry | undefined = root;
  for (const part of pathParts(path)) cur = cur?.children?.get(part);
  return cur;
}

/** Every entry of a tree with its path, parents before children, names in sorted order. */
export function* walkEntries(
  root: LayerEntry,
  path = '/',
): Generator<{ path: string; entry: LayerEntry; parent?: LayerEntry }> {
  yield { path, entry: root };
  yield* walkChildren(root, path);
}

function* walkChildren(
  dir: LayerEntry,
  path: string,
): Generator<{ path: string; entry: LayerEntry; parent: LayerEntry }> {
  if (!dir.children) return;
  for (const name of [...dir.children.keys()].sort()) {
    const entry = dir.children.get(name);
    if (!entry) continue;
    const p = childPath(path, name);
    yield { path: p, entry, parent: dir };
    yield* walkChildren(entry, p);
  }
}

/**
 * A copy of root with the entry at path replaced (or removed when entry is
 * undefined); the watcher uses it to swap in a rescanned subtree. Only the
 * directories on the way are copied. Throws if a parent is missing.
 */
export function withEntry(
  root: LayerEntry,
  path: string,
  entry: LayerEntry | undefined,
): LayerEntry {
  const parts = pathParts(path);
  const last = parts.pop();
  if (last === undefined) {
    if (!entry) throw new Error('cannot remove a layer root');
    return entry;
  }
  // Iterative, the path split once: a tree 2,000 deep (the most a path can
  // name) overflowed the stack, and re-splitting at each level made every
  // rescan of it cubic.
  const onTheWay: LayerEntry[] = [];
  let dir = root;
  for (const name of parts) {
    const child = dir.children?.get(name);
    if (!child?.children) throw new Error(`no directory ${name} on the way to ${path}`);
    onTheWay.push(dir);
    dir = child;
  }
  const children = new Map(dir.children);
  if (entry) children.set(last, { ...entry, name: last });
  else children.delete(last);
  let copy: LayerEntry = { ...dir, children };
  for (let i = parts.length - 1; i >= 0; i--) {
    const parent = onTheWay[i] as LayerEntry;
    const siblings = new Map(parent.children);
    siblings.set(parts[i] as string, copy);
    copy = { ...parent, children: siblings };
  }
  return copy;
}
