/**
 * Real overlay mounts for the layer-model tests, through the project's
 * helper (dist/helper/ovl-helper, built by the global setup).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { HELPER } from './paths.js';

export interface OverlayDirs {
  /** Topmost first. */
  lowers: string[];
  upper: string;
  work: string;
  merged: string;
}

/** Fresh upper, work and merged directories under root (short names: mount data is one page). */
export function overlayDirs(root: string, lowers: string[], tag = ''): OverlayDirs {
  const dirs = {
    lowers,
    upper: join(root, `u${tag}`),
    work: join(root, `w${tag}`),
    merged: join(root, `m${tag}`),
  };
  for (const d of [dirs.upper, dirs.work, dirs.merged]) mkdirSync(d, { recursive: true });
  return dirs;
}

export function mountOverlay(dirs: OverlayDirs, options: string[] = []): void {
  const { lowers, upper, work, merged } = dirs;
  execFileSync(HELPER, ['mount', lowers.join(':'), upper, work, merged, 'index=off', ...options], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

export function unmountOverlay(merged: string): void {
  execFileSync(HELPER, ['umount', merged], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Runs fn with the overlay mounted, and unmounts whatever happens. */
export function withOverlay<T>(dirs: OverlayDirs, options: string[], fn: () => T): T {
  mountOverlay(dirs, options);
  try {
    return fn();
  } finally {
    unmountOverlay(dirs.merged);
  }
}
