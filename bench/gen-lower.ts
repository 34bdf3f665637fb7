/**
 * The synthetic lower for the layer benchmarks: 100,000 files in 10,000
 * directories, written straight to disk (no tarball: the layer code only
 * ever sees an extracted lower). 100 top-level directories `dir-NN`, each
 * with 99 subdirectories `sub-NN` and 10 files; each subdirectory holds 10
 * files of 16 B to 2 KB. Generated once and cached in /tmp under a version
 * string (change LOWER_VERSION whenever the plan changes); it is built in
 * a temporary directory and renamed into place when whole, so an
 * interrupted generation is never mistaken for the real thing.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_DIR } from './gen-rootfs.js';
import { syncDisks } from './lib/sandbox.js';

export const LOWER_VERSION = 'lower-100k-v1';
export const TOP_DIRS = 100;
export const SUB_DIRS = 99;
export const FILES_PER_DIR = 10;

export interface SyntheticLower {
  path: string;
  version: string;
  files: number;
  dirs: number;
  dataBytes: number;
  generateMs?: number;
}

export const topName = (t: number): string => `dir-${String(t).padStart(2, '0')}`;
export const subName = (s: number): string => `sub-${String(s).padStart(2, '0')}`;
export const fileName = (f: number): string => `file-${f}.dat`;

/** Container path of a file: top t, subdirectory s (undefined: the top directory itself), file f. */
export function lowerFile(t: number, s: number | undefined, f: number): string {
  return s === undefined
    ? `/${topName(t)}/${fileName(f)}`
    : `/${topName(t)}/${subName(s)}/${fileName(f)}`;
}

/** Sizes from 16 B to 2 KB, deterministic (no PRNG needed: a hash of the position). */
function sizeOf(index: number): number {
  const h = Math.imul(index ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  return 16 + (h % 2033);
}

function generate(dest: string): Omit<SyntheticLower, 'path' | 'version'> {
  const pattern = Buffer.alloc(2048);
  for (let i = 0; i < pattern.length; i++) pattern[i] = 0x20 + (i % 95);
  let files = 0;
  let dirs = 0;
  let dataBytes = 0;
  const fill = (dir: string): void => {
    for (let f = 0; f < FILES_PER_DIR; f++) {
      const size = sizeOf(files);
      writeFileSync(join(dir, fileName(f)), pattern.subarray(0, size));
      files++;
      dataBytes += size;
    }
  };
  mkdirSync(dest, { mode: 0o755 });
  for (let t = 0; t < TOP_DIRS; t++) {
    const top = join(dest, topName(t));
    mkdirSync(top);
    dirs++;
    fill(top);
    for (let s = 0; s < SUB_DIRS; s++) {
      const sub = join(top, subName(s));
      mkdirSync(sub);
      dirs++;
      fill(sub);
    }
    if (t % 10 === 9) process.stderr.write('.');
  }
  process.stderr.write('\n');
  return { files, dirs, dataBytes };
}

/** The cached lower, generated first if this version is not there yet. */
export function ensureSyntheticLower(): SyntheticLower {
  const path = join(CACHE_DIR, LOWER_VERSION);
  const metaFile = `${path}.json`;
  if (existsSync(path) && existsSync(metaFile)) {
    return JSON.parse(readFileSync(metaFile, 'utf8')) as SyntheticLower;
  }
  mkdirSync(CACHE_DIR, { recursive: true, mode: 0o700 });
  rmSync(path, { recursive: true, force: true });
  const tmp = `${path}.tmp-${process.pid}`;
  process.stderr.write(`generating ${path} (once; cached for later runs) `);
  const t0 = performance.now();
  try {
    const info = generate(tmp);
    syncDisks();
    renameSync(tmp, path);
    const meta: SyntheticLower = {
      path,
      version: LOWER_VERSION,
      ...info,
      generateMs: performance.now() - t0,
    };
    writeFileSync(metaFile, `${JSON.stringify(meta, null, 2)}\n`);
    return meta;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
