/**
 * Teardown's part for a container run under an OCI runtime: after its
 * processes were killed, nothing of the runtime's may stay (its state
 * entry under <state root>/runtime/<name>/<id>, its cgroup). Synchronous
 * like the rest of teardown, so spawnSync, not execa: teardown also runs
 * from 'exit' handlers, and execa would be loaded by every run.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { killIfRunning, waitUntilGoneSync } from '../proc.js';
import type { ContainerPaths } from '../container/state.js';
import { bundlePaths, containerId, type RuntimeRecord } from './runtime-record.js';

/** How long the runtime gets to finish its own cleanup once pid 1 is gone. */
const RUNTIME_EXIT_TIMEOUT_MS = 5000;

function readRef(file: string): { pid: number; start: number } | undefined {
  try {
    const [pid, start] = readFileSync(file, 'utf8').trim().split(' ').map(Number);
    return pid && start !== undefined && Number.isFinite(start) ? { pid, start } : undefined;
  } catch {
    return undefined;
  }
}

export function removeRuntimeState(paths: ContainerPaths, runtime: RuntimeRecord): void {
  const bundle = bundlePaths(paths);
  const id = containerId(paths);
  // A runtime still in the foreground removes its own state once pid 1 has
  // gone: let it, rather than race it.
  const proc = readRef(bundle.runtimeRef);
  if (proc && !waitUntilGoneSync(proc, RUNTIME_EXIT_TIMEOUT_MS)) {
    killIfRunning(proc);
    waitUntilGoneSync(proc, RUNTIME_EXIT_TIMEOUT_MS);
  }
  const entry = join(runtime.root, id);
  if (existsSync(entry)) {
    // --force: kills what is left in its cgroup, then removes cgroup and state.
    const r = spawnSync(runtime.path, ['--root', runtime.root, 'delete', '--force', id], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    if (existsSync(entry)) {
      const why = (r.stderr || r.error?.message || '').trim().split('\n').at(-1) ?? '';
      throw new UserError(
        `${runtime.name} delete --force ${id} failed (${why}); kept ${paths.dir}: run 'overlay-tui clean' again`,
      );
    }
  }
  rmSync(bundle.dir, { recursive: true, force: true });
}
