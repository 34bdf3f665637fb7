/**
 * Extraction directories, layers/.tmp-PID-START-RANDOM (a layer being
 * extracted) and images/.tmp-PID-START-RANDOM (an image record being
 * written): the importing
 * process's pid and start time (proc.ts) name its owner, so that one left
 * by a killed import is told from one being written right now, even after
 * the pid is reused. Every command removes the dead ones at start.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { mountsAtOrUnder } from '../mountinfo.js';
import { isRunning, processRef, type ProcessRef } from '../proc.js';
import type { StateRoot } from '../state-root.js';

export const TMP_PREFIX = '.tmp-';

/** A fresh extraction directory's name, owned by this process. */
export function extractionDirName(): string {
  const me = processRef(process.pid);
  if (!me) throw new Error('cannot read this process start time from /proc');
  // Unique, not secret (layers/ and images/ are 0700): Math.random spares OpenSSL's
  // random generator a cold start, and mkdir refuses a name in use.
  const suffix = Math.floor(Math.random() * 2 ** 32)
    .toString(16)
    .padStart(8, '0');
  return `${TMP_PREFIX}${me.pid}-${me.start}-${suffix}`;
}

/**
 * Whether the extraction named `name` may still be written. Before owners
 * carried their start time, names were .tmp-PID-RANDOM: a live pid then
 * keeps it (as it did). Any other .tmp-* name is no import of ours.
 */
function ownerAlive(name: string): boolean {
  const rest = name.slice(TMP_PREFIX.length);
  const now = /^(\d+)-(\d+)-[0-9a-f]{8}$/.exec(rest);
  if (now) return isRunning({ pid: Number(now[1]), start: Number(now[2]) } satisfies ProcessRef);
  const before = /^(\d+)-[0-9a-f]{8}$/.exec(rest);
  return before !== null && processRef(Number(before[1])) !== undefined;
}

/**
 * Removes extraction directories whose importer is gone; returns them as
 * "layers/NAME" or "images/NAME". One readdir of layers/ and of images/
 * when there is none.
 */
export function removeStaleExtractions(store: StateRoot): string[] {
  const removed: string[] = [];
  for (const [where, parent] of [
    ['layers', store.layers],
    ['images', store.images],
  ] as const) {
    let names: string[];
    try {
      names = readdirSync(parent);
    } catch {
      continue;
    }
    for (const name of names) {
      if (!name.startsWith(TMP_PREFIX) || ownerAlive(name)) continue;
      const dir = join(parent, name);
      if (mountsAtOrUnder(dir).length > 0) continue; // never delete under a mount
      rmSync(dir, { recursive: true, force: true }); // a symlink is unlinked, not followed
      removed.push(`${where}/${name}`);
    }
  }
  return removed;
}
