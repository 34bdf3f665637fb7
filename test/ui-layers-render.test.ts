/**
 * The layer stack drawn: the selector (LayerSelector), the layer column
 * in a tree pane, the legend's letters, the keys in the help and the key
 * legend, and the whole App in process over a hand-built three-layer
 * image, its lower pane switched with ] [ s as a person types them.
 */
import { EventEmitter } from 'node:events';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createElement } from 'react';
import type { TreeRow } from '../src/ui/trees/tree-rows.js';
import { createAppStore } from '../src/ui/store/app-store.js';
import { TerminalScreen } from '../src/ui/terminal/terminal-screen.js';
import { LAYER_LEGEND_STATES } from '../src/ui/trees/row-style.js';
import { selectorHeight, selectorWindow } from '../src/ui/layers/stack-layers.js';
import { classified } from './support/ui-fixture.js';
import { dir, file, layer, whiteout } from './support/overlay-trees.js';

process.env.FORCE_COLOR = '1';
let inkTesting: typeof import('ink-testing-library');
let ink: typeof import('ink');
let LayerSelector: typeof import('../src/ui/layers/LayerSelector.js').LayerSelector;
let TreePane: typeof import('../src/ui/trees/TreePane.js').TreePane;
let Legend: typeof import('../src/ui/trees/Legend.js').Legend;
let App: typeof import('../src/ui/app/App.js').App;
let help: typeof import('../src/ui/app/HelpOverlay.js');
let status: typeof import('../src/ui/app/StatusBar.js');
beforeAll(async () => {
  inkTesting = await import('ink-testing-library');
  ink = await import('ink');
  ({ LayerSelector } = await import('../src/ui/layers/LayerSelector.js'));
  ({ TreePane } = await import('../src/ui/trees/TreePane.js'));
  ({ Legend } = await import('../src/ui/trees/Legend.js'));
  ({ App } = await import('../src/ui/app/App.js'));
  help = await import('../src/ui/app/HelpOverlay.js');
  status = await import('../src/ui/app/StatusBar.js');
});
afterEach(() => inkTesting.cleanup());
// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string): string => s.replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, '');
const lines = (frame: string | undefined) => stripAnsi(frame ?? '').split('\n');

const stack = [
  {
    number: 3,
    diffId: 'sha256:c',
    createdBy: '/bin/sh -c echo hi >> /etc/passwd',
    entries: 4,
    bytes: 2048,
  },
  {
    number: 2,
    diffId: 'sha256:b',
    createdBy: '/bin/sh -c #(nop) COPY file:abc in /tmp',
    entries: 1,
    bytes: 2,
  },
  { number: 1, diffId: 'sha256:a', createdBy: '', entries: 1204, bytes: 12 * 2 ** 20 },
];

describe('LayerSelector', () => {
  it('lists the whole stack and each layer: number, created_by trimmed, entries, size; the chosen one marked', () => {
    const { lastFrame } = inkTesting.render(
      createElement(LayerSelector, { stack, view: 'stack', width: 70, height: 4 }),
    );
    expect(lines(lastFrame()).map((l) => l.trimEnd())).toEqual([
      '▸all whole stack: 3 layers, 12M',
      '   3 RUN echo hi >> /etc/passwd  4 entries  2.0k',
      '   2 COPY file:abc in /tmp  1 entry  2',
      '   1 (no history)  1,204 entries  12M',
    ]);
  });

  it('shows a window around the chosen layer when the pane has less room', () => {
    const window = selectorWindow(stack, 2, 2);
    expect(window.map((l) => [l.text.trim().split(' ')[0], l.current])).toEqual([
      ['2', false],
      ['1', true],
    ]);
    // A quarter of the pane at most, never for a single layer.
    expect(selectorHeight(1, 30)).toBe(0);
    expect(selectorHeight(20, 13)).toBe(3);
    expect(selectorHeight(3, 100)).toBe(4);
  });
});

describe('the layer column and the legend', () => {
  const row = (path: string, extra: Partial<TreeRow>): TreeRow => ({
    path,
    name: path.slice(1),
    depth: 0,
    type: 'file',
    expandable: false,
    expanded: false,
    state: 'visible',
    ...extra,
  });

  it('puts each row layer number before its size, right-aligned', () => {
    const rows = [row('/a', { from: '12', size: 5 }), row('/b', { from: 'U', size: 7 })];
    const { lastFrame } = inkTesting.render(
      createElement(TreePane, {
        title: 'merged',
        rows,
        selected: '',
        focused: false,
        width: 30,
        height: 4,
        column: true,
      }),
    );
    const shown = lines(lastFrame());
    expect(shown[1]?.trimEnd()).toMatch(/^ {4}a +12 +5$/);
    expect(shown[2]?.trimEnd()).toMatch(/^ {4}b +U +7$/);
    // The numbers in one column.
    expect(shown[1]?.indexOf('12')).toBe((shown[2]?.indexOf('U') ?? 0) - 1);
  });

  it('explains A, C and D when one layer is shown', () => {
    const { lastFrame } = inkTesting.render(
      createElement(Legend, { width: 200, states: LAYER_LEGEND_STATES }),
    );
    const text = lines(lastFrame())[0] ?? '';
    expect(text).toMatch(/^ \+ new +\^ copied-up/);
    for (const word of ['A added', 'C changed', 'D deleted', '# opaque'])
      expect(text).toContain(word);
  });

  it('names the layer keys in the help and, for a layered image, in the key legend', () => {
    const { rows } = help.helpRows(120, 'C-b');
    const keys = rows.map((r) => r.key);
    for (const k of ['[ ]', 's', 'L', ', .  < >']) expect(keys).toContain(k);
    expect(status.keyLegend('C-b', 200, true)).toContain('[ ] layer · s stack');
    expect(status.keyLegend('C-b', 200)).not.toContain('[ ] layer');
  });
});

/** A terminal-sized stdout for Ink, keeping the last frame. */
class Stdout extends EventEmitter {
  readonly isTTY = true;
  readonly columns = 200;
  readonly rows = 50;
  frame = '';
  write = (f: string): boolean => {
    this.frame = f;
    return true;
  };
}
class Stdin extends EventEmitter {
  readonly isTTY = true;
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
  read(): null {
    return null;
  }
}

describe('the App over a three-layer image', () => {
  it('switches the lower pane between the whole stack and each layer with ] [ s', async () => {
    const fx = classified(
      layer({ new: file() }),
      layer({ etc: dir({ motd: file(), shadow: whiteout() }) }),
      layer({ tmp: dir({ t: file() }) }),
      layer({ etc: dir({ shadow: file() }), bin: dir() }),
    );
    const store = createAppStore(
      fx.layers,
      { image: 'img', id: 'c1', mountOptions: '' },
      { loadLowerDir: vi.fn(), quit: vi.fn() },
      { stack },
    );
    store.getState().toggle('/etc');
    const stdout = new Stdout();
    const stdin = new Stdin();
    const screen = new TerminalScreen({ cols: 84, rows: 45 });
    const app = ink.render(createElement(App, { store, screen, writeToShell: () => undefined }), {
      stdout,
      stdin,
      debug: true,
      exitOnCtrlC: false,
      patchConsole: false,
    } as never);
    const press = async (key: string) => {
      stdin.emit('data', Buffer.from(key));
      await vi.waitFor(() => expect(stdout.frame).not.toBe(''), { timeout: 2000 });
      await new Promise((r) => setTimeout(r, 30));
    };
    const lowerPane = () => {
      const all = lines(stdout.frame);
      const title = all.findIndex((l) => / lower +(\d+|-)\/\d+ /.test(l));
      const start = all[title]?.search(/ lower +/) ?? 0;
      return all.slice(title, title + 12).map((l) => l.slice(start, start + 38).trimEnd());
    };
    try {
      await new Promise((r) => setTimeout(r, 50));
      // The whole stack: every entry with its layer's number.
      let pane = lowerPane().join('\n');
      expect(pane).toContain('▸all whole stack: 3 layers');
      expect(pane).toMatch(/tmp +2/);
      expect(pane).toMatch(/motd +3/);
      expect(pane).not.toContain('shadow'); // deleted by layer 3
      expect(lines(stdout.frame).join('\n')).toContain('[ ] layer');
      store.getState().focusPane('lower');
      await press(']');
      pane = lowerPane().join('\n');
      expect(pane).toContain('▸  3 RUN echo hi');
      expect(pane).toMatch(/A motd/);
      expect(pane).toMatch(/D shadow/);
      expect(pane).not.toMatch(/ tmp$/m); // layer 2's, not this one's
      expect(lines(stdout.frame).join('\n')).toContain('D deleted');
      await press(']');
      expect(lowerPane().join('\n')).toMatch(/A tmp/);
      await press('s');
      expect(lowerPane().join('\n')).toContain('▸all whole stack');
      await press('s');
      expect(lowerPane().join('\n')).toContain('▸  2 COPY');
      await press('[');
      await press('[');
      expect(lowerPane().join('\n')).toContain('▸all whole stack');
    } finally {
      app.unmount();
      screen.dispose();
    }
  });
});
