/**
 * UI benchmark 3: a keystroke to its echo on screen, during an output flood.
 *
 * The method. A flood that scrolls the whole pane (`yes`) scrolls any echo
 * off the app's emulator long before the next frame (tens of thousands of
 * lines per frame interval), so the echo could never be seen and nothing
 * would be measured. The flood here still goes to the terminal and still
 * scrolls, but inside a scroll region: the shell sets DECSTBM to pane rows
 * 12..bottom, and a background loop writes, as fast as it can,
 *   ESC[s  ESC[<bottom>;1H  ESC D  "flood <i>"  ESC[u
 * (save the cursor, go to the region's last row, scroll the region up one
 * line, write, restore the cursor) in one write() per line; printf's text
 * has no newline, so stdio does not split it and the line editor's echo
 * cannot land inside it. The prompt sits on row 3, above the region, so the
 * typed text stays put while the app parses and draws the flood.
 *
 * A sample is one keystroke: the characters of `K1K2K3…`, typed one at a
 * time, 40–80 ms apart at random; timed from the pty write until our
 * emulator has parsed a screen whose prompt row reads `/ # ` + everything
 * typed so far. Ctrl-U (untimed) clears the line every 40 characters. The
 * same is done first at a quiet prompt, as the reference.
 */
import { performance } from 'node:perf_hooks';
import { PANE_ROWS, paneText, sleep, type AppSession } from './ui-driver.js';

const LINE_MAX = 40;

/** The shell pane's rows, as text. */
const pane = (lines: string[]): string[] => lines.slice(1, 1 + PANE_ROWS).map(paneText);

async function clearLine(app: AppSession): Promise<void> {
  app.type('\x15');
  await app.waitFor((l) => pane(l).includes('/ #'), 5000, 'an empty prompt');
}

/** n keystrokes at an empty prompt; latencies in ms. */
export async function typeKeys(
  app: AppSession,
  n: number,
  onSample: (i: number, total: number) => void,
): Promise<number[]> {
  const out: number[] = [];
  let typed = '';
  let queue = '';
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (queue === '') queue = `K${++k}`;
    const c = queue.charAt(0);
    queue = queue.slice(1);
    const want = `/ # ${typed}${c}`;
    const t0 = performance.now();
    app.type(c);
    const at = await app.waitFor((l) => pane(l).includes(want), 5000, want);
    out.push(at - t0);
    typed += c;
    onSample(i + 1, n);
    await sleep(40 + Math.random() * 40);
    if (typed.length >= LINE_MAX) {
      await clearLine(app);
      typed = '';
    }
  }
  await clearLine(app);
  return out;
}

/** The highest `flood N` on screen (retried: a frame may be half drawn when read). */
async function floodCounter(app: AppSession): Promise<number> {
  for (let i = 0; i < 10; i++) {
    const seen = app
      .lines()
      .map((l) => /^flood (\d+)/.exec(paneText(l))?.[1])
      .filter((x): x is string => x !== undefined)
      .map(Number);
    if (seen.length > 0) return Math.max(...seen);
    await sleep(20);
  }
  return Number.NaN;
}

export interface FloodStats {
  wallMs: number;
  linesPerS: number;
  /** Bytes of flood per second (about 27 bytes a line). */
  floodBytesPerS: number;
  appFramesPerS: number;
  appBytesPerS: number;
}

export async function benchFloodKeys(
  app: AppSession,
  n: number,
  onSample: (i: number, total: number) => void,
): Promise<{ keys: number[]; stats: FloodStats }> {
  const bottom = PANE_ROWS;
  app.type(`clear; printf '\\033[12;${bottom}r\\033[3;1H'\r`);
  await app.waitFor((l) => pane(l)[2] === '/ #', 5000, 'the prompt on row 3');
  app.type(`e='\\033[s\\033[${bottom};1H\\033Dflood %d\\033[u'\r`);
  await app.waitFor((l) => pane(l)[3] === '/ #', 5000, 'the prompt on row 4');
  app.type('i=0; while :; do i=$((i+1)); printf "$e" $i; done &\r');
  await app.waitForText(/^flood \d+/m, 5000);
  await sleep(500); // let it reach full speed
  const c0 = await floodCounter(app);
  const f0 = app.frames;
  const b0 = app.bytesIn;
  const t0 = performance.now();
  let keys: number[];
  let end = { c: Number.NaN, f: Number.NaN, b: Number.NaN, wall: Number.NaN };
  try {
    keys = await typeKeys(app, n, onSample);
    const [f, b, wall] = [app.frames, app.bytesIn, performance.now() - t0];
    end = { c: await floodCounter(app), f, b, wall };
  } finally {
    await stopFlood(app);
  }
  const perS = (x: number): number => (1000 * x) / end.wall;
  const lineBytes = `\x1b[s\x1b[${bottom};1H\x1bDflood ${Math.round((c0 + end.c) / 2)}\x1b[u`
    .length;
  return {
    keys,
    stats: {
      wallMs: end.wall,
      linesPerS: perS(end.c - c0),
      floodBytesPerS: perS((end.c - c0) * lineBytes),
      appFramesPerS: perS(end.f - f0),
      appBytesPerS: perS(end.b - b0),
    },
  };
}

/** Kills the loop and resets the scroll region; returns once no flood line is drawn any more. */
async function stopFlood(app: AppSession): Promise<void> {
  app.type(`\x15kill $!; printf '\\033[r'\r`);
  // ash reports "[1]+ Terminated" before one of the next prompts: let it.
  await app.waitForText(/Terminated/, 3000).catch(() => undefined);
  for (let i = 1; i <= 5; i++) {
    try {
      await app.clear(`flood-stopped-${i}`);
    } catch {
      continue; // a late job report pushed the prompt down: clear again
    }
    await sleep(200);
    if (!/flood \d+/.test(app.lines().map(paneText).join('\n'))) return;
  }
  throw new Error('the flood did not stop');
}
