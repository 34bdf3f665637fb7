/**
 * A container's record, containers/<id>/state.json. It is also the lock:
 * `owner` is the overlay-tui process that runs the container; if that
 * process is gone (pid and start time no longer match) and the container
 * was not stopped, it was left by a crash and is cleaned at the next start.
 */
import { readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, errnoCode } from '../errors.js';
import { isRealDir, lstatOrNone, readFileNoFollow, writeNewFile } from '../no-follow.js';
import type { ContainerCgroup } from '../cgroup/record.js';
import type { ConfinementSummary } from '../confine/profile.js';
import type { ProcessRef } from '../proc.js';
import type { IdMap } from '../../overlay/id-map.js';
import type { LayerLabel } from '../../overlay/layer-label.js';
import type { StateRoot } from '../state-root.js';
import type { RuntimeRecord } from '../runtime/runtime-record.js';

/** 'stopping': its processes are gone, teardown waits for the watches (watchers.ts). */
export type ContainerStatus = 'creating' | 'running' | 'stopping' | 'stopped';

export interface ContainerState {
  id: string;
  status: ContainerStatus;
  /** digest: the image's id (the sha256 of its config; of the archive for a flat one). */
  image: { digest: string; source: string; tags?: string[] };
  /** Lower layers, topmost first: the image's directories as they are on disk. */
  lowers: string[];
  /** What each lower is (its number, diff_id and created_by), topmost first as lowers; absent in records of older versions. */
  layers?: LayerLabel[];
  /**
   * --userns: the container's root is the host's base, and the overlay's
   * lowers are idmapped mounts of `lowers` at `idmappedLowers`.
   */
  userns?: IdMap;
  idmappedLowers?: string[];
  mountOptions: string[];
  command: string[];
  keep: boolean;
  owner: ProcessRef;
  /** The container's pid 1, as the host sees it. */
  init?: ProcessRef;
  createdAt: string;
  exitCode?: number;
  /** Its own cgroups (cgroup/record.ts): recorded before they are made, removed at teardown. */
  cgroup?: ContainerCgroup;
  /** How the container is confined (capabilities, seccomp, no_new_privs, --privileged). */
  confinement?: ConfinementSummary;
  /** The seccomp filter's rules, under the state root's seccomp/ (shared by containers with the same profile). */
  seccompRules?: string;
  /** Run under an OCI runtime (--runtime); absent: the C helper. */
  runtime?: RuntimeRecord;
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

/**
 * Refuses a container entry that is there but is not a real directory (a
 * symlink would aim reads, writes and deletes at its target).
 */
export function requireRealContainerDir(paths: ContainerPaths): void {
  const st = lstatOrNone(paths.dir);
  if (st && !st.isDirectory()) {
    throw new UserError(
      `${paths.dir} is ${st.isSymbolicLink() ? 'a symlink' : 'not a directory'}, not a container's directory: left it untouched (remove it if you did not make it)`,
    );
  }
}

/** The record, read only from a real directory and never through a symlink. */
export function readState(paths: ContainerPaths): ContainerState | undefined {
  if (!isRealDir(paths.dir)) return undefined;
  try {
    return JSON.parse(readFileNoFollow(paths.stateFile).text) as ContainerState;
  } catch {
    return undefined;
  }
}

/**
 * Atomic: a reader never sees half a file. The directory exists already
 * (reserve() made it) and must be a real one. A failed write (a full disk)
 * leaves no temporary file and is one line.
 */
export function writeState(paths: ContainerPaths, state: ContainerState): void {
  requireRealContainerDir(paths);
  const tmp = `${paths.stateFile}.${process.pid}.tmp`;
  try {
    rmSync(tmp, { force: true }); // left by an earlier process with our pid
    writeNewFile(tmp, `${JSON.stringify(state, null, 2)}\n`, 0o644);
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
  if (!isRealDir(paths.dir)) return undefined;
  try {
    const [pid, start] = readFileNoFollow(paths.pidFile).text.trim().split(' ').map(Number);
    if (pid && start !== undefined && Number.isFinite(start)) return { pid, start };
  } catch {
    // not written (yet)
  }
  return undefined;
}

/** Names of real directories in containers/ (d_type: no stat, and a symlink is not one). */
export function listContainerIds(store: StateRoot): string[] {
  try {
    return readdirSync(store.containers, { withFileTypes: true })
      .filter((d) => d.isDirectory() && NAME_PATTERN.test(d.name))
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}
