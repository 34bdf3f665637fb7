/**
 * The merged view as text, path -> "type mode owner size nlink [target|rdev]",
 * computed (from the model) or read (from a real mount with readdir and
 * lstat), so the two can be compared line by line. Times and inode numbers
 * are left out: they are not what the model decides.
 */
import { lstatSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { LayerEntry } from '../../src/overlay/layer-entry.js';
import { entryType, splitDev } from '../../src/overlay/layer-scan.js';
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

function statLine(st: Stats, abs: string): string {
  const type = entryType(st);
  const e = {
    type,
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    size: st.size,
    nlink: st.nlink,
    ...(type === 'symlink' && { target: readlinkSync(abs, 'utf8') }),
    ...((type === 'char' || type === 'block') && { rdev: splitDev(st.rdev) }),
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
