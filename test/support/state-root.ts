/**
 * A temporary state root per test, under /tmp, and the check every mounting
 * test ends with: nothing of it is left in /proc/self/mountinfo.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { mountsAtOrUnder } from '../../src/engine/mountinfo.js';

export function tempRoot(prefix = 'ovt-'): string {
  return mkdtempSync(`/tmp/${prefix}`);
}

export function mountsUnder(dir: string): string[] {
  return mountsAtOrUnder(dir).map((m) => m.mountPoint);
}

/** Fails if anything is mounted under dir; removes dir only when nothing is. */
export function removeRoot(dir: string): void {
  const left = mountsUnder(dir);
  if (left.length > 0) throw new Error(`still mounted under ${dir}: ${left.join(', ')}`);
  rmSync(dir, { recursive: true, force: true });
}
