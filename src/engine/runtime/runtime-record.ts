/**
 * Which OCI runtime a container runs under (`--runtime runc|crun`), as
 * state.json records it, and where that runtime keeps its own state: under
 * overlay-tui's state root, never /run/runc, so that a crash leaves
 * nothing anywhere else and teardown can always find it.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { ContainerPaths } from '../container/state.js';

export const RUNTIME_NAMES = ['runc', 'crun'] as const;
export type RuntimeName = (typeof RUNTIME_NAMES)[number];

export function isRuntimeName(name: string): name is RuntimeName {
  return (RUNTIME_NAMES as readonly string[]).includes(name);
}

export interface RuntimeRecord {
  name: RuntimeName;
  /** The executable found on PATH when the container was made. */
  path: string;
  /** Its --version, first line. */
  version: string;
  /** Its --root: <state root>/runtime/<name>. */
  root: string;
}

export function runtimeRoot(stateRoot: string, name: RuntimeName): string {
  return join(stateRoot, 'runtime', name);
}

/** What the runtime is given and leaves for one container, in containers/<id>/bundle/. */
export interface BundlePaths {
  dir: string;
  config: string;
  /** The runtime's --pid-file: the host pid of the container's pid 1, alone. */
  runtimePidFile: string;
  /** "PID STARTTIME" of the runtime process itself, so teardown can wait for it. */
  runtimeRef: string;
  /** The runtime's --log, JSON lines: its own error, if it failed. */
  log: string;
}

export function bundlePaths(paths: ContainerPaths): BundlePaths {
  const dir = join(paths.dir, 'bundle');
  return {
    dir,
    config: join(dir, 'config.json'),
    runtimePidFile: join(dir, 'runtime-init.pid'),
    runtimeRef: join(dir, 'runtime.ref'),
    log: join(dir, 'runtime.log'),
  };
}

/** The container's id: the last component of its directory. */
export function containerId(paths: ContainerPaths): string {
  return paths.dir.slice(paths.dir.lastIndexOf('/') + 1);
}

/**
 * The container's cgroup, relative: the runtime puts it under its own
 * cgroup in each hierarchy (so also inside a sandbox's memory cgroup). One
 * level, so that the runtime's delete leaves no parent behind; the state
 * root's hash keeps two state roots' containers of the same name apart.
 */
export function cgroupsPathFor(runtime: RuntimeRecord, id: string): string {
  const key = createHash('sha256').update(runtime.root).digest('hex').slice(0, 8);
  return `overlay-tui-${key}-${id}`;
}
