/**
 * The synthetic layered image for the layer-stack UI benchmark: LAYERS
 * layer directories (as the store extracts them: whiteouts as char 0/0,
 * opaque directories with trusted.overlay.opaque=y), FILES files in all.
 * Layer k (1 = bottom) holds /usr/share/pkg-k-NN/ directories of files,
 * /etc/conf-k, and changes what the layers below made: it rewrites the
 * previous layer's /etc/conf, deletes one of its packages (a whiteout),
 * and makes /var/cache opaque with one file of its own. Generated once
 * and cached in /tmp under a version string, built in a temporary
 * directory and renamed into place when whole.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setAttributeSync } from '@napi-rs/xattr';
import { CACHE_DIR } from './gen-rootfs.js';

export const LAYERS_VERSION = 'layers-v1';
const PKGS_PER_LAYER = 50;

export interface SyntheticLayers {
  /** Layer directories, topmost first (as lowerdir lists them). */
  lowers: string[];
  files: number;
  generateMs?: number;
}

const pkg = (k: number, p: number) => `pkg-${k}-${String(p).padStart(2, '0')}`;

function writeLayer(dir: string, k: number, filesPerPkg: number): number {
  let files = 0;
  const share = join(dir, 'usr', 'share');
  for (let p = 0; p < PKGS_PER_LAYER; p++) {
    const d = join(share, pkg(k, p));
    mkdirSync(d, { recursive: true });
    for (let f = 0; f < filesPerPkg; f++) {
      writeFileSync(join(d, `file-${f}.txt`), `layer ${k} package ${p} file ${f}\n`);
      files++;
    }
  }
  mkdirSync(join(dir, 'etc'), { recursive: true });
  writeFileSync(join(dir, 'etc', `conf-${k}`), `made by layer ${k}\n`);
  writeFileSync(join(dir, 'etc', 'conf'), `conf as layer ${k} left it\n`);
  mkdirSync(join(dir, 'bin'), { recursive: true });
  writeFileSync(join(dir, 'bin', `tool-${k}`), `#!/bin/sh\necho ${k}\n`);
  const cache = join(dir, 'var', 'cache');
  mkdirSync(cache, { recursive: true });
  writeFileSync(join(cache, `only-${k}`), `${k}\n`);
  files += 4;
  if (k > 1) {
    // The package the layer below made first: deleted here.
    execFileSync('mknod', [join(share, pkg(k - 1, 0)), 'c', '0', '0']);
    setAttributeSync(cache, 'trusted.overlay.opaque', 'y');
  }
  return files;
}

/** The layers, made if the cache does not hold them yet. */
export function syntheticLayers(layers = 20, totalFiles = 100_000): SyntheticLayers {
  const filesPerPkg = Math.max(1, Math.round((totalFiles / layers - 4) / PKGS_PER_LAYER));
  const name = `${LAYERS_VERSION}-${layers}x${filesPerPkg * PKGS_PER_LAYER + 4}`;
  const path = join(CACHE_DIR, name);
  const lowers = Array.from({ length: layers }, (_, i) => join(path, `layer-${layers - i}`));
  const files = layers * (filesPerPkg * PKGS_PER_LAYER + 4);
  if (existsSync(path)) return { lowers, files };
  const started = performance.now();
  const tmp = `${path}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  for (let k = 1; k <= layers; k++) {
    process.stderr.write(`gen layers: layer ${k}/${layers}\n`);
    writeLayer(join(tmp, `layer-${k}`), k, filesPerPkg);
  }
  renameSync(tmp, path);
  return { lowers, files, generateMs: performance.now() - started };
}
