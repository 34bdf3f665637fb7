/**
 * TreePane and Legend rendered by ink-testing-library, and the pure layout
 * helpers under them. Plain .ts with createElement, as the other UI tests.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createElement } from 'react';
import type { TreeRow } from '../src/ui/trees/tree-rows.js';
import { compactBytes, humanBytes } from '../src/engine/human-bytes.js';
import { cellWidth, fitCells, printable, scrollOffset } from '../src/ui/trees/row-layout.js';

// chalk (inside Ink) picks its colour level when first imported, and a
// test's stdout is no TTY: force colours before Ink is loaded.
process.env.FORCE_COLOR = '1';
let inkTesting: typeof import('ink-testing-library');
let TreePane: typeof import('../src/ui/trees/TreePane.js').TreePane;
let Legend: typeof import('../src/ui/trees/Legend.js').Legend;
beforeAll(async () => {
  inkTesting = await import('ink-testing-library');
  ({ TreePane } = await import('../src/ui/trees/TreePane.js'));
  ({ Legend } = await import('../src/ui/trees/Legend.js'));
});
afterEach(() => inkTesting.cleanup());

const sgr = (n: number): string => `\x1b[${n}m`;
// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '');

function row(path: string, extra: Partial<TreeRow> = {}): TreeRow {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const depth = path.split('/').length - 2;
  return {
    path,
    name,
    depth,
    type: 'file',
    expandable: false,
    expanded: false,
    state: 'visible',
    ...extra,
  };
}

/** /f00 … /f(n-1), each with a size. */
const numbered = (n: number): TreeRow[] =>
  Array.from({ length: n }, (_, i) => row(`/f${String(i).padStart(2, '0')}`, { size: i }));

interface PaneArgs {
  rows: readonly TreeRow[];
  selected?: string;
  focused?: boolean;
  width?: number;
  height?: number;
}
const pane = ({ rows, selected = '', focused = true, width = 40, height = 6 }: PaneArgs) =>
  createElement(TreePane, { title: 'upper', rows, selected, focused, width, height });

function lines(frame: string | undefined): string[] {
  return stripAnsi(frame ?? '').split('\n');
}

describe('TreePane', () => {
  it('is exactly height lines, none wider than width, sizes on the right edge', () => {
    const { lastFrame } = inkTesting.render(pane({ rows: numbered(20), selected: '/f00' }));
    const shown = lines(lastFrame());
    expect(shown).toHaveLength(6);
    expect(shown[0]).toMatch(/^ upper +1\/20 $/);
    // (Ink drops the blank last cell, the gutter before the next pane.)
    for (const line of shown) expect(cellWidth(line)).toBeGreaterThanOrEqual(39);
    for (const line of shown) expect(cellWidth(line)).toBeLessThanOrEqual(40);
    expect(shown[1]).toMatch(/^ {4}f00 +0 ?$/);
    // Fewer rows than room: still height lines.
    const few = inkTesting.render(pane({ rows: numbered(2), selected: '/f00' }));
    expect(lines(few.lastFrame())).toHaveLength(6);
  });

  it('scrolls to the selection and keeps the window still while it stays in view', () => {
    const rows = numbered(20);
    const first = (frame: string | undefined) => lines(frame)[1]?.trim().split(/ +/)[0];
    const { lastFrame, rerender } = inkTesting.render(pane({ rows, selected: '/f10' }));
    expect(first(lastFrame())).toBe('f06'); // f10 on the last of 5 row lines
    expect(lines(lastFrame())[5]).toContain('f10');
    rerender(pane({ rows, selected: '/f08' }));
    expect(first(lastFrame())).toBe('f06');
    rerender(pane({ rows, selected: '/f03' }));
    expect(first(lastFrame())).toBe('f03');
    // A path this pane does not have: nothing highlighted, window unmoved.
    rerender(pane({ rows, selected: '/elsewhere' }));
    expect(first(lastFrame())).toBe('f03');
    expect(lines(lastFrame())[0]).toContain('-/20');
    expect(lastFrame()?.split('\n').slice(1).join('\n')).not.toContain(sgr(7));
  });

  it('inverts the selected row when focused, bold and underlined when not', () => {
    const rows = numbered(3);
    const { lastFrame, rerender } = inkTesting.render(pane({ rows, selected: '/f01' }));
    const raw = () => lastFrame()?.split('\n') ?? [];
    expect(raw()[0]).toContain(sgr(7)); // the focused title
    expect(raw()[2]).toContain(sgr(7));
    expect(raw()[1]).not.toContain(sgr(7));
    rerender(pane({ rows, selected: '/f01', focused: false }));
    expect(lastFrame()).not.toContain(sgr(7));
    expect(raw()[2]).toContain(sgr(1));
    expect(raw()[2]).toContain(sgr(4));
    expect(raw()[1]).not.toContain(sgr(4));
  });

  it('marks and colours each state, indents by depth, shows links and sizes', () => {
    const rows: TreeRow[] = [
      row('/etc', { type: 'dir', expandable: true, expanded: true, state: 'metadata' }),
      row('/etc/passwd', { state: 'copied-up', size: 1234 }),
      row('/etc/new', { state: 'new', size: 3 * 1024 * 1024 }),
      row('/etc/gone', { type: 'char', state: 'whiteout' }),
      row('/opt', { type: 'dir', expandable: true, state: 'opaque' }),
      row('/sh', { type: 'symlink', state: 'shadowed', target: '/bin/busybox' }),
    ];
    const { lastFrame } = inkTesting.render(pane({ rows, height: 8 }));
    const shown = lines(lastFrame());
    expect(shown.slice(1, 7).map((l) => l.trimEnd())).toEqual([
      '▾ ~ etc',
      '    ^ passwd                       1.2k',
      '    + new                          3.0M',
      '    ✗ gone',
      '▸ # opt',
      '  - sh -> /bin/busybox',
    ]);
    const raw = lastFrame()?.split('\n') ?? [];
    expect(raw[1]).toContain(sgr(36)); // cyan metadata
    expect(raw[2]).toContain(sgr(33)); // yellow copied-up
    expect(raw[3]).toContain(sgr(32)); // green new
    expect(raw[4]).toContain(sgr(31)); // red whiteout
    expect(raw[5]).toContain(sgr(35)); // magenta opaque
    expect(raw[6]).toContain(sgr(2)); // dim shadowed
  });

  it('fits long, wide and hostile names into the width', () => {
    // Names are byte strings (src/overlay/byte-path.ts): UTF-8 bytes, one char each.
    const bytes = (s: string) => Buffer.from(s).toString('latin1');
    const rows = [
      row('/' + 'x'.repeat(80), { size: 5 }),
      row(bytes('/中文名字'), { size: 5 }),
      row(bytes('/evil\x1b[2Jname\nnext')),
    ];
    const { lastFrame } = inkTesting.render(pane({ rows, width: 30, height: 4 }));
    const shown = lines(lastFrame());
    expect(shown).toHaveLength(4);
    expect(shown[1]?.trimEnd()).toBe(`    ${'x'.repeat(18)}…     5`);
    expect(shown[2]).toMatch(/^ {4}中文名字 +5 ?$/);
    expect(shown[3]?.trimEnd()).toMatch(/^ {4}evil\\x1b\[2Jname\\n/); // escaped, as ls -b
    expect(lastFrame()).not.toContain('\x1b[2J');
    for (const line of shown.slice(0, 3)) expect(cellWidth(line)).toBeLessThanOrEqual(30);
  });

  it('says when it has no rows', () => {
    const { lastFrame } = inkTesting.render(pane({ rows: [] }));
    expect(lines(lastFrame())[0]).toContain('0/0');
    expect(lines(lastFrame())[1]?.trim()).toBe('(empty)');
  });
});

describe('Legend', () => {
  it('explains every mark in its colour, in one line cut to the width', () => {
    const { lastFrame, rerender } = inkTesting.render(createElement(Legend, { width: 120 }));
    const text = stripAnsi(lastFrame() ?? '');
    expect(text.trim()).toBe(
      '+ new  ^ copied-up  ~ metadata  ✗ whiteout  # opaque  → redirect  - shadowed  · hidden',
    );
    for (const colour of [32, 33, 36, 31, 35, 34, 2]) expect(lastFrame()).toContain(sgr(colour));
    rerender(createElement(Legend, { width: 20 }));
    const cut = lines(lastFrame());
    expect(cut).toHaveLength(1);
    expect(cellWidth(cut[0] ?? '')).toBeLessThanOrEqual(20);
  });
});

describe('row layout', () => {
  it('writes sizes as ls -h does, in at most 5 characters', () => {
    const cases: [number, string][] = [
      [0, '0'],
      [1023, '1023'],
      [1024, '1.0k'],
      [1234, '1.2k'],
      [10 * 1024, '10k'],
      [1023.9 * 1024, '1.0M'],
      [5 * 1024 ** 3, '5.0G'],
    ];
    for (const [bytes, text] of cases) expect(compactBytes(bytes)).toBe(text);
    for (let b = 1; b < 2 ** 50; b *= 3) expect(compactBytes(b).length).toBeLessThanOrEqual(5);
  });

  it('writes sizes in text in the same binary units, named', () => {
    const cases: [number, string][] = [
      [0, '0 B'],
      [1023, '1023 B'],
      [1234, '1.2 KiB'],
      [10 * 1024, '10 KiB'],
      [1023.9 * 1024, '1.0 MiB'],
      [5 * 1024 ** 3, '5.0 GiB'],
    ];
    for (const [bytes, text] of cases) expect(humanBytes(bytes)).toBe(text);
  });

  it('moves the window only when the selection leaves it', () => {
    expect(scrollOffset(0, 3, 5, 20)).toBe(0);
    expect(scrollOffset(0, 7, 5, 20)).toBe(3);
    expect(scrollOffset(3, 5, 5, 20)).toBe(3);
    expect(scrollOffset(3, 1, 5, 20)).toBe(1);
    expect(scrollOffset(3, -1, 5, 20)).toBe(3);
    // Rows removed below: no empty space under the last row.
    expect(scrollOffset(10, 11, 5, 12)).toBe(7);
    expect(scrollOffset(4, 0, 5, 3)).toBe(0);
  });

  it('measures and fits text in terminal cells', () => {
    expect(cellWidth('abc')).toBe(3);
    expect(cellWidth('中文')).toBe(4);
    expect(cellWidth('e\u0301')).toBe(1);
    expect(fitCells('abc', 5)).toBe('abc  ');
    expect(fitCells('abcdef', 4)).toBe('abc…');
    expect(fitCells('中文字', 4)).toBe('中… ');
    expect(printable('a\tb\u009bc')).toBe('a?b?c');
  });
});
