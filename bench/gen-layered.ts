/**
 * A generated layered image at the scale where dive gives up: 20 layer
 * directories, already in the kernel's form (whiteouts as 0/0 character
 * devices, opaque directories marked trusted.overlay.opaque=y), 1,000,000
 * files in all. Layer 1 is a base of 400,000 files (4,000 directories of
 * 100); each of layers 2-20 rewrites 10,000 of the base's files, adds
 * 21,600 files in 216 new directories, deletes 40 files and 5 directories
 * of the base and one directory of the layer below with whiteouts, and empties one base directory (opaque) with
 * 10 new files in it. Deterministic, cached in /tmp under a version string,
 * built in a temporary directory and renamed into place when whole.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setAttributeSync } from '@napi-rs/xattr';
import { CACHE_DIR } from './gen-rootfs.js';
import { syncDisks } from './lib/sandbox.js';

export const LAYERED_VERSION = 'layered-1m-20-v2';
export const LAYERS = 20;
const BASE_DIRS = 4000;
const PER_DIR = 100;
const REWRITES = 10_000; // 100 base directories' files, per upper layer
const NEW_DIRS = 216;
const FILE_WHITEOUTS = 40;
const DIR_WHITEOUTS = 5;

export interface LayeredImageDirs {
  /** Layer directories, bottom first. */
  dirs: string[];
  version: string;
  files: number;
  whiteouts: number;
  dataBytes: number;
  generateMs?: number;
}

const baseDir = (d: number): string => `d${String(d).padStart(4, '0')}`;
const fileName = (f: number): string => `f${String(f).padStart(2, '0')}`;

/** 16 B to 1 KiB, from the position (no PRNG needed). */
function sizeOf(layer: number, index: number): number {
  const h = Math.imul((index + layer * 7919) ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  return 16 + (h % 1009);
}

function generate(root: string): Omit<LayeredImageDirs, 'dirs' | 'version'> {
  const pattern = Buffer.alloc(1024, 0x61);
  let files = 0;
  let whiteouts = 0;
  let dataBytes = 0;
  const write = (path: string, layer: number): void => {
    const size = sizeOf(layer, files);
    writeFileSync(path, pattern.subarray(0, size));
    files++;
    dataBytes += size;
  };
  const mknods: string[] = [];
  for (let k = 1; k <= LAYERS; k++) {
    const layer = join(root, `L${String(k).padStart(2, '0')}`);
    mkdirSync(layer);
    if (k === 1) {
      for (let d = 0; d < BASE_DIRS; d++) {
        const dir = join(layer, baseDir(d));
        mkdirSync(dir);
        for (let f = 0; f < PER_DIR; f++) write(join(dir, fileName(f)), k);
      }
    } else {
      // Rewrites: 100 of the base's first 2,000 directories, a stretch per
      // layer that overlaps the last layer's by 25 (which wastes its bytes too).
      for (let j = 0; j < REWRITES / PER_DIR; j++) {
        const dir = join(layer, baseDir((k * 75 + j) % 2000));
        mkdirSync(dir);
        for (let f = 0; f < PER_DIR; f++) write(join(dir, fileName(f)), k);
      }
      for (let n = 0; n < NEW_DIRS; n++) {
        const dir = join(layer, `n${k}-${n}`);
        mkdirSync(dir);
        for (let f = 0; f < PER_DIR; f++) write(join(dir, fileName(f)), k);
      }
      // Deletes: files and whole directories of the base, away from the rewrites.
      for (let w = 0; w < FILE_WHITEOUTS; w++) {
        const d = 2000 + k * 40 + (w % 10);
        const dir = join(layer, baseDir(d));
        if (!existsSync(dir)) mkdirSync(dir);
        mknods.push(join(dir, fileName(w)));
      }
      for (let w = 0; w < DIR_WHITEOUTS; w++) mknods.push(join(layer, baseDir(3000 + k * 20 + w)));
      // And a directory the layer below added.
      if (k > 2) mknods.push(join(layer, `n${k - 1}-0`));
      const opaque = join(layer, baseDir(3500 + k));
      mkdirSync(opaque);
      setAttributeSync(opaque, 'trusted.overlay.opaque', 'y');
      for (let f = 0; f < 10; f++) write(join(opaque, fileName(f)), k);
    }
    process.stderr.write('.');
  }
  // Node cannot mknod: one shell for all of them.
  const script = mknods.map((p) => `mknod '${p}' c 0 0`).join('\n');
  execFileSync('sh', ['-e'], { input: script });
  whiteouts = mknods.length;
  process.stderr.write('\n');
  return { files, whiteouts, dataBytes };
}

/** The cached image, generated first if this version is not there yet (about a minute and 1.5 GB). */
export function ensureLayeredImage(): LayeredImageDirs {
  const path = join(CACHE_DIR, LAYERED_VERSION);
  const metaFile = `${path}.json`;
  if (existsSync(path) && existsSync(metaFile)) {
    return JSON.parse(readFileSync(metaFile, 'utf8')) as LayeredImageDirs;
  }
  mkdirSync(CACHE_DIR, { recursive: true, mode: 0o700 });
  rmSync(path, { recursive: true, force: true });
  const tmp = `${path}.tmp-${process.pid}`;
  process.stderr.write(`generating ${path} (once; cached for later runs) `);
  const t0 = performance.now();
  try {
    mkdirSync(tmp);
    const info = generate(tmp);
    syncDisks();
    renameSync(tmp, path);
    const dirs = Array.from({ length: LAYERS }, (_, i) =>
      join(path, `L${String(i + 1).padStart(2, '0')}`),
    );
    const meta: LayeredImageDirs = {
      dirs,
      version: LAYERED_VERSION,
      ...info,
      generateMs: performance.now() - t0,
    };
    writeFileSync(metaFile, `${JSON.stringify(meta, null, 2)}\n`);
    return meta;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
