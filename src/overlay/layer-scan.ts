/**
 * Scans a layer directory (a lower, an upper) into a LayerEntry tree. This
 * is the model's only I/O: lstat, readdir, readlink and the overlay xattrs,
 * which must be read here, on the layer, because the mount hides them.
 * Everything else in src/overlay works on the data this returns.
 */
import { lstatSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { getAttributeSync, listAttributesSync } from '@napi-rs/xattr';
import { childPath, type EntryType, type LayerEntry } from './layer-entry.js';
import { parseOverlayXattrs } from './overlay-xattrs.js';

/** Linux's dev_t split (glibc's gnu_dev_major/minor), for device nodes' rdev. */
export function splitDev(dev: number): { major: number; minor: number } {
  const d = BigInt(dev);
  // 32-bit masks, as glibc's: the minor's high bits sit below bit 32, the major's above.
  const major = ((d >> 8n) & 0xfffn) | ((d >> 32n) & 0xfffff000n);
  const minor = (d & 0xffn) | ((d >> 12n) & 0xffffff00n);
  return { major: Number(major), minor: Number(minor) };
}

export function entryType(st: Stats): EntryType {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isFIFO()) return 'fifo';
  return 'socket';
}

/** The entry for one lstat result (pure; target and xattrs are read separately). */
function statToEntry(name: string, st: Stats): LayerEntry {
  const type = entryType(st);
  const entry: LayerEntry = {
    name,
    type,
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    size: st.size,
    mtimeMs: st.mtimeMs,
    ino: st.ino,
    nlink: st.nlink,
  };
  if (st.birthtimeMs > 0) entry.btimeMs = st.birthtimeMs;
  if (type === 'char' || type === 'block') entry.rdev = splitDev(st.rdev);
  if (type === 'dir') entry.children = new Map();
  return entry;
}

// @napi-rs/xattr reports errno only in its message: "... (os error 2)".
function isNotFound(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e.code === 'ENOENT' || /\(os error 2\)$/.test(e.message ?? '');
}

// llistxattr/lgetxattr (the package does not follow symlinks). A file
// system without xattrs has no overlay xattrs: not an error.
function readXattrs(abs: string): LayerEntry['xattrs'] {
  let names: string[];
  try {
    names = listAttributesSync(abs);
  } catch (err) {
    if (isNotFound(err)) throw err;
    return undefined;
  }
  if (!names.some((n) => n.includes('.overlay.'))) return undefined;
  return parseOverlayXattrs(names, (n) => getAttributeSync(abs, n));
}

/**
 * One entry, without its children: lstat, link target and xattrs.
 * Undefined if it vanished meanwhile (an upper changes under a running container).
 */
export function scanEntry(abs: string, name: string): LayerEntry | undefined {
  try {
    const entry = statToEntry(name, lstatSync(abs));
    if (entry.type === 'symlink') entry.target = readlinkSync(abs, 'utf8');
    const xattrs = readXattrs(abs);
    if (xattrs) entry.xattrs = xattrs;
    return entry;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw new Error(`scan ${abs}: ${(err as Error).message}`, { cause: err });
  }
}

interface ScanOptions {
  /** Called for every entry scanned, with its path in the layer ('/a/b'). */
  onEntry?: (path: string, entry: LayerEntry) => void;
}

/**
 * The whole tree under a layer directory (or under one of its directories,
 * to rescan what a watcher saw change). Iterative, so a deep image cannot
 * overflow the stack. Throws if dir itself cannot be read.
 */
export function scanLayer(dir: string, opts: ScanOptions = {}): LayerEntry {
  const root = scanEntry(dir, '');
  if (!root) throw new Error(`scan ${dir}: no such directory`);
  if (root.type !== 'dir') throw new Error(`scan ${dir}: not a directory`);
  opts.onEntry?.('/', root);
  const pending: { abs: string; path: string; entry: LayerEntry }[] = [
    { abs: dir, path: '/', entry: root },
  ];
  for (let next = pending.pop(); next; next = pending.pop()) {
    for (const name of listNames(next.abs)) {
      const abs = join(next.abs, name);
      const child = scanEntry(abs, name);
      if (!child) continue;
      const path = childPath(next.path, name);
      next.entry.children?.set(name, child);
      opts.onEntry?.(path, child);
      if (child.type === 'dir') pending.push({ abs, path, entry: child });
    }
  }
  return root;
}

function listNames(abs: string): string[] {
  try {
    return readdirSync(abs).sort();
  } catch (err) {
    if (isNotFound(err)) return [];
    throw new Error(`scan ${abs}: ${(err as Error).message}`, { cause: err });
  }
}
