/**
 * The terminal emulator in its worker thread (the built dist/screen-worker.js,
 * which the app uses): frames, replies to queries, flow control, resize and
 * reset behave as TerminalScreen's in this thread do, and a real pty's
 * flood is parsed there while this thread stays free.
 */
import { afterEach, describe, expect, it } from 'vitest';
import pty from 'node-pty';
import { RemoteScreen } from '../src/ui/terminal/remote-screen.js';
import { attachPty } from '../src/ui/terminal/attach-pty.js';
import type { ScreenSnapshot } from '../src/ui/terminal/snapshot.js';
import { REPO } from './support/paths.js';

const WORKER = `${REPO}dist/screen-worker.js`;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanups.splice(0).reverse()) fn();
});

function newScreen(cols = 40, rows = 6): RemoteScreen {
  const screen = new RemoteScreen(WORKER, { cols, rows });
  cleanups.push(() => screen.dispose());
  return screen;
}

const rowText = (f: ScreenSnapshot, y: number) => (f.lines[y] ?? []).map((r) => r.text).join('');

/** Resolves with the first frame that satisfies ok (or rejects after ms). */
function frameWhere(
  screen: RemoteScreen,
  ok: (f: ScreenSnapshot) => boolean,
  ms = 3000,
): Promise<ScreenSnapshot> {
  return new Promise((resolve, reject) => {
    if (ok(screen.getFrame())) return resolve(screen.getFrame());
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no such frame; last: ${JSON.stringify(rowText(screen.getFrame(), 0))}`));
    }, ms);
    const off = screen.onFrame(() => {
      if (!ok(screen.getFrame())) return;
      clearTimeout(timer);
      off();
      resolve(screen.getFrame());
    });
  });
}

describe('RemoteScreen', () => {
  it('starts blank at its size, then draws what it is fed, with colours', async () => {
    const screen = newScreen(30, 4);
    expect(screen.getFrame()).toMatchObject({ cols: 30, rows: 4 });
    expect(rowText(screen.getFrame(), 0)).toBe(' '.repeat(30));
    screen.write('plain \x1b[31mred\x1b[0m');
    const f = await frameWhere(screen, (x) => rowText(x, 0).startsWith('plain red'));
    const red = f.lines[0]?.find((r) => r.text.startsWith('red'));
    expect(red?.fg).toBeDefined();
    expect(f.cursor).toMatchObject({ x: 9, y: 0, visible: true });
  });

  it('answers a cursor position query, and says when a write is parsed, in order', async () => {
    const screen = newScreen();
    const replies: string[] = [];
    screen.onReply((d) => replies.push(d));
    const parsed: number[] = [];
    screen.write('ab\r\ncd', () => parsed.push(1));
    screen.write('\x1b[6n', () => parsed.push(2));
    await frameWhere(screen, (f) => rowText(f, 1).startsWith('cd'));
    await new Promise((r) => setTimeout(r, 50));
    expect(parsed).toEqual([1, 2]);
    expect(replies.join('')).toBe('\x1b[2;3R');
  });

  it('takes a new size at once (the pty follows), and its frames follow', async () => {
    const screen = newScreen(20, 3);
    const sizes: string[] = [];
    screen.onResize((c, r) => sizes.push(`${c}x${r}`));
    screen.resize(33.7, 5);
    screen.resize(33, 5); // unchanged: no second call
    expect([screen.cols, screen.rows]).toEqual([33, 5]);
    expect(sizes).toEqual(['33x5']);
    screen.write('x');
    const f = await frameWhere(screen, (x) => x.cols === 33 && rowText(x, 0).startsWith('x'));
    expect(f.lines).toHaveLength(5);
  });

  it('is blank as soon as it is reset, and frames drawn before the reset never show', async () => {
    const screen = newScreen();
    screen.write('old shell');
    await frameWhere(screen, (f) => rowText(f, 0).startsWith('old shell'));
    const seen: string[] = [];
    screen.onFrame(() => seen.push(rowText(screen.getFrame(), 0).trim()));
    screen.write(' more'); // its frame may be under way when the reset is sent
    screen.reset();
    expect(rowText(screen.getFrame(), 0).trim()).toBe('');
    screen.write('new shell');
    await frameWhere(screen, (f) => rowText(f, 0).startsWith('new shell'));
    expect(seen.filter((s) => s.startsWith('old'))).toEqual([]);
  });

  it('parses a real flood in its thread and shows its end', async () => {
    const screen = newScreen(40, 6);
    // It stays alive after the flood: node-pty on Linux can drop what the
    // kernel still holds when the pty's process exits (node-pty issue 72).
    const proc = pty.spawn('/bin/sh', ['-c', 'seq 1 100000; echo done-$((6*7)); sleep 20'], {
      name: 'xterm-256color',
      cols: screen.cols,
      rows: screen.rows,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm-256color' },
    });
    const detach = attachPty(proc, screen);
    cleanups.push(() => {
      detach();
      proc.kill();
    });
    const f = await frameWhere(
      screen,
      (x) => x.lines.some((_, y) => rowText(x, y).startsWith('done-42')),
      15_000,
    );
    expect(f.lines.some((_, y) => rowText(f, y).startsWith('100000'))).toBe(true);
  }, 20_000);
});
