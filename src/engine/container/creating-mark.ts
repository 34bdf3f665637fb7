/**
 * Who is creating a container, recorded before its directory exists.
 *
 * A container's directory is made first (mkdir reserves the name) and its
 * record, with the owner in it, a moment later: a `kill -9` in between
 * left a directory nobody could tell from one being made right now, so
 * recovery waited a minute before it removed it. The mark closes that gap:
 * containers/.creating-ID, a symlink whose target names the creator
 * ("PID-START"; made atomically, and needing no free space), made before
 * the directory and removed once the record is written.
 */
import { readlinkSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { errnoCode } from '../errors.js';
import { isRunning, processRef, type ProcessRef } from '../proc.js';
import type { StateRoot } from '../state-root.js';

const PREFIX = '.creating-';
const markPath = (store: StateRoot, id: string): string => join(store.containers, PREFIX + id);

function holder(file: string): ProcessRef | undefined {
  try {
    const m = /^(\d+)-(\d+)$/.exec(readlinkSync(file));
    return m ? { pid: Number(m[1]), start: Number(m[2]) } : undefined;
  } catch {
    return undefined;
  }
}

/** Marks id as being created by this process; false if a live process has it. */
export function markCreating(store: StateRoot, id: string): boolean {
  const me = processRef(process.pid);
  if (!me) throw new Error('cannot read /proc/self/stat');
  const file = markPath(store, id);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      symlinkSync(`${me.pid}-${me.start}`, file);
      return true;
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
      const h = holder(file);
      if (h && isRunning(h)) return false;
      rmSync(file, { force: true });
    }
  }
  return false;
}

export function unmarkCreating(store: StateRoot, id: string): void {
  rmSync(markPath(store, id), { force: true });
}

/** True if id's creator left a mark and is gone (its directory is an orphan). */
export function creatorGone(store: StateRoot, id: string): boolean {
  const h = holder(markPath(store, id));
  return h !== undefined && !isRunning(h);
}

/** Removes the marks of creators that are gone (after their directories were recovered). */
export function sweepDeadMarks(store: StateRoot): void {
  let names: string[];
  try {
    names = readdirSync(store.containers);
  } catch {
    return;
  }
  for (const name of names) {
    if (name.startsWith(PREFIX) && creatorGone(store, name.slice(PREFIX.length))) {
      rmSync(join(store.containers, name), { force: true });
    }
  }
}
