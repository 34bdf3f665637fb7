/**
 * Recovery after a crash (kill -9 of overlay-tui, a power cut of the
 * terminal): a container whose owner process is gone but which was never
 * stopped is torn down (or, if it was started with --keep, stopped with its
 * upper kept). Every command runs this first; `overlay-tui clean` runs it
 * explicitly and says what it did.
 */
import { closeSync, lstatSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { errnoCode } from '../errors.js';
import { mountsAtOrUnder } from '../mountinfo.js';
import { readFileNoFollow } from '../no-follow.js';
import { isRunning, processRef } from '../proc.js';
import type { StateRoot } from '../state-root.js';
import { containerPaths, listContainerIds, readState, type ContainerPaths } from './state.js';
import { teardownContainer } from './teardown.js';

/** A directory without state.json this old was left between mkdir and the first write. */
const ORPHAN_AGE_MS = 60_000;

/** Takes the right to clean a container, so two starting processes do not both do it. */
function claim(paths: ContainerPaths): boolean {
  const file = join(paths.dir, '.recovering');
  const me = processRef(process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      return true;
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') return false;
      try {
        const holder = JSON.parse(readFileNoFollow(file).text) as { pid: number; start: number };
        if (isRunning(holder)) return false;
      } catch {
        // half-written or unreadable: its writer is gone
      }
      rmSync(file, { force: true });
    }
  }
  return false;
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
    if (!state && !isOldOrphan(paths)) continue;
    if (!claim(paths)) continue;
    teardownContainer(paths, state, { keep: state?.keep ?? false });
    rmSync(join(paths.dir, '.recovering'), { force: true });
    recovered.push({ id, kept: state?.keep ?? false });
  }
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
