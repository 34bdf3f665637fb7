/**
 * Scans a layer directory (a lower, an upper) into a LayerEntry tree. This
 * is the model's only I/O: lstat, readdir, readlink and the overlay xattrs,
 * which must be read here, on the layer, because the mount hides them.
 * Everything else in src/overlay works on the data this returns.
 *
 * Every path here, given or returned, is a byte string (byte-path.ts):
 * names are read as bytes ('latin1'), so none is lost or merged with
 * another, and turned back into bytes for each call.
 */
import {
  closeSync,
  constants,
  lstatSync,
  openSync,
  readdirSync,
  readlinkSync,
  type Stats,
} from 'node:fs';
import { getAttributeSync, listAttributesSync } from '@napi-rs/xattr';
import { fsPath, utf8Text } from './byte-path.js';
import { childPath, type EntryType, type LayerEntry } from './layer-entry.js';
import { parseOverlayXattrs } from './overlay-xattrs.js';
import { printablePath } from './printable-path.js';

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

/**
 * A tree can be deeper than a path may be long (PATH_MAX, 4096 bytes on
 * Linux): a container's `while mkdir d && cd d` makes one. Node reads only
 * by path, so what lies below that depth cannot be read. It is left out of
 * the scan, as if it were not there, instead of failing the whole scan (a
 * `diff` or a watch with nothing at all); the first such path is kept for
 * the caller, which says so in one line (tooLongMessage).
 */
let firstTooLong: string | undefined;

/** The first path left out for being too long since the last call, if any. */
export function takePathTooLong(): string | undefined {
  const abs = firstTooLong;
  firstTooLong = undefined;
  return abs;
}

/** True (and the path noted) if err is ENAMETOOLONG. */
export function notedTooLong(abs: string, err: unknown): boolean {
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  const tooLong =
    e.code === 'ENAMETOOLONG' ||
    e.cause?.code === 'ENAMETOOLONG' ||
    /\(os error 36\)$/.test(e.message ?? '');
  if (tooLong) firstTooLong ??= abs;
  return tooLong;
}

/** One line about a path left out: its start and end, and how long it is. */
export function tooLongMessage(abs: string): string {
  // abs is a byte string: one char per byte.
  const shown = abs.length > 100 ? `${abs.slice(0, 60)}...${abs.slice(-30)}` : abs;
  return `${printablePath(shown)}: a path of ${abs.length} bytes, longer than Linux takes (4095): nothing below it is shown`;
}

// @napi-rs/xattr reports errno only in its message: "... (os error 2)".
function isNotFound(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e.code === 'ENOENT' || /\(os error 2\)$/.test(e.message ?? '');
}

// llistxattr/lgetxattr (the package does not follow symlinks). A file
// system without xattrs has no overlay xattrs: not an error. `at` is what
// fsPath(abs) gave: a string when the path is ASCII (nearly always).
function readXattrs(abs: string, at: string | Buffer, isDir: boolean): LayerEntry['xattrs'] {
  if (typeof at === 'string') return readXattrsAt(at);
  const text = utf8Text(abs);
  if (text !== undefined) return readXattrsAt(text);
  // The package takes paths as text only: a path that is not UTF-8 is
  // reached through a descriptor, /proc/self/fd/N/NAME (its directory's)
  // or, for a directory whose own name is not UTF-8, /proc/self/fd/N/.
  // (itself). Neither follows a symlink at the end.
  const slash = abs.lastIndexOf('/');
  const name = utf8Text(abs.slice(slash + 1));
  if (name === undefined && !isDir) return undefined; // no way to name it: not read
  const dir = name === undefined ? abs : abs.slice(0, slash) || '/';
  const fd = openSync(
    fsPath(dir),
    constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW,
  );
  try {
    return readXattrsAt(`/proc/self/fd/${fd}/${name ?? '.'}`);
  } finally {
    closeSync(fd);
  }
}

function readXattrsAt(path: string): LayerEntry['xattrs'] {
  let names: string[];
  try {
    names = listAttributesSync(path);
  } catch (err) {
    if (isNotFound(err)) throw err;
    return undefined;
  }
  if (!names.some((n) => n.includes('.overlay.'))) return undefined;
  return parseOverlayXattrs(names, (n) => getAttributeSync(path, n));
}

/**
 * One entry, without its children: lstat, link target and xattrs.
 * Undefined if it vanished meanwhile (an upper changes under a running container).
 */
export function scanEntry(abs: string, name: string): LayerEntry | undefined {
  try {
    const at = fsPath(abs);
    const entry = statToEntry(name, lstatSync(at));
    if (entry.type === 'symlink') entry.target = readlinkSync(at, 'latin1');
    const xattrs = readXattrs(abs, at, entry.type === 'dir');
    if (xattrs) entry.xattrs = xattrs;
    return entry;
  } catch (err) {
    if (isNotFound(err) || notedTooLong(abs, err)) return undefined;
    throw new Error(`scan ${printablePath(abs)}: ${(err as Error).message}`, { cause: err });
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
  if (!root) throw new Error(`scan ${printablePath(dir)}: no such directory`);
  if (root.type !== 'dir') throw new Error(`scan ${printablePath(dir)}: not a directory`);
  opts.onEntry?.('/', root);
  const pending: { abs: string; path: string; entry: LayerEntry }[] = [
    { abs: dir, path: '/', entry: root },
  ];
  for (let next = pending.pop(); next; next = pending.pop()) {
    for (const name of listNames(next.abs)) {
      const abs = `${next.abs}/${name}`;
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
    return readdirSync(fsPath(abs), 'latin1').sort();
  } catch (err) {
    if (isNotFound(err) || notedTooLong(abs, err)) return [];
    throw new Error(`scan ${printablePath(abs)}: ${(err as Error).message}`, { cause: err });
  }
}
