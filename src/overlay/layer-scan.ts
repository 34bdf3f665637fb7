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
  const bytes = Buffer.byteLength(abs);
  const shown = abs.length > 100 ? `${abs.slice(0, 60)}...${abs.slice(-30)}` : abs;
  const safe = shown.replace(
    // eslint-disable-next-line no-control-regex
    /[\x00-\x1f\x7f\\]/g,
    (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`,
  );
  return `${safe}: a path of ${bytes} bytes, longer than Linux takes (4095): nothing below it is shown`;
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
    if (isNotFound(err) || notedTooLong(abs, err)) return undefined;
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
    if (isNotFound(err) || notedTooLong(abs, err)) return [];
    throw new Error(`scan ${abs}: ${(err as Error).message}`, { cause: err });
  }
}
