/**
 * The two versions of one path the inspector compares: upper's entry and
 * the lower entry it relates to (the one it was copied from, hides or
 * replaces; else the topmost lower entry at the same path), with the
 * contents of regular files up to READ_CAP. This is the inspector's I/O,
 * kept here so that the UI only draws what it is given.
 *
 * The container is root and writes its upper while we read: a directory on
 * the way may have become a symlink since the scan, and a file a fifo. So
 * the parent must still resolve inside the layer, and files are opened with
 * O_NOFOLLOW | O_NONBLOCK and checked with fstat before any read.
 */
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import {
  baseName,
  isMetacopy,
  scanEntry,
  type LayerEntry,
  type LayerId,
  type XattrNamespace,
} from '../../overlay/index.js';
import { bytesOf, fsPath } from '../../overlay/byte-path.js';
import type { ClassifiedLayers } from './classify-container.js';

const READ_CAP = 256 * 1024;

export type Content =
  | { kind: 'text'; text: string }
  | { kind: 'binary' }
  | { kind: 'too-large' }
  /** A metacopy file: upper holds only metadata, the data is lower's. */
  | { kind: 'in-lower' }
  | { kind: 'unreadable'; why: string };

export interface Version {
  layer: LayerId;
  /** The path in that layer (a lower's differs under a renamed directory). */
  path: string;
  entry: LayerEntry;
  /** Regular files only. */
  content?: Content;
}

export interface Versions {
  path: string;
  upper?: Version;
  lower?: Version;
}

/**
 * The absolute path of a layer entry, or undefined if its parent leads out
 * of the layer. layerDir is text, path and the result byte strings (byte-path.ts).
 */
export function insideLayer(layerDir: string, path: string): string | undefined {
  const dir = bytesOf(layerDir);
  const abs = join(dir, path);
  if (abs === join(dir, '/')) return dir; // the layer's root itself
  try {
    const root = realpathSync(fsPath(dir), 'latin1');
    const parent = realpathSync(fsPath(dirname(abs)), 'latin1');
    if (parent !== root && !parent.startsWith(root + sep)) return undefined;
  } catch {
    return undefined; // gone meanwhile
  }
  return abs;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** abs: a byte string (byte-path.ts). */
export function readContent(abs: string, cap = READ_CAP): Content {
  let fd: number;
  try {
    fd = openSync(fsPath(abs), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    return { kind: 'unreadable', why: (err as NodeJS.ErrnoException).code ?? String(err) };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { kind: 'unreadable', why: 'no longer a regular file' };
    if (st.size > cap) return { kind: 'too-large' };
    // One byte over the cap tells a file that grew since the fstat.
    const buf = Buffer.alloc(cap + 1);
    let got = 0;
    for (;;) {
      const n = readSync(fd, buf, got, buf.length - got, got);
      got += n;
      if (n === 0 || got === buf.length) break;
    }
    if (got > cap) return { kind: 'too-large' };
    const data = buf.subarray(0, got);
    if (data.includes(0)) return { kind: 'binary' };
    try {
      return { kind: 'text', text: decoder.decode(data) };
    } catch {
      return { kind: 'binary' }; // not UTF-8
    }
  } finally {
    closeSync(fd);
  }
}

function version(layerDir: string, layer: LayerId, path: string, ns: XattrNamespace) {
  const abs = insideLayer(layerDir, path);
  const entry = abs ? scanEntry(abs, baseName(path)) : undefined;
  if (!abs || !entry) return undefined;
  delete entry.children; // the inspector shows the entry, not a listing
  const v: Version = { layer, path, entry };
  if (entry.type === 'file') {
    // A metacopy upper file is sparse: its bytes are not the data.
    v.content = isMetacopy(entry, ns) ? { kind: 'in-lower' } : readContent(abs);
  }
  return v;
}

/** The topmost lower layer holding path, as the kernel's lookup would meet it first. */
function topmostLower(
  lowerDirs: readonly string[],
  path: string,
  ns: XattrNamespace,
): Version | undefined {
  for (const [layer, dir] of lowerDirs.entries()) {
    const v = version(dir, layer, path, ns);
    if (v) return v;
  }
  return undefined;
}

export function readVersions(
  upperDir: string,
  lowerDirs: readonly string[],
  layers: ClassifiedLayers,
  path: string,
): Versions {
  const out: Versions = { path };
  const ns = layers.view.ns;
  const change = layers.states.get(path)?.change;
  if (change) {
    const upper = version(upperDir, 'upper', path, ns);
    if (upper) out.upper = upper;
  }
  const place = change?.lower;
  const lowerDir = place ? lowerDirs[place.layer] : undefined;
  const lower =
    place && lowerDir !== undefined
      ? version(lowerDir, place.layer, place.path, ns)
      : topmostLower(lowerDirs, change?.originPath ?? path, ns);
  if (lower) out.lower = lower;
  return out;
}
