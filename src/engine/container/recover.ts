/**
 * Recovery after a crash (kill -9 of overlay-tui, a power cut of the
 * terminal): a container whose owner process is gone but which was never
 * stopped is torn down (or, if it was started with --keep, stopped with its
 * upper kept). Every command runs this first; `overlay-tui clean` runs it
 * explicitly and says what it did.
 */
import { lstatSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { errnoCode } from '../errors.js';
import { mountsAtOrUnder } from '../mountinfo.js';
import { isRunning, processRef, type ProcessRef } from '../proc.js';
import type { StateRoot } from '../state-root.js';
import { containerPaths, listContainerIds, readState, type ContainerPaths } from './state.js';
import { teardownContainer } from './teardown.js';
import { creatorGone, sweepDeadMarks } from './creating-mark.js';

/** A directory without state.json this old was left between mkdir and the first write. */
const ORPHAN_AGE_MS = 60_000;

/**
 * Takes the right to clean a container, so two starting processes do not
 * both do it. The claim is a symlink whose target names the holder
 * ("PID-START"): made atomically, and short enough to be kept in the inode,
 * so it needs no free space: a container that filled the disk must still
 * be cleaned.
 */
function claim(paths: ContainerPaths): boolean {
  const file = join(paths.dir, '.recovering');
  const me = processRef(process.pid);
  if (!me) return false;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      symlinkSync(`${me.pid}-${me.start}`, file);
      return true;
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') return false;
      const holder = holderOf(file);
      if (holder && isRunning(holder)) return false;
      rmSync(file, { force: true });
    }
  }
  return false;
}

/** The process a claim names; undefined for an unreadable or older (file) claim. */
function holderOf(file: string): ProcessRef | undefined {
  try {
    const m = /^(\d+)-(\d+)$/.exec(readlinkSync(file));
    return m ? { pid: Number(m[1]), start: Number(m[2]) } : undefined;
  } catch {
    return undefined;
  }
}

export interface Recovered {
  id: string;
  kept: boolean;
}

export function recoverDeadContainers(store: StateRoot): Recovered[] {
  const recovered: Recovered[] = [];
  for (const id of listContainerIds(store)) {
    const paths = containerPaths(store, id);
    const state = readState(paths);
    if (state && (state.status === 'stopped' || isRunning(state.owner))) continue;
    if (!state && !isOldOrphan(paths) && !creatorGone(store, id)) continue;
    if (!claim(paths)) continue;
    teardownContainer(paths, state, { keep: state?.keep ?? false });
    rmSync(join(paths.dir, '.recovering'), { force: true });
    recovered.push({ id, kept: state?.keep ?? false });
  }
  sweepDeadMarks(store);
  return recovered;
}

function isOldOrphan(paths: ContainerPaths): boolean {
  try {
    const age = Date.now() - lstatSync(paths.dir).mtimeMs;
    return age > ORPHAN_AGE_MS && mountsAtOrUnder(paths.dir).length === 0;
  } catch {
    return false;
  }
}
