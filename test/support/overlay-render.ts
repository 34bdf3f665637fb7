/**
 * The merged view as text, path -> "type mode owner size nlink [target|rdev]",
 * computed (from the model) or read (from a real mount with readdir and
 * lstat), so the two can be compared line by line. Times and inode numbers
 * are left out: they are not what the model decides.
 */
import { lstatSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { LayerEntry } from '../../src/overlay/layer-entry.js';
import type { EntryType } from '../../src/overlay/layer-entry.js';
import { walkMerged, type MergedView } from '../../src/overlay/merged-view.js';

export const GHOST = 'ghost (listed, lstat ENOENT)';

function line(e: Omit<LayerEntry, 'name' | 'ino' | 'mtimeMs'>, nlink: number): string {
  const parts = [
    e.type,
    e.mode.toString(8),
    `${e.uid}:${e.gid}`,
    `size=${e.size}`,
    `nlink=${nlink}`,
  ];
  if (e.target !== undefined) parts.push(`-> ${e.target}`);
  if (e.rdev) parts.push(`rdev=${e.rdev.major}:${e.rdev.minor}`);
  return parts.join(' ');
}

export function renderMerged(view: MergedView): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of walkMerged(view.root)) {
    out.set(m.path, line(m.top.entry, m.nlink));
    for (const g of m.ghosts ?? []) out.set(m.path === '/' ? `/${g}` : `${m.path}/${g}`, GHOST);
  }
  return out;
}

// The kernel's side worked out here, not with the scanner's own helpers:
// a bug in those would otherwise show the same on both sides.
function kernelType(st: Stats): EntryType {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  return st.isFIFO() ? 'fifo' : 'socket';
}

/** glibc's gnu_dev_major/minor. */
function kernelDev(rdev: number): { major: number; minor: number } {
  const d = BigInt(rdev);
  return {
    major: Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & 0xfffff000n)),
    minor: Number((d & 0xffn) | ((d >> 12n) & 0xffffff00n)),
  };
}

function statLine(st: Stats, abs: string): string {
  const type = kernelType(st);
  const e = {
    type,
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    size: st.size,
    nlink: st.nlink,
    ...(type === 'symlink' && { target: readlinkSync(abs, 'utf8') }),
    ...((type === 'char' || type === 'block') && { rdev: kernelDev(st.rdev) }),
  };
  return line(e, st.nlink);
}

/** What the kernel shows under a mount point. */
export function readKernelTree(mountPoint: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (abs: string, path: string): void => {
    let st: Stats;
    try {
      st = lstatSync(abs);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      out.set(path, GHOST);
      return;
    }
    out.set(path, statLine(st, abs));
    if (!st.isDirectory()) return;
    for (const name of readdirSync(abs).sort()) {
      walk(join(abs, name), path === '/' ? `/${name}` : `${path}/${name}`);
    }
  };
  walk(mountPoint, '/');
  return out;
}

/** "- path: expected" / "+ path: actual" lines where two renderings differ. */
export function diffTrees(model: Map<string, string>, kernel: Map<string, string>): string[] {
  const paths = [...new Set([...model.keys(), ...kernel.keys()])].sort();
  const out: string[] = [];
  for (const p of paths) {
    const m = model.get(p);
    const k = kernel.get(p);
    if (m === k) continue;
    out.push(`  ${p}\n    model:  ${m ?? '(absent)'}\n    kernel: ${k ?? '(absent)'}`);
  }
  return out;
}
