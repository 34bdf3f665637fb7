/**
 * A temporary state root per test, under /tmp, and the check every mounting
 * test ends with: nothing of it is left in /proc/self/mountinfo.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { mountsAtOrUnder } from '../../src/engine/mountinfo.js';
import { CLI } from './paths.js';

export function tempRoot(prefix = 'ovt-'): string {
  return mkdtempSync(`/tmp/${prefix}`);
}

/** The one layer's directory (layers/<hex>/diff) of the one single-layer image under a state root. */
export function imageLower(root: string): string {
  const layers = readdirSync(join(root, 'layers')).filter((n) => /^[0-9a-f]{64}$/.test(n));
  if (layers.length !== 1)
    throw new Error(`expected one image layer under ${root}, found ${layers.length}`);
  return join(root, 'layers', layers[0] ?? '', 'diff');
}

export function mountsUnder(dir: string): string[] {
  return mountsAtOrUnder(dir).map((m) => m.mountPoint);
}

/**
 * Removes dir when nothing is mounted under it. A leak fails the test, but
 * is first cleaned up with `overlay-tui clean`, so that a failing test does
 * not leave mounts on the machine.
 */
export function removeRoot(dir: string): void {
  const left = mountsUnder(dir);
  if (left.length > 0) {
    spawnSync(process.execPath, [CLI, 'clean', '--root', dir], { stdio: 'ignore' });
    const still = mountsUnder(dir);
    if (still.length === 0) rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `left mounted under ${dir}: ${left.join(', ')}${still.length ? ' (and clean could not unmount them)' : ' (cleaned up)'}`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
}
