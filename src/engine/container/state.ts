/**
 * A container's record, containers/<id>/state.json. It is also the lock:
 * `owner` is the overlay-tui process that runs the container; if that
 * process is gone (pid and start time no longer match) and the container
 * was not stopped, it was left by a crash and is cleaned at the next start.
 */
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, errnoCode } from '../errors.js';
import type { ProcessRef } from '../proc.js';
import type { StateRoot } from '../state-root.js';

/** 'stopping': its processes are gone, teardown waits for the watches (watchers.ts). */
export type ContainerStatus = 'creating' | 'running' | 'stopping' | 'stopped';

export interface ContainerState {
  id: string;
  status: ContainerStatus;
  image: { digest: string; source: string };
  /** Lower layers, topmost first. */
  lowers: string[];
  mountOptions: string[];
  command: string[];
  keep: boolean;
  owner: ProcessRef;
  /** The container's pid 1, as the host sees it. */
  init?: ProcessRef;
  createdAt: string;
  exitCode?: number;
}

export interface ContainerPaths {
  dir: string;
  upper: string;
  work: string;
  merged: string;
  stateFile: string;
  /** Written by ovl-helper: "PID STARTTIME" of the container's pid 1. */
  pidFile: string;
}

/** A name is a hostname label too: letters, digits, '-', '_' and '.', at most 63. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/**
 * The directories of container `id`. Every path built from a name the user
 * typed comes through here, so this is where a name that is not one is
 * refused: joined as it is, `../x` or `a/../a` would reach outside
 * containers/ (and `rm` would tear down whatever it found there).
 * JSON.stringify quotes the name and keeps the message on one line.
 */
export function containerPaths(store: StateRoot, id: string): ContainerPaths {
  if (!NAME_PATTERN.test(id)) {
    throw new UserError(
      `${JSON.stringify(id)} is not a container name (a letter or digit, then letters, digits, _ . -; at most 63)`,
    );
  }
  const dir = join(store.containers, id);
  return {
    dir,
    upper: join(dir, 'upper'),
    work: join(dir, 'work'),
    merged: join(dir, 'merged'),
    stateFile: join(dir, 'state.json'),
    pidFile: join(dir, 'init.pid'),
  };
}

export function readState(paths: ContainerPaths): ContainerState | undefined {
  try {
    return JSON.parse(readFileSync(paths.stateFile, 'utf8')) as ContainerState;
  } catch {
    return undefined;
  }
}

/**
 * Atomic: a reader never sees half a file. A failed write (a full disk)
 * leaves no temporary file and is one line.
 */
export function writeState(paths: ContainerPaths, state: ContainerState): void {
  const tmp = `${paths.stateFile}.${process.pid}.tmp`;
  try {
    mkdirSync(paths.dir, { recursive: true });
    writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
    renameSync(tmp, paths.stateFile);
  } catch (err) {
    rmSync(tmp, { force: true });
    const why =
      errnoCode(err) === 'ENOSPC'
        ? 'no space left on the device'
        : err instanceof Error
          ? err.message
          : String(err);
    throw new UserError(`could not write ${paths.stateFile}: ${why}`);
  }
}

/**
 * For teardown, which must not need free space: a record that cannot be
 * written is reported in one line and teardown goes on (the next command's
 * recovery finishes the record once there is room). False if it failed.
 */
export function writeStateOrReport(paths: ContainerPaths, state: ContainerState): boolean {
  try {
    writeState(paths, state);
    return true;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    process.stderr.write(`overlay-tui: container ${state.id} not marked ${state.status}: ${why}\n`);
    return false;
  }
}

/** The pid 1 recorded by the helper, if it got that far. */
export function readInitPid(paths: ContainerPaths): ProcessRef | undefined {
  try {
    const [pid, start] = readFileSync(paths.pidFile, 'utf8').trim().split(' ').map(Number);
    if (pid && start !== undefined && Number.isFinite(start)) return { pid, start };
  } catch {
    // not written (yet)
  }
  return undefined;
}

export function listContainerIds(store: StateRoot): string[] {
  try {
    return readdirSync(store.containers)
      .filter((n) => NAME_PATTERN.test(n))
      .sort();
  } catch {
    return [];
  }
}
