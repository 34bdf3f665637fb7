/**
 * Teardown, in the only safe order: kill the container's processes and wait
 * until they are gone (their mount namespace still holds the overlay), let
 * the watches from outside take their last look (watchers.ts), then unmount everything on or under the container's directory, then check that
 * nothing is mounted there any more, and only then delete. If an unmount
 * fails, everything is kept and the error says so. Nothing here needs free
 * space: a record that cannot be written (a full disk) is reported, not fatal.
 *
 * Synchronous on purpose: it must also run from process 'exit' handlers and
 * after an uncaught exception, where nothing asynchronous completes.
 */
import { join } from 'node:path';
import { tearDownCgroup } from '../cgroup/index.js';
import { UserError } from '../errors.js';
import { removeTrees, unmount } from '../helper.js';
import { mountsAtOrUnder } from '../mountinfo.js';
import { killIfRunning, pidNamespace, waitUntilGoneSync } from '../proc.js';
import {
  readInitPid,
  requireRealContainerDir,
  readState,
  writeStateOrReport,
  type ContainerPaths,
  type ContainerState,
} from './state.js';
import { releaseWatchers } from './watchers.js';
import { removeRuntimeState } from '../runtime/runtime-delete.js';

const KILL_TIMEOUT_MS = 5000;

/** Kills the container's pid 1 (and so its whole pid namespace) and waits for it. */
export function killContainer(paths: ContainerPaths, state: ContainerState | undefined): void {
  // Through its cgroup first: that thaws a frozen container, and reaches
  // every process in it, whatever pid namespace or parent it has.
  const recorded = state ?? readState(paths);
  if (recorded?.cgroup) tearDownCgroup(recorded.cgroup, recorded.id, KILL_TIMEOUT_MS);
  const init = state?.init ?? readInitPid(paths);
  if (!init) return;
  // A recorded pid in our own pid namespace is not a container's pid 1: never kill it.
  if (pidNamespace(init.pid) === pidNamespace('self')) return;
  killIfRunning(init);
  if (!waitUntilGoneSync(init, KILL_TIMEOUT_MS)) {
    throw new UserError(
      `container ${paths.dir}: pid ${init.pid} did not die after SIGKILL; left everything in place`,
    );
  }
}

/** Unmounts everything on or under the container's directory, deepest first. */
export function unmountAll(paths: ContainerPaths): void {
  for (const m of mountsAtOrUnder(paths.dir)) {
    try {
      unmount(m.mountPoint);
    } catch (err) {
      // Someone else (a concurrent clean) may have unmounted it meanwhile.
      if (mountsAtOrUnder(m.mountPoint).some((x) => x.mountPoint === m.mountPoint)) {
        const why = err instanceof Error ? err.message : String(err);
        throw new UserError(
          `${why}; kept ${paths.dir} untouched. Stop what uses it, then run 'overlay-tui clean'`,
        );
      }
    }
  }
  const left = mountsAtOrUnder(paths.dir);
  if (left.length > 0) {
    throw new UserError(`${left[0]?.mountPoint} is still mounted; kept ${paths.dir} untouched`);
  }
}

export interface TeardownOptions {
  /** Keep upper (the container is then "stopped"); otherwise remove everything. */
  keep: boolean;
  exitCode?: number;
}

export function teardownContainer(
  paths: ContainerPaths,
  state: ContainerState | undefined,
  opts: TeardownOptions,
): void {
  // A symlink here would have every rm below delete in its target.
  requireRealContainerDir(paths);
  killContainer(paths, state);
  if (state?.runtime) removeRuntimeState(paths, state.runtime);
  // Upper changes no more: the watches take their last look before it goes.
  releaseWatchers(paths, state);
  unmountAll(paths);
  // Removal always goes through the helper's rmtree, never rmSync: a
  // container can make a tree deeper than PATH_MAX (rmSync then fails with
  // ENAMETOOLONG, or overflows Node's stack), and rmtree also refuses to go
  // below a mount, which rmSync cannot see. Its cost, one spawnSync, was
  // ~5 ms here (rmSync of a fresh container: <1 ms), lost in the noise of a
  // warm `run -- true` (CPU 280-300 ms either way). Trying rmSync first
  // would save those ms by keeping a second way to delete, blind to mounts.
  if (opts.keep && state) {
    // l/: the idmapped lowers' mount points of a --userns container.
    removeTrees([paths.pidFile, paths.merged, paths.work, join(paths.dir, 'l')]);
    const { init: _init, ...rest } = state;
    // Last, and allowed to fail: teardown must not need free space.
    writeStateOrReport(paths, {
      ...rest,
      status: 'stopped',
      ...(opts.exitCode !== undefined ? { exitCode: opts.exitCode } : {}),
    });
  } else {
    removeTrees([paths.dir]);
  }
}
