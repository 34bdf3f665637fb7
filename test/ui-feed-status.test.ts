/**
 * The feed, the status bar and the two legends rendered by
 * ink-testing-library: what they show, and what still fits at 80 columns.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createElement } from 'react';
import type { ChangeEvent } from '../src/overlay/index.js';

// chalk (inside Ink) picks its colour level when first imported, and a
// test's stdout is no TTY: force colours before Ink is loaded.
process.env.FORCE_COLOR = '1';
let inkTesting: typeof import('ink-testing-library');
let ui: {
  FeedPane: typeof import('../src/ui/app/FeedPane.js').FeedPane;
  StatusBar: typeof import('../src/ui/app/StatusBar.js').StatusBar;
  KeyLegend: typeof import('../src/ui/app/StatusBar.js').KeyLegend;
  keyLegend: typeof import('../src/ui/app/StatusBar.js').keyLegend;
  Legend: typeof import('../src/ui/trees/Legend.js').Legend;
  LEGEND_STATES: typeof import('../src/ui/trees/row-style.js').LEGEND_STATES;
  ROW_STYLES: typeof import('../src/ui/trees/row-style.js').ROW_STYLES;
};
beforeAll(async () => {
  inkTesting = await import('ink-testing-library');
  const [feed, status, legend, styles] = await Promise.all([
    import('../src/ui/app/FeedPane.js'),
    import('../src/ui/app/StatusBar.js'),
    import('../src/ui/trees/Legend.js'),
    import('../src/ui/trees/row-style.js'),
  ]);
  ui = { ...feed, ...status, ...legend, ...styles };
});
afterEach(() => inkTesting.cleanup());

// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '');
const frame = (el: ReturnType<typeof createElement>): string =>
  inkTesting.render(el).lastFrame() ?? '';
const lines = (el: ReturnType<typeof createElement>): string[] =>
  stripAnsi(frame(el))
    .split('\n')
    .map((l) => l.trimEnd());

const T = new Date(2026, 10, 28, 9, 30, 5).getTime();
// Newest first, as the store keeps them: the rm came after the echo.
const EVENTS: ChangeEvent[] = [
  {
    time: T + 1000,
    kind: 'delete',
    path: '/bin/ls',
    type: 'symlink',
    deleted: 'whiteout',
    command: 'rm /bin/ls',
  },
  {
    time: T,
    kind: 'copy-up',
    path: '/etc/passwd',
    type: 'file',
    changed: 'data',
    bytes: 116,
    size: 119,
    command: 'echo hi >> /etc/passwd',
  },
  {
    time: T,
    kind: 'copy-up',
    path: '/etc',
    type: 'dir',
    changed: 'none',
    command: 'echo hi >> /etc/passwd',
  },
];

describe('FeedPane', () => {
  it('shows events newest first under the command that caused them, with time, kind, path and bytes', () => {
    const shown = lines(
      createElement(ui.FeedPane, {
        events: EVENTS,
        selected: 0,
        focused: false,
        width: 60,
        height: 8,
      }),
    );
    expect(shown[0]).toMatch(/^ changes \(3\)/);
    expect(shown[1]).toBe(' $ rm /bin/ls');
    expect(shown[2]).toMatch(/^ {3}09:30:06 whiteout +\/bin\/ls/);
    expect(shown[3]).toBe(' $ echo hi >> /etc/passwd');
    expect(shown[4]).toMatch(/^ {3}09:30:05 copy-up +\/etc\/passwd +data, 116 B copied/);
    expect(shown[5]).toMatch(/^ {3}09:30:05 copy-up +\/etc\b/);
  });

  it('marks the selected event when focused, and keeps it in view in a short pane', () => {
    const el = createElement(ui.FeedPane, {
      events: EVENTS,
      selected: 2,
      focused: true,
      width: 60,
      height: 3,
    });
    const raw = frame(el).split('\n');
    const shown = raw.map((l) => stripAnsi(l).trimEnd());
    expect(shown).toHaveLength(3);
    const at = shown.findIndex((l) => /copy-up +\/etc( |$)/.test(l));
    expect(at).toBeGreaterThan(0);
    expect(raw[at]).toContain('\x1b[7m'); // inverse
  });

  it('says what will appear while there is nothing yet', () => {
    const shown = lines(
      createElement(ui.FeedPane, { events: [], selected: 0, focused: false, width: 80, height: 4 }),
    );
    expect(shown[1]).toMatch(/copy-ups, new files and whiteouts appear here/);
  });
});

describe('the status bar and the legends', () => {
  const status = { image: 'busybox.tar', id: '6a99725028f4', mountOptions: 'index=off', pid: 42 };

  it('shows image, container, pid, upper size and mount options; a notice takes its place', () => {
    const bar = lines(
      createElement(ui.StatusBar, { status, upperBytes: 2048, keepUpper: true, width: 160 }),
    )[0];
    expect(bar).toBe(
      ' image busybox.tar  ·  container 6a99725028f4  ·  pid 42  ·  upper 2.0 KiB (kept on exit)  ·  overlay index=off',
    );
    const notice = lines(
      createElement(ui.StatusBar, {
        status,
        upperBytes: 0,
        keepUpper: false,
        notice: 'press q again',
        width: 80,
      }),
    )[0];
    expect(notice).toBe(' press q again');
  });

  it('keeps help and quit in the key legend at 80 columns, every key whole', () => {
    const at80 = lines(createElement(ui.KeyLegend, { width: 80, prefix: 'C-b' }))[0] ?? '';
    expect(at80.length).toBeLessThanOrEqual(80);
    expect(at80).toMatch(/^ C-b \? help · C-b q quit · C-b o focus · /);
    expect(at80).not.toMatch(/…/);
    const wide = ui.keyLegend('C-a');
    expect(wide.split(' · ')).toHaveLength(12);
    expect(wide).toMatch(/C-a R restart$/);
  });

  it('keeps every state word in the tree legend at 80 columns', () => {
    const at80 = lines(createElement(ui.Legend, { width: 80 }))[0] ?? '';
    for (const word of ui.LEGEND_STATES.map((state) => ui.ROW_STYLES[state].word))
      expect(at80).toContain(word);
  });
});
