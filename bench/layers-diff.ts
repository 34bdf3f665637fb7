/**
 * `overlay-tui diff` on a kept container with 10,000 changed paths over the
 * 100k-file lower. The container is built the way a kept one is left: its
 * directory in a fresh state root (containers/NAME/{upper,work,merged},
 * state.json with status "stopped"), its upper filled by writes through a
 * real overlay mount (so origins, whiteouts and opaque directories are the
 * kernel's own), then unmounted. Changed paths:
 *
 *   10 top directories × 99 subdirectories, in each: 2 appends (copy-up:
 *   data), a chmod and a utimes (copy-up: metadata), 2 rm (whiteouts), 3 new
 *   files, and the subdirectory itself (copy-up: directory)   = 9,900
 *   the 10 top directories                                   =    10
 *   /dir-10/sub-00 removed and made again (opaque) with 88
 *   new files, and /dir-10                                   =    90
 */
import { appendFileSync, chmodSync, mkdirSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cliBin } from './lib/paths.js';
import { interleave, progressDots, type Series } from './lib/measure.js';
import { makeSandbox } from './lib/sandbox.js';
import { mountOverlay, unmountOverlay } from './lib/overlay-mount.js';
import { lowerFile, SUB_DIRS, subName, topName } from './gen-lower.js';

export const CONTAINER = 'bench-10k';

function fill(merged: string): void {
  const at = (p: string): string => join(merged, p);
  for (let t = 0; t < 10; t++) {
    for (let s = 0; s < SUB_DIRS; s++) {
      appendFileSync(at(lowerFile(t, s, 0)), 'appended\n');
      appendFileSync(at(lowerFile(t, s, 1)), 'appended\n');
      chmodSync(at(lowerFile(t, s, 2)), 0o600);
      utimesSync(at(lowerFile(t, s, 3)), 1_800_000_000, 1_800_000_000);
      rmSync(at(lowerFile(t, s, 4)));
      rmSync(at(lowerFile(t, s, 5)));
      for (let n = 0; n < 3; n++)
        writeFileSync(at(`/${topName(t)}/${subName(s)}/added-${n}.txt`), `new ${n}\n`);
    }
  }
  const opaque = at(`/${topName(10)}/${subName(0)}`);
  rmSync(opaque, { recursive: true });
  mkdirSync(opaque);
  for (let n = 0; n < 88; n++) writeFileSync(join(opaque, `again-${n}.txt`), `again ${n}\n`);
}

/** A state root holding one stopped, kept container over lower; returns the root. */
export function makeKeptContainer(lower: string): string {
  const root = join(makeSandbox('diff'), 'root');
  mkdirSync(join(root, 'images'), { recursive: true, mode: 0o700 });
  const dir = join(root, 'containers', CONTAINER);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const dirs = mountOverlay(lower, dir);
  try {
    fill(dirs.merged);
  } finally {
    unmountOverlay(dirs);
  }
  const state = {
    id: CONTAINER,
    status: 'stopped',
    image: { digest: '0'.repeat(64), source: lower },
    lowers: [lower],
    mountOptions: ['index=off'],
    command: ['bench'],
    keep: true,
    owner: { pid: process.pid, start: 0 },
    createdAt: new Date().toISOString(),
    exitCode: 0,
  };
  writeFileSync(join(dir, 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
  return root;
}

export const diffArgv = (root: string): string[] => [
  process.execPath,
  cliBin,
  'diff',
  '--root',
  root,
  CONTAINER,
];

/** Lines by docker-diff letter (A, C, D), from the text output. */
function letters(stdout: string): Record<string, number> {
  const out: Record<string, number> = { lines: 0, A: 0, C: 0, D: 0 };
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    out.lines = (out.lines ?? 0) + 1;
    const l = line[0] ?? '?';
    out[l] = (out[l] ?? 0) + 1;
  }
  return out;
}

/**
 * stdout goes to a file, not to a pipe: the CLI ends with process.exit(),
 * which drops what a pipe had not taken yet (see pipeCheck), and a
 * truncated listing would be timed as a fast one. `sh -c 'exec …'` only
 * sets up the redirection (the baseline pays it too).
 */
function toFile(out: string, argv: string[]): string[] {
  return ['sh', '-c', 'exec "$@" > "$0"', out, ...argv];
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/**
 * CPU time (user + system, ms) of this process's waited-for children so
 * far: cutime and cstime of /proc/self/stat. Less sensitive than wall time
 * to the other work on a shared machine (resolution: one clock tick).
 */
function childCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[13]) + Number(f[14])) * 1000) / CLK_TCK;
}

/**
 * diff and `node -e 0`, interleaved; the diff series carries the line
 * counts, and both their CPU time (cpuMs), as metrics.
 */
export async function benchDiff(root: string, rounds: number): Promise<Series[]> {
  const out = join(root, 'diff.txt');
  let cpu0 = 0;
  const cmd =
    (argv: string[]): (() => string[]) =>
    () => {
      cpu0 = childCpuMs();
      return toFile(out, argv);
    };
  return interleave(
    [
      {
        label: 'overlay-tui diff (10k changes)',
        prepare: cmd(diffArgv(root)),
        metrics: () => ({ ...letters(readFileSync(out, 'utf8')), cpuMs: childCpuMs() - cpu0 }),
      },
      {
        label: 'node -e 0',
        prepare: cmd([process.execPath, '-e', '0']),
        metrics: () => ({ cpuMs: childCpuMs() - cpu0 }),
      },
    ],
    { rounds, warmup: 1, onRound: progressDots('diff') },
  );
}

/**
 * Lines of the same diff read through a pipe, as `diff NAME | wc -l` (or
 * `| less`) would read them; untimed. Fewer than in the file means the CLI
 * exited before the pipe took all of its output.
 */
export function pipeCheck(root: string): number {
  const r = spawnSync('sh', ['-c', '"$@" | wc -l', 'sh', ...diffArgv(root)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`diff | wc -l: ${r.stderr}`);
  return Number(r.stdout.trim());
}
