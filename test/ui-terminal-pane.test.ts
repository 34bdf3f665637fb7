/**
 * TerminalPane rendered by ink-testing-library (which renders in Ink's debug
 * mode: every frame is written, also under CI=true). Plain .ts with
 * createElement, as the other UI tests.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createElement } from 'react';
import { TerminalScreen } from '../src/ui/terminal/terminal-screen.js';
import type { CellRun } from '../src/ui/terminal/snapshot.js';

// chalk (inside Ink) picks its colour level when first imported, and a
// test's stdout is no TTY: force colours before Ink is loaded.
process.env.FORCE_COLOR = '1';
let inkTesting: typeof import('ink-testing-library');
let TerminalPane: typeof import('../src/ui/terminal/TerminalPane.js').TerminalPane;
beforeAll(async () => {
  inkTesting = await import('ink-testing-library');
  ({ TerminalPane } = await import('../src/ui/terminal/TerminalPane.js'));
});

const screens: TerminalScreen[] = [];
afterEach(() => {
  inkTesting.cleanup();
  for (const s of screens.splice(0)) s.dispose();
});

function newScreen(): TerminalScreen {
  const screen = new TerminalScreen({ cols: 80, rows: 24, frameIntervalMs: 10 });
  screens.push(screen);
  return screen;
}

/** The escape sequence that sets SGR attribute `n`. */
const sgr = (n: number): string => `\x1b[${n}m`;

// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '');

function pane(screen: TerminalScreen, width: number, height: number, focused: boolean) {
  return createElement(TerminalPane, { screen, width, height, focused });
}

describe('TerminalPane', () => {
  it('draws the text with its colours and attributes as ANSI', async () => {
    const screen = newScreen();
    const { lastFrame } = inkTesting.render(pane(screen, 30, 4, false));
    screen.write('\x1b[1;31mred\x1b[0m plain \x1b[4;44mblue\x1b[0m \x1b[3;2mdim\x1b[0m');
    await vi.waitFor(() => expect(stripAnsi(lastFrame() ?? '')).toContain('red plain blue dim'));
    const frame = lastFrame() ?? '';
    expect(frame).toContain(sgr(31)); // red foreground
    expect(frame).toContain(sgr(1)); // bold
    expect(frame).toContain(sgr(44)); // blue background
    expect(frame).toContain(sgr(4)); // underline
    expect(frame).toContain(sgr(3)); // italic
    expect(frame).toContain(sgr(2)); // dim
    // Unfocused: no inverted cursor cell.
    expect(frame).not.toContain(sgr(7));
  });

  it('covers exactly width x height and resizes the screen to it', async () => {
    const screen = newScreen();
    const { lastFrame, rerender } = inkTesting.render(pane(screen, 12, 3, true));
    await vi.waitFor(() => expect([screen.cols, screen.rows]).toEqual([12, 3]));
    screen.write('0123456789abcdef\r\nwide 中文');
    const lines = (): string[] => stripAnsi(lastFrame() ?? '').split('\n');
    await vi.waitFor(() => expect(lines()[2]?.trimEnd()).toBe('wide 中文'));
    expect(lines()).toHaveLength(3);
    expect(lines()[0]).toBe('0123456789ab');
    expect(lines()[1]).toBe('cdef');
    rerender(pane(screen, 20, 5, true));
    await vi.waitFor(() => expect([screen.cols, screen.rows]).toEqual([20, 5]));
    await vi.waitFor(() => expect(lines()).toHaveLength(5));
  });

  it('draws the cursor as an inverted cell only while focused', async () => {
    const screen = newScreen();
    const { lastFrame, rerender } = inkTesting.render(pane(screen, 20, 2, true));
    screen.write('$ ');
    // The cell after "$ " is inverted.
    await vi.waitFor(() => expect(lastFrame()).toContain(`$ ${sgr(7)} ${sgr(27)}`));
    rerender(pane(screen, 20, 2, false));
    await vi.waitFor(() => expect(lastFrame()).not.toContain(sgr(7)));
    rerender(pane(screen, 20, 2, true));
    await vi.waitFor(() => expect(lastFrame()).toContain(sgr(7)));
    // A hidden cursor (DECTCEM) is not drawn even with focus.
    screen.write('\x1b[?25l');
    await vi.waitFor(() => expect(lastFrame()).not.toContain(sgr(7)));
  });

  it('redraws at the frame rate, not per write', async () => {
    const screen = new TerminalScreen({ cols: 20, rows: 2, frameIntervalMs: 33 });
    screens.push(screen);
    const { frames } = inkTesting.render(pane(screen, 20, 2, false));
    await vi.waitFor(() => expect([screen.cols, screen.rows]).toEqual([20, 2]));
    const before = frames.length;
    const start = performance.now();
    for (let i = 0; i < 2000; i++) screen.write(`${i}\r\n`);
    screen.write('end');
    await vi.waitFor(() => expect(stripAnsi(frames.at(-1) ?? '')).toContain('end'));
    const elapsed = performance.now() - start;
    // 2001 writes, but at most one Ink frame per 33 ms (and the first at once).
    expect(frames.length - before).toBeLessThanOrEqual(Math.ceil(elapsed / 33) + 2);
  });
});

describe('what the pane hands Ink', () => {
  const run = (text: string, extra: Partial<CellRun> = {}): CellRun => ({
    text,
    cells: text.length,
    bold: false,
    dim: false,
    italic: false,
    underline: false,
    strikethrough: false,
    inverse: false,
    cursor: false,
    ...extra,
  });

  it('leaves out trailing default blanks, but never a coloured blank or the cursor', async () => {
    const { visibleRuns } = await import('../src/ui/terminal/TerminalPane.js');
    const text = run('/ # ls');
    expect(visibleRuns([text, run(' '.repeat(70))], true)).toEqual([text]);
    expect(visibleRuns([run(' '.repeat(80))], true)).toEqual([]);
    const bg = run('   ', { bg: 'blue' });
    expect(visibleRuns([text, bg, run('  ')], true)).toEqual([text, bg]);
    const cursor = run(' ', { cursor: true });
    expect(visibleRuns([text, cursor, run(' '.repeat(10))], true)).toEqual([text, cursor]);
    // The cursor is not drawn while another pane has focus: its cell is a plain blank then.
    expect(visibleRuns([text, cursor, run(' '.repeat(10))], false)).toEqual([text]);
    const underlined = run('  ', { underline: true });
    expect(visibleRuns([text, underlined], true)).toEqual([text, underlined]);
  });
});
