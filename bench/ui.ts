/**
 * Benchmark 4: the terminal UI (issue 4, "Speed"), driven as a person uses
 * it: `overlay-tui` in a real 200×50 pty, its screen parsed by the
 * project's TerminalScreen over @xterm/headless (ui-driver.ts).
 *
 * 1. launch to the prompt on screen, interleaved with `node -e 0` and the
 *    headless `run -- true` (ui-launch.ts);
 * then one app session, in this order:
 * 4. idle CPU right after start (ui-idle.ts);
 * 2. a write in the container to its event in the feed (ui-feed.ts);
 * 3. a keystroke to its echo, at a quiet prompt and during a flood
 *    (ui-flood.ts);
 * 4. idle CPU again, after all that (feed full, upper grown);
 * then `exit`, the app's exit code, and nothing left: no app process, no
 * container directory, no mount.
 */
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { cliBin } from './lib/paths.js';
import { progressDots } from './lib/measure.js';
import { makeSandbox, mountsUnder } from './lib/sandbox.js';
import { AppSession, COLS, killLiveApps, ROWS } from './ui-driver.js';
import { benchLaunch } from './ui-launch.js';
import { benchFeed } from './ui-feed.js';
import { benchFloodKeys, typeKeys } from './ui-flood.js';
import { measureIdle } from './ui-idle.js';
import { uiReport, type UiFigures } from './ui-report.js';

export interface UiOptions {
  launches: number;
  writes: number;
  keys: number;
  /** The idle window (default 10 s, after 2 s of settling). */
  idleMs?: number;
}

const SETTLE_MS = 2000;

/** Dots on stderr, one per 10 samples. */
function dots(label: string): (i: number, total: number) => void {
  const dot = progressDots(label);
  return (i, total) => {
    const rounds = Math.ceil(total / 10);
    if (i % 10 === 0 || i === total) dot(Math.ceil(i / 10), rounds);
  };
}

export async function benchUi(opts: UiOptions): Promise<{
  markdown: string;
  json: object;
  targets: string[][];
}> {
  const box = makeSandbox('ui');
  const root = join(box, 'root');
  // Untimed: extract the image once, so every launch is a warm one.
  const first = spawnSync(process.execPath, [cliBin, 'run', '--root', root, '--', 'true'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  if (first.status !== 0) throw new Error(`the first (extracting) run failed: ${first.stderr}`);
  const idleMs = opts.idleMs ?? 10_000;
  let figures: UiFigures;
  try {
    const launch = await benchLaunch(root, opts.launches, 2, progressDots('ui launch'));
    const app = await AppSession.start(['--root', root]);
    await app.waitForText(/\/ # /, 15_000);
    process.stderr.write(`ui idle: ${(SETTLE_MS + idleMs) / 1000} s\n`);
    const idleStart = await measureIdle(app, SETTLE_MS, idleMs);
    const feed = await benchFeed(app, opts.writes, dots('ui write → feed'));
    await app.clear('quiet-keys');
    const quietKeys = await typeKeys(app, opts.keys, dots('ui keys (quiet)'));
    const flood = await benchFloodKeys(app, opts.keys, dots('ui keys (flood)'));
    process.stderr.write(`ui idle again: ${(SETTLE_MS + idleMs) / 1000} s\n`);
    const idleAfter = await measureIdle(app, SETTLE_MS, idleMs);
    const exit = await app.exit();
    if (exit.code !== 0) throw new Error(`the app exited with ${exit.code}`);
    figures = {
      launch,
      feed,
      quietKeys,
      floodKeys: flood.keys,
      flood: flood.stats,
      idle: [
        { label: 'after start', ...idleStart },
        { label: `after ${opts.writes} writes and the flood`, ...idleAfter },
      ],
      exitCode: exit.code,
      context: { cols: COLS, rows: ROWS, root, loadavgAfter: loadavg() },
    };
  } finally {
    const killed = await killLiveApps();
    if (killed > 0) process.stderr.write(`bench: killed ${killed} app(s) left running\n`);
  }
  checkNothingLeft(root, box);
  return uiReport(figures);
}

/** Every app must have torn itself down: no container directory, no mount. */
function checkNothingLeft(root: string, box: string): void {
  const left = readdirSync(join(root, 'containers'));
  if (left.length > 0) throw new Error(`containers left behind in ${root}: ${left.join(', ')}`);
  const mounts = mountsUnder(box);
  if (mounts.length > 0) throw new Error(`mounts left behind: ${mounts.join(', ')}`);
}
