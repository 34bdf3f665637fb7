/**
 * Brings one path of the in-memory upper tree back in line with the disk.
 * A directory is listed again and every entry in it rescanned, so a child
 * the watcher never reported is found anyway; a directory that is new, or
 * was replaced by another of the same name (deleted and made again: a new
 * inode, now opaque), is scanned whole. Says which subtrees changed, so
 * that only those are classified again.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  baseName,
  childPath,
  entryAt,
  notedTooLong,
  parentPath,
  sameEntry,
  sameInode,
  scanEntry,
  scanLayer,
  withEntry,
  type LayerEntry,
} from '../../overlay/index.js';
import { fsPath } from '../../overlay/byte-path.js';

export interface Rescanned {
  root: LayerEntry;
  /** Paths whose entry or subtree changed (added, removed or different). */
  changed: string[];
  /** Directories scanned whole because they are new. */
  newDirs: string[];
  /**
   * Paths read whole in this call (files and the like found by listing a
   * directory, and directories scanned whole): a rescan of one of them, or
   * of anything under one, in the same flush would read the same again.
   */
  scanned: string[];
  /** Directories replaced by another of the same name (a new inode, which needs a new watch). */
  replacedDirs: string[];
}

function listNames(abs: string): string[] {
  try {
    return readdirSync(fsPath(abs), 'latin1');
  } catch (err) {
    // Removed (or replaced by a file) meanwhile: the next burst sees it gone.
    // Anything else must not read as "every entry deleted".
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || notedTooLong(abs, err)) return [];
    throw err;
  }
}

function wholeDir(abs: string, name: string): LayerEntry | undefined {
  try {
    return { ...scanLayer(abs), name };
  } catch {
    return undefined; // removed meanwhile
  }
}

/** Differs in anything classification or the stream looks at (a directory's size and mtime aside). */
function differs(a: LayerEntry | undefined, b: LayerEntry): boolean {
  return !a || !sameEntry(a, b);
}

/**
 * upperDir and path are byte strings (src/overlay/byte-path.ts).
 * deep: also rescan every entry the directory already had, all the way down
 * (a look again at a directory scanned whole, which may have changed before
 * it was watched).
 */
export function rescanPath(
  upperDir: string,
  root: LayerEntry,
  path: string,
  deep = false,
): Rescanned {
  // A path whose parent the tree does not know yet: rescan from the nearest known ancestor.
  if (path !== '/' && entryAt(root, parentPath(path))?.type !== 'dir') {
    return rescanPath(upperDir, root, parentPath(path), true);
  }
  const out: Rescanned = { root, changed: [], newDirs: [], replacedDirs: [], scanned: [] };
  const abs = path === '/' ? upperDir : join(upperDir, path);
  const old = entryAt(root, path);
  const now = scanEntry(abs, baseName(path));
  if (!now) {
    if (path !== '/' && old) {
      out.root = withEntry(root, path, undefined);
      out.changed.push(path);
    }
    return out;
  }
  if (now.type !== 'dir') {
    if (differs(old, now)) {
      out.root = withEntry(root, path, now);
      out.changed.push(path);
    }
    return out;
  }
  if (old?.type !== 'dir' || !sameInode(old, now)) {
    const whole = wholeDir(abs, now.name);
    out.scanned.push(path);
    (old?.type === 'dir' ? out.replacedDirs : out.newDirs).push(path);
    if (whole) out.root = withEntry(root, path, whole);
    out.changed.push(path);
    return out;
  }
  const children = new Map<string, LayerEntry>();
  const names = listNames(abs);
  const subdirs: string[] = [];
  for (const name of names) {
    const before = old.children?.get(name);
    // A name the tree knows keeps its entry: if it changed, its own
    // notification marks it dirty (a whiteout renamed over a file arrives as
    // a rename of that name). Only new names are read here, so a burst in a
    // big directory costs what changed, not what the directory holds.
    if (before && !deep) {
      children.set(name, before);
      continue;
    }
    const child = scanEntry(join(abs, name), name);
    if (!child) continue;
    const p = childPath(path, name);
    if (child.type !== 'dir') {
      children.set(name, child);
      out.scanned.push(p);
      if (differs(before, child)) out.changed.push(p);
    } else if (before?.type === 'dir' && sameInode(before, child)) {
      children.set(name, { ...child, children: before.children ?? new Map() });
      if (differs(before, child)) out.changed.push(p);
      subdirs.push(p);
    } else {
      const whole = wholeDir(join(abs, name), name);
      if (whole) children.set(name, whole);
      out.scanned.push(p);
      (before?.type === 'dir' ? out.replacedDirs : out.newDirs).push(p);
      out.changed.push(p);
    }
  }
  const present = new Set(names);
  for (const name of old.children?.keys() ?? []) {
    if (!present.has(name)) out.changed.push(childPath(path, name));
  }
  if (differs(old, now)) out.changed.push(path);
  out.root = withEntry(root, path, { ...now, children });
  // A look again goes all the way down: a subdirectory made in the same
  // burst as its parent may have been filled before it was watched.
  if (deep) {
    for (const sub of subdirs) {
      const r = rescanPath(upperDir, out.root, sub, true);
      out.root = r.root;
      out.changed.push(...r.changed);
      out.newDirs.push(...r.newDirs);
      out.replacedDirs.push(...r.replacedDirs);
      out.scanned.push(...r.scanned);
    }
  }
  return out;
}
