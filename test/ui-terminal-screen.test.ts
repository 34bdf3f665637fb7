import { afterEach, describe, expect, it, vi } from 'vitest';
import pty from 'node-pty';
import { TerminalScreen } from '../src/ui/terminal/terminal-screen.js';
import { attachPty } from '../src/ui/terminal/attach-pty.js';
import type { CellRun, ScreenSnapshot } from '../src/ui/terminal/snapshot.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanups.splice(0).reverse()) fn();
});

function newScreen(cols = 40, rows = 6, frameIntervalMs?: number): TerminalScreen {
  const screen = new TerminalScreen({
    cols,
    rows,
    ...(frameIntervalMs === undefined ? {} : { frameIntervalMs }),
  });
  cleanups.push(() => screen.dispose());
  return screen;
}

/**
 * Runs `script` under /bin/sh in a real pty attached to `screen`; resolves
 * with its exit code once its output has been read and parsed. node-pty may
 * report the exit before the last output (more so while flow control holds
 * the pty paused), so "done" is: exited, then 100 ms without output.
 */
function runInPty(screen: TerminalScreen, script: string): Promise<number> {
  const proc = pty.spawn('/bin/sh', ['-c', script], {
    name: 'xterm-256color',
    cols: screen.cols,
    rows: screen.rows,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm-256color' },
  });
  const detach = attachPty(proc, screen);
  let lastOutput = performance.now();
  const output = proc.onData(() => (lastOutput = performance.now()));
  cleanups.push(() => {
    output.dispose();
    detach();
    proc.kill();
  });
  return new Promise<number>((resolve) => proc.onExit(({ exitCode }) => resolve(exitCode))).then(
    async (code) => {
      while (performance.now() - lastOutput < 100) await sleep(20);
      await parsed(screen);
      return code;
    },
  );
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once every byte written so far has been parsed. */
function parsed(screen: TerminalScreen): Promise<void> {
  return new Promise((resolve) => screen.write('', resolve));
}

function rowText(snap: ScreenSnapshot, y: number): string {
  return (snap.lines[y] ?? []).map((r) => r.text).join('');
}

function runAt(snap: ScreenSnapshot, y: number, x: number): CellRun | undefined {
  let col = 0;
  for (const run of snap.lines[y] ?? []) {
    if (x < col + run.cells) return run;
    col += run.cells;
  }
  return undefined;
}

describe('TerminalScreen over a real pty', () => {
  it('reads colours, attributes and wide characters from the emulator', async () => {
    const screen = newScreen();
    const code = await runInPty(
      screen,
      "printf '\\033[1;31mred\\033[0m wide:\\344\\270\\255 end \\033[4;38;5;200mu\\033[0m" +
        " \\033[7;48;2;1;2;3mrgb\\033[0m\\033[?25l'",
    );
    expect(code).toBe(0);
    await parsed(screen);
    const snap = screen.snapshot();
    expect(snap.lines).toHaveLength(6);
    for (const line of snap.lines) {
      expect(line.reduce((n, r) => n + r.cells, 0)).toBe(40);
    }
    expect(rowText(snap, 0)).toMatch(/^red wide:中 end u rgb\s*$/);
    expect(runAt(snap, 0, 0)).toMatchObject({ text: 'red', fg: 'red', bold: true });
    // The wide character is one 2-cell glyph; the 0-width cell after it is skipped.
    const wide = runAt(snap, 0, 9);
    expect(wide?.text).toContain('中');
    expect(runAt(snap, 0, 10)).toBe(wide);
    expect(runAt(snap, 0, 16)).toMatchObject({ text: 'u', fg: 'ansi256(200)', underline: true });
    expect(runAt(snap, 0, 18)).toMatchObject({ text: 'rgb', bg: '#010203', inverse: true });
    expect(runAt(snap, 0, 3)?.fg).toBeUndefined();
    // The script hid the cursor (DECTCEM).
    expect(snap.cursor.visible).toBe(false);
  });

  it('answers a cursor position query through onReply, back to the pty', async () => {
    const screen = newScreen();
    // The shell reads the reply from its stdin (the pty) and prints it back.
    const code = await runInPty(
      screen,
      "stty raw -echo; printf 'abc\\033[6n'; r=$(dd bs=1 count=6 2>/dev/null | od -An -c);" +
        ' printf \'\\r\\nreply:%s\\r\\n\' "$r"',
    );
    expect(code).toBe(0);
    await parsed(screen);
    const text = screen.snapshot().lines.map((_, y) => rowText(screen.snapshot(), y));
    // ESC [ 1 ; 4 R: row 1, column 4 (after "abc").
    expect(text.join('\n')).toMatch(/reply:\s*033\s+\[\s+1\s+;\s+4\s+R/);
  });

  it('shows the cursor where the shell left it', async () => {
    const screen = newScreen();
    await runInPty(screen, "printf 'ab\\r\\ncd'");
    await parsed(screen);
    const snap = screen.snapshot();
    expect(snap.cursor).toEqual({ x: 2, y: 1, visible: true });
    // The cursor cell is a run of its own.
    expect(runAt(snap, 1, 2)).toMatchObject({ cursor: true, cells: 1, text: ' ' });
  });

  it('resizes the pty with the screen', async () => {
    const screen = newScreen();
    const proc = pty.spawn('/bin/sh', ['-c', 'sleep 0.3; stty size'], {
      cols: 10,
      rows: 3,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    const detach = attachPty(proc, screen);
    cleanups.push(detach);
    screen.resize(33, 7);
    await new Promise<void>((resolve) => proc.onExit(() => resolve()));
    await parsed(screen);
    expect(rowText(screen.snapshot(), 0).trim()).toBe('7 33');
  });
});

describe('TerminalScreen frames', () => {
  it('throttles a flood to about 30 frames a second and keeps the last write', async () => {
    const screen = newScreen(40, 6);
    const frames: number[] = [];
    let lastFrameText = '';
    screen.onFrame(() => {
      frames.push(performance.now());
      lastFrameText = rowText(screen.getFrame(), 5);
    });
    const start = performance.now();
    let n = 0;
    // Many small writes spread over ~600 ms.
    while (performance.now() - start < 600) {
      screen.write(`line ${++n}\r\n`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    screen.write(`last ${n}`);
    await parsed(screen);
    // The trailing frame shows the very last write.
    await vi.waitFor(() => expect(lastFrameText.trim()).toBe(`last ${n}`));
    const elapsed = (frames.at(-1) ?? start) - (frames[0] ?? start);
    expect(n).toBeGreaterThan(200);
    // One frame per 33 ms at most (plus the first one).
    expect(frames.length).toBeLessThanOrEqual(Math.floor(elapsed / 33) + 2);
    expect(frames.length).toBeGreaterThan(5);
    for (let i = 1; i < frames.length; i++) {
      expect((frames[i] ?? 0) - (frames[i - 1] ?? 0)).toBeGreaterThanOrEqual(30);
    }
  });

  it('survives `yes | head -n 200000` from a real pty at a bounded frame rate', async () => {
    const screen = newScreen(40, 6);
    let frames = 0;
    screen.onFrame(() => frames++);
    const start = performance.now();
    // The sleep keeps the pty open while xterm catches up: node-pty destroys
    // the socket 200 ms after the child exits, dropping output that flow
    // control (a paused pty) had left unread.
    const code = await runInPty(screen, "yes | head -n 200000; printf 'flood done'; sleep 0.5");
    await parsed(screen);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const seconds = (performance.now() - start) / 1000;
    expect(code).toBe(0);
    expect(frames).toBeLessThanOrEqual(Math.ceil(seconds * 31) + 2);
    expect(rowText(screen.getFrame(), 5).trim()).toBe('flood done');
    expect(rowText(screen.getFrame(), 4).trim()).toBe('y');
  });

  it('keeps getFrame stable between frames and fresh after one', async () => {
    const screen = newScreen(20, 3);
    const first = screen.getFrame();
    expect(screen.getFrame()).toBe(first);
    const frame = new Promise<void>((resolve) => screen.onFrame(resolve));
    screen.write('hello');
    await frame;
    const second = screen.getFrame();
    expect(second).not.toBe(first);
    expect(rowText(second, 0).trim()).toBe('hello');
  });
});

describe('reset', () => {
  it('lands after output written before it, which never shows on the new screen', async () => {
    const screen = newScreen();
    screen.write('old shell');
    screen.write(' more'); // still queued in xterm when the reset comes
    const seen: string[] = [];
    screen.onFrame(() => seen.push((screen.getFrame().lines[0] ?? []).map((r) => r.text).join('')));
    screen.reset();
    // Blank at once, for the pane: a restart never shows the old shell's last frame.
    expect(seen.at(-1)?.trim()).toBe('');
    const parsed = new Promise<void>((resolve) => screen.write('new shell', resolve));
    await parsed;
    const row0 = (screen.snapshot().lines[0] ?? []).map((r) => r.text).join('');
    expect(row0.trimEnd()).toBe('new shell');
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.filter((row) => /old|more/.test(row))).toEqual([]);
    expect(seen.at(-1)?.trimEnd()).toBe('new shell');
  });
});
