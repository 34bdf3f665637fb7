/**
 * UI benchmark 2: a write in the container to the change on screen.
 *
 * Sample n types `echo n >> /etc/fn` (a new file each time), waits untimed
 * until the shell has echoed that line, then writes Enter and times until
 * our emulator has parsed a screen whose feed shows `new /etc/fn`, and, as
 * a reference, until the shell's next prompt is on screen below the
 * command (the shell's own round trip through the app). Nothing is
 * subtracted. Samples are spaced 100–150 ms apart at random, so they do
 * not line up with the app's 33 ms frame throttle.
 */
import { performance } from 'node:perf_hooks';
import { paneText, sleep, type AppSession } from './ui-driver.js';

export interface FeedSeries {
  /** Enter -> the event `new /etc/fN` in the feed. */
  feed: number[];
  /** Enter -> the next prompt below the command line. */
  prompt: number[];
}

export async function benchFeed(
  app: AppSession,
  samples: number,
  onSample: (i: number, total: number) => void,
): Promise<FeedSeries> {
  const out: FeedSeries = { feed: [], prompt: [] };
  // From 1 up: the run-all summary counts these as the session's files.
  for (let n = 1; n <= samples; n++) {
    const cmd = `/ # echo ${n} >> /etc/f${n}`;
    app.type(cmd.slice(4));
    await app.waitFor((l) => lineIndex(l, cmd) >= 0, 5000, `the typed ${cmd}`);
    const event = new RegExp(`new\\s+/etc/f${n}(?!\\d)`);
    const t0 = performance.now();
    app.type('\r');
    const [feedAt, promptAt] = await Promise.all([
      app.waitForText(event, 5000),
      app.waitFor(
        (l) => {
          const i = lineIndex(l, cmd);
          return i >= 0 && (l[i + 1] ?? '').startsWith('/ # ');
        },
        5000,
        `a prompt after ${cmd}`,
      ),
    ]);
    out.feed.push(feedAt - t0);
    out.prompt.push(promptAt - t0);
    onSample(n, samples);
    await sleep(100 + Math.random() * 50);
    // A clear screen now and then keeps the command lines in the viewport.
    if (n % 20 === 0) {
      await app.clear(`cleared-after-${n}`);
    }
  }
  return out;
}

/** The row (of the whole screen) whose shell-pane part is exactly text. */
function lineIndex(lines: string[], text: string): number {
  return lines.findIndex((l) => paneText(l) === text);
}
