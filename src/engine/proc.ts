/**
 * Process identity from /proc. A pid alone can be reused after a crash, so
 * every pid we record is paired with its start time (field 22 of
 * /proc/PID/stat, in clock ticks since boot): the pair names one process.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface ProcessRef {
  pid: number;
  start: number;
}

interface ProcStat {
  state: string;
  start: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const start = Number(fields[19]);
  if (state === undefined || !Number.isFinite(start)) return undefined;
  return { state, start };
}

/** The reference for a live process, or undefined if it does not exist. */
export function processRef(pid: number): ProcessRef | undefined {
  const stat = readStat(pid);
  return stat ? { pid, start: stat.start } : undefined;
}

/** True if this exact process (pid and start time) still runs (zombies count as gone). */
export function isRunning(ref: ProcessRef): boolean {
  const stat = readStat(ref.pid);
  return stat !== undefined && stat.start === ref.start && stat.state !== 'Z' && stat.state !== 'X';
}

/** The pid namespace of a process ("pid:[4026531836]"), or undefined. */
export function pidNamespace(pid: number | 'self'): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}

/**
 * How many live processes are in a pid namespace (as pidNamespace names
 * it). Zombies are left out: their ns link still reads, but they run
 * nothing (a killed background job stays one until its shell waits).
 */
export function countInPidNamespace(ns: string): number {
  let count = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    const pid = Number(name);
    if (pidNamespace(pid) !== ns) continue;
    const state = readStat(pid)?.state;
    if (state !== undefined && state !== 'Z' && state !== 'X') count++;
  }
  return count;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread: teardown must also work from 'exit' handlers, where nothing async runs. */
export function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** Waits until the process is gone (or a zombie), polling; false on timeout. */
export function waitUntilGoneSync(ref: ProcessRef, timeoutMs: number): boolean {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(ref)) {
    if (Date.now() > deadline) return false;
    sleepSync(2);
  }
  return true;
}

/** SIGKILLs the process if it is still this exact one; true if it was. */
export function killIfRunning(ref: ProcessRef): boolean {
  if (!isRunning(ref)) return false;
  try {
    process.kill(ref.pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}
