/**
 * UI benchmark 1: launch to the first frame that shows the shell's prompt.
 *
 * Three commands, interleaved (the first one rotates every round): the app
 * (`overlay-tui --root R` in a pty, timed from the pty's spawn until our
 * emulator has parsed a screen showing `/ # `), and as references
 * `node -e 0` and the headless `overlay-tui run --root R -- true` (stdin
 * ignored, as container-run.ts times it). Every app round ends with `exit`
 * typed and the app's own exit awaited; that exit is timed too.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { cliBin } from './lib/paths.js';
import { AppSession } from './ui-driver.js';

export interface LaunchSeries {
  /** spawn -> a parsed screen showing `/ # ` (the target's figure). */
  prompt: number[];
  /** spawn -> the app's first output byte (the alternate screen switch). */
  firstByte: number[];
  /** spawn -> ink's first frame (the pane titles on screen). */
  firstFrame: number[];
  /** `exit` typed -> the app's process has exited (teardown included). */
  exit: number[];
  node: number[];
  headless: number[];
}

function timeSync(argv: string[]): number {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('empty command');
  const t0 = performance.now();
  const r = spawnSync(file, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

async function launchOnce(root: string): Promise<{
  prompt: number;
  firstByte: number;
  firstFrame: number;
  exit: number;
}> {
  const app = await AppSession.start(['--root', root]);
  const frame = app.waitForText(/ shell \(/, 15_000);
  const prompt = await app.waitForText(/\/ # /, 15_000);
  const firstFrame = await frame;
  const typed = performance.now();
  const exit = await app.exit();
  if (exit.code !== 0) throw new Error(`the app exited with ${exit.code}`);
  return {
    prompt: prompt - app.t0,
    firstByte: app.firstByteAt - app.t0,
    firstFrame: firstFrame - app.t0,
    exit: exit.at - typed,
  };
}

export async function benchLaunch(
  root: string,
  rounds: number,
  warmup: number,
  onRound: (round: number, total: number) => void,
): Promise<LaunchSeries> {
  const out: LaunchSeries = {
    prompt: [],
    firstByte: [],
    firstFrame: [],
    exit: [],
    node: [],
    headless: [],
  };
  const total = warmup + rounds;
  const steps: ((keep: boolean) => Promise<void>)[] = [
    async (keep) => {
      const r = await launchOnce(root);
      if (!keep) return;
      out.prompt.push(r.prompt);
      out.firstByte.push(r.firstByte);
      out.firstFrame.push(r.firstFrame);
      out.exit.push(r.exit);
    },
    async (keep) => {
      const t = timeSync([process.execPath, '-e', '0']);
      if (keep) out.node.push(t);
    },
    async (keep) => {
      const t = timeSync([process.execPath, cliBin, 'run', '--root', root, '--', 'true']);
      if (keep) out.headless.push(t);
    },
  ];
  for (let round = 0; round < total; round++) {
    for (let k = 0; k < steps.length; k++) {
      await yieldToLoop();
      await steps[(round + k) % steps.length]?.(round >= warmup);
    }
    onRound(round + 1, total);
  }
  return out;
}
