/**
 * Runs compared commands interleaved and times each with spawnSync and
 * process.hrtime. Interleaving (with the starting command rotated every
 * round) means a burst of load on this shared machine hits all of them
 * alike instead of skewing whichever happened to run during it.
 */
import { spawnSync } from 'node:child_process';
import { setImmediate as yieldToLoop } from 'node:timers/promises';

export interface Cmd {
  label: string;
  /** Untimed set-up (e.g. a fresh destination directory); returns the argv to time. */
  prepare: () => string[];
  /** Untimed clean-up after each run (remove the destination, sync). */
  cleanup?: () => void;
  /** Extra figures the command reports on stdout (e.g. the importer's own timing). */
  metrics?: (stdout: string) => Record<string, number>;
}

export interface Series {
  label: string;
  argv: string[];
  /** Wall milliseconds, one per timed round, in round order (so rounds pair up). */
  wall: number[];
  metrics: Record<string, number[]>;
}

export interface InterleaveOptions {
  rounds: number;
  warmup: number;
  /** Called after each round, e.g. to print progress on stderr. */
  onRound?: (round: number, total: number) => void;
}

let interrupted: NodeJS.Signals | undefined;
/** Ctrl-C between two runs stops at the next round, so cleanup in `finally` still runs. */
export function stopOnSignals(): void {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      interrupted = sig;
    });
  }
}

function timeOnce(cmd: Cmd): { argv: string[]; ms: number; stdout: string } {
  const argv = cmd.prepare();
  const [file, ...args] = argv;
  if (file === undefined) throw new Error(`${cmd.label}: empty command`);
  const t0 = process.hrtime.bigint();
  // stdin ignored: a terminal on stdin would make the CLI allocate a pty,
  // which is not what is being compared.
  const r = spawnSync(file, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  try {
    if (r.error) throw new Error(`${cmd.label}: ${r.error.message}`);
    if (r.status !== 0) {
      const why = r.signal ? `signal ${r.signal}` : `exit ${r.status}`;
      throw new Error(`${cmd.label} failed (${why}): ${argv.join(' ')}\n${r.stderr.trim()}`);
    }
  } finally {
    cmd.cleanup?.();
  }
  return { argv, ms, stdout: r.stdout };
}

export async function interleave(cmds: Cmd[], opts: InterleaveOptions): Promise<Series[]> {
  const series: Series[] = cmds.map((c) => ({ label: c.label, argv: [], wall: [], metrics: {} }));
  const total = opts.warmup + opts.rounds;
  for (let round = 0; round < total; round++) {
    for (let k = 0; k < cmds.length; k++) {
      const i = (round + k) % cmds.length;
      const cmd = cmds[i];
      const s = series[i];
      if (!cmd || !s) continue;
      // Let a pending Ctrl-C be seen: spawnSync blocks the event loop.
      await yieldToLoop();
      if (interrupted) throw new Error(`interrupted by ${interrupted}`);
      const { argv, ms, stdout } = timeOnce(cmd);
      if (round < opts.warmup) continue;
      s.argv = argv;
      s.wall.push(ms);
      for (const [key, value] of Object.entries(cmd.metrics?.(stdout) ?? {}))
        (s.metrics[key] ??= []).push(value);
    }
    opts.onRound?.(round + 1, total);
  }
  return series;
}

/** A dot per round on stderr, so a long run shows it is alive without touching stdout. */
export function progressDots(label: string): (round: number, total: number) => void {
  return (round, total) => {
    if (round === 1) process.stderr.write(`${label}: `);
    process.stderr.write('.');
    if (round === total) process.stderr.write('\n');
  };
}
