/**
 * Processes watching a container's upper from outside (`overlay-tui watch`)
 * and the teardown that must not pull upper from under them.
 *
 * Without this, a watch saw a container's removal as changes: every upper
 * path "deleted", the last changes before exit lost, then a scan error. So
 * a watch registers itself (containers/<id>/watchers/<pid>-<start>), and
 * teardown, once the container's processes are gone (upper no longer
 * changes), marks it 'stopping' and waits, briefly, until each live watch
 * has taken its last look and gone. The order makes it race-free: a watch
 * registers before it reads the status; teardown writes 'stopping' before
 * it lists the watches.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { errnoCode } from '../errors.js';
import { isRealDir, writeNewFile } from '../no-follow.js';
import { isRunning, processRef, sleepSync, type ProcessRef } from '../proc.js';
import { writeStateOrReport, type ContainerPaths, type ContainerState } from './state.js';

/** How long teardown waits for the watches' last look (a full rescan of upper). */
const WATCHERS_TIMEOUT_MS = 3000;

const watchersDir = (paths: ContainerPaths): string => join(paths.dir, 'watchers');

function parseEntry(name: string): ProcessRef | undefined {
  const m = /^(\d+)-(\d+)$/.exec(name);
  return m ? { pid: Number(m[1]), start: Number(m[2]) } : undefined;
}

/** Registers this process as a watch of the container; returns the unregister. */
export function registerWatcher(paths: ContainerPaths): () => void {
  const me = processRef(process.pid);
  if (!me) throw new Error('cannot read this process start time from /proc');
  try {
    mkdirSync(watchersDir(paths), { mode: 0o700 });
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') throw err;
  }
  if (!isRealDir(watchersDir(paths))) throw new Error(`${watchersDir(paths)} is not a directory`);
  const file = join(watchersDir(paths), `${me.pid}-${me.start}`);
  rmSync(file, { force: true });
  writeNewFile(file, '');
  return () => rmSync(file, { force: true });
}

/** The watches still alive (entries of dead ones are removed). */
function liveWatchers(paths: ContainerPaths): string[] {
  let names: string[];
  // Listed only if it is a real directory: its entries are deleted below.
  if (!isRealDir(watchersDir(paths))) return [];
  try {
    names = readdirSync(watchersDir(paths));
  } catch {
    return [];
  }
  return names.filter((name) => {
    const ref = parseEntry(name);
    if (ref && isRunning(ref)) return true;
    rmSync(join(watchersDir(paths), name), { force: true });
    return false;
  });
}

/**
 * Says the container is stopping and waits until no live watch is left (or
 * the timeout). Synchronous, like teardown. Returns the watches that did
 * not finish in time.
 */
export function releaseWatchers(
  paths: ContainerPaths,
  state: ContainerState | undefined,
  timeoutMs = WATCHERS_TIMEOUT_MS,
): string[] {
  // Teardown goes on if this fails (a full disk): the watches then only wait less.
  if (state) writeStateOrReport(paths, { ...state, status: 'stopping' });
  const deadline = Date.now() + timeoutMs;
  let live = liveWatchers(paths);
  while (live.length > 0 && Date.now() < deadline) {
    sleepSync(10);
    live = liveWatchers(paths);
  }
  return live;
}
