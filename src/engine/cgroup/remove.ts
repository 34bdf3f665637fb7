/**
 * A container's cgroups at teardown: thaw (a container frozen by anyone
 * must still be torn down: a frozen process does not die of SIGKILL until
 * thawed), kill everything in them, wait until they are empty, remove
 * them. Synchronous, like all teardown: it runs from 'exit' handlers too.
 */
import { rmdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError, errnoCode } from '../errors.js';
import { sleepSync } from '../proc.js';
import { cgroupPids, readCgroupFile, tryWriteCgroupFile } from './files.js';
import { cgroupDirs, type ContainerCgroup } from './record.js';

function thaw(cg: ContainerCgroup): void {
  if (cg.v2) tryWriteCgroupFile(cg.v2, 'cgroup.freeze', '0');
  if (cg.v1.freezer) tryWriteCgroupFile(cg.v1.freezer, 'freezer.state', 'THAWED');
}

function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

function pidsIn(dirs: readonly string[]): number[] {
  return [...new Set(dirs.flatMap(cgroupPids))];
}

/**
 * v1 without cgroup.kill: freeze, so that nothing forks while we kill,
 * SIGKILL every pid, thaw so that the signals are delivered.
 */
function killRoundV1(cg: ContainerCgroup, pids: readonly number[]): void {
  const freezer = cg.v1.freezer;
  if (freezer && tryWriteCgroupFile(freezer, 'freezer.state', 'FROZEN')) {
    for (
      let i = 0;
      i < 50 && readCgroupFile(freezer, 'freezer.state')?.trim() === 'FREEZING';
      i++
    ) {
      sleepSync(1);
    }
    killAll(pidsIn([freezer]));
  }
  killAll(pids);
  thaw(cg);
}

/** Kills every process in the container's cgroups and waits until none is left; false on timeout. */
export function killCgroup(cg: ContainerCgroup, timeoutMs: number): boolean {
  const dirs = cgroupDirs(cg);
  const canKill = cg.v2 !== undefined && readCgroupFile(cg.v2, 'cgroup.kill') !== undefined;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    thaw(cg);
    const pids = pidsIn(dirs);
    if (pids.length === 0) return true;
    if (Date.now() > deadline) return false;
    if (canKill && cg.v2) {
      tryWriteCgroupFile(cg.v2, 'cgroup.kill', '1');
      // Also those someone moved out of the v2 cgroup but not out of a v1 one.
      killAll(pids);
    } else {
      killRoundV1(cg, pids);
    }
    sleepSync(2);
  }
}

/**
 * rmdir each (a cgroup goes only when empty: EBUSY while the last exiting
 * process is released), then its overlay-tui parent if nothing else is in
 * it. Missing ones are fine: removal runs again after a crash.
 */
export function removeEmptyCgroups(dirs: readonly string[], timeoutMs = 1000): string[] {
  const deadline = Date.now() + timeoutMs;
  const failed: string[] = [];
  for (const dir of dirs) {
    for (;;) {
      try {
        rmdirSync(dir);
        break;
      } catch (err) {
        const code = errnoCode(err);
        if (code === 'ENOENT') break;
        if (code === 'EBUSY' && Date.now() < deadline) {
          sleepSync(2);
          continue;
        }
        failed.push(`${dir} (${code ?? String(err)})`);
        break;
      }
    }
    try {
      rmdirSync(dirname(dir));
    } catch {
      // other containers' cgroups are in it, or it is gone
    }
  }
  return failed;
}

/** Thaw, kill, wait, remove. Throws a UserError (one line) if something stays. */
export function killAndRemoveCgroup(cg: ContainerCgroup, id: string, timeoutMs: number): void {
  if (!killCgroup(cg, timeoutMs)) {
    const left = pidsIn(cgroupDirs(cg));
    throw new UserError(
      `container ${id}: ${left.length} process(es) still in its cgroup after SIGKILL (pid ${left.join(', ')}); left it in place`,
    );
  }
  const failed = removeEmptyCgroups(cgroupDirs(cg));
  if (failed.length > 0) {
    throw new UserError(`container ${id}: could not remove its cgroup ${failed.join(', ')}`);
  }
}
