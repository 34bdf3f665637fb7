/**
 * UI benchmark 4: the app's CPU while nothing changes. Reads
 * /proc/PID/stat (utime + stime: every thread of the process, in clock
 * ticks of 10 ms) and, for precision, the sum of
 * /proc/PID/task/TID/schedstat (nanoseconds on a CPU, per thread) of the
 * app's node process, plus the same ticks for its descendants (the C
 * helper and the container's shell), before and after a quiet window.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { sleep, type AppSession } from './ui-driver.js';

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** Fields after `(comm)`: [0] is state (field 3), so field n is at n - 3. */
function statFields(pid: number): string[] | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // gone
  }
}

function ticksMs(f: string[] | undefined): number {
  if (!f) return 0;
  return ((Number(f[11]) || 0) + (Number(f[12]) || 0)) * (1000 / CLK_TCK);
}

function schedMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      /* thread gone */
    }
  }
  return ns / 1e6;
}

function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(Number(name));
    if (f) parent.set(Number(name), Number(f[1]));
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const [child, pp] of parent)
      if (pp === p) {
        out.push(child);
        walk(child);
      }
  };
  walk(pid);
  return out;
}

interface CpuReading {
  at: number;
  appTicksMs: number;
  appSchedMs: number;
  childTicksMs: number;
  bytesOut: number;
}

function read(app: AppSession, kids: number[]): CpuReading {
  return {
    at: performance.now(),
    appTicksMs: ticksMs(statFields(app.pid)),
    appSchedMs: schedMs(app.pid),
    childTicksMs: kids.reduce((sum, pid) => sum + ticksMs(statFields(pid)), 0),
    bytesOut: app.bytesIn,
  };
}

export interface IdleWindow {
  wallMs: number;
  /** % of one core, from utime + stime (10 ms ticks). */
  appTicksPct: number;
  /** % of one core, from schedstat (ns). */
  appSchedPct: number;
  /** % of one core used by the helper and the container's shell. */
  childrenPct: number;
  /** Bytes the app wrote to its terminal in the window (0: no frame drawn). */
  bytesOut: number;
}

function between(a: CpuReading, b: CpuReading): IdleWindow {
  const wall = b.at - a.at;
  const pct = (ms: number): number => (100 * ms) / wall;
  return {
    wallMs: wall,
    appTicksPct: pct(b.appTicksMs - a.appTicksMs),
    appSchedPct: pct(b.appSchedMs - a.appSchedMs),
    childrenPct: pct(b.childTicksMs - a.childTicksMs),
    bytesOut: b.bytesOut - a.bytesOut,
  };
}

/**
 * An app left alone: the settling window (settleMs from now, e.g. right
 * after the prompt showed) and the idle window (windowMs after that).
 */
export async function measureIdle(
  app: AppSession,
  settleMs: number,
  windowMs: number,
): Promise<{ settle: IdleWindow; idle: IdleWindow; whole: IdleWindow }> {
  const kids = descendants(app.pid);
  const s = read(app, kids);
  await sleep(settleMs);
  const a = read(app, kids);
  await sleep(windowMs);
  const b = read(app, kids);
  return { settle: between(s, a), idle: between(a, b), whole: between(s, b) };
}
