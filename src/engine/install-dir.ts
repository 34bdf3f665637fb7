/**
 * Where this installation of overlay-tui lives (the folder holding its
 * package.json), found by walking up from this module: the same answer
 * from the TypeScript sources (tests) and from the bundle in dist/.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findInstallDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

export const INSTALL_DIR = findInstallDir();
