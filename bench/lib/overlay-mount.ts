/**
 * A bare overlay mount for the layer benchmarks, made with the engine's
 * own helper (dist/helper/ovl-helper mount ... index=off, as a container's
 * is), in a sandbox directory. unmountOverlay checks /proc/self/mountinfo
 * afterwards; cleanupSandboxes is the backstop if a run dies in between.
 */
import { mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { helperBin } from './paths.js';
import { mountsUnder } from './sandbox.js';

export interface OverlayDirs {
  lower: string;
  upper: string;
  work: string;
  merged: string;
}

function helper(args: string[]): void {
  const r = spawnSync(helperBin, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ovl-helper ${args.join(' ')}: ${r.stderr.trim()}`);
}

/** upper, work and merged made fresh under dir, then mounted over lower. */
export function mountOverlay(lower: string, dir: string): OverlayDirs {
  const dirs = {
    lower,
    upper: join(dir, 'upper'),
    work: join(dir, 'work'),
    merged: join(dir, 'merged'),
  };
  mkdirSync(dirs.upper, { recursive: true, mode: 0o755 });
  mkdirSync(dirs.work, { recursive: true, mode: 0o700 });
  mkdirSync(dirs.merged, { recursive: true, mode: 0o755 });
  helper(['mount', lower, dirs.upper, dirs.work, dirs.merged, 'index=off']);
  return dirs;
}

/** Unmounts merged (never lazily) and checks that nothing is left mounted there. */
export function unmountOverlay(dirs: OverlayDirs): void {
  if (mountsUnder(dirs.merged).length > 0) helper(['umount', dirs.merged]);
  const left = mountsUnder(dirs.merged);
  if (left.length > 0) throw new Error(`still mounted after umount: ${left.join(', ')}`);
}
