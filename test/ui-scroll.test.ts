/**
 * Scrolling what does not fit: the help at the smallest screen, and the
 * inspector's data. Keys as the app passes them (paneKey), frames drawn by
 * Ink (ink-testing-library).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createElement } from 'react';
import { createAppStore, type EngineActions } from '../src/ui/store/app-store.js';
import { paneKey } from '../src/ui/app/keys.js';
import { computeLayout } from '../src/ui/app/layout.js';
import { classifyLayers } from '../src/engine/layers/classify-container.js';
import { LowerLoader } from '../src/engine/layers/lower-loader.js';
import { scanLayer } from '../src/overlay/index.js';
import type { InspectView } from '../src/ui/inspector/inspect-model.js';
import { cellWidth } from '../src/ui/trees/row-layout.js';
import { removeRoot, tempRoot } from './support/state-root.js';

process.env.FORCE_COLOR = '0';
let inkTesting: typeof import('ink-testing-library');
let help: typeof import('../src/ui/app/HelpOverlay.js');
let inspector: typeof import('../src/ui/inspector/InspectorPane.js');
beforeAll(async () => {
  inkTesting = await import('ink-testing-library');
  help = await import('../src/ui/app/HelpOverlay.js');
  inspector = await import('../src/ui/inspector/InspectorPane.js');
});

const dir = tempRoot('ovt-scroll-');
afterAll(() => removeRoot(dir));

function store() {
  mkdirSync(join(dir, 'l'), { recursive: true });
  mkdirSync(join(dir, 'u'), { recursive: true });
  const lower = join(dir, 'l');
  const layers = classifyLayers(
    join(dir, 'u'),
    scanLayer(join(dir, 'u')),
    [lower],
    new LowerLoader([lower]),
  );
  const engine = { loadLowerDir: vi.fn(), quit: vi.fn() } satisfies EngineActions;
  return createAppStore(layers, { image: 'x', id: 'c1', mountOptions: 'index=off' }, engine);
}

const frameLines = (el: ReturnType<typeof createElement>): string[] => {
  const r = inkTesting.render(el);
  const lines = (r.lastFrame() ?? '').split('\n');
  r.unmount();
  return lines;
};

describe('the help at 80x24', () => {
  it('wraps every description to the width, and scrolls to its last line', () => {
    const layout = computeLayout(80, 24);
    if (!layout) throw new Error('no layout at 80x24');
    // Stacked: the help has everything but the status bar and the key legend.
    const size = { width: layout.width, height: layout.height - 2 };
    const { rows } = help.helpRows(size.width, 'C-b');
    expect(rows.length).toBeGreaterThan(size.height - 1); // it must scroll
    for (const r of rows)
      expect(cellWidth(` ${r.key}`) + 2 + cellWidth(r.text)).toBeLessThanOrEqual(80);
    const max = help.helpScrollMax(size.width, size.height, 'C-b');
    const s = store();
    s.getState().setHelp(true);
    paneKey(s.getState(), 'End', [], 5, max);
    expect(s.getState().scroll).toBe(max);
    const last = frameLines(
      createElement(help.HelpOverlay, { ...size, prefix: 'C-b', scroll: s.getState().scroll }),
    );
    expect(last).toHaveLength(size.height);
    expect(last.at(-1)).toMatch(/C-c in the shell +goes to the shell/);
    expect(last[0]).toMatch(new RegExp(`of ${rows.length}`));
    // Down at the end stays at the end; Up goes back one; another key closes.
    paneKey(s.getState(), 'Down', [], 5, max);
    expect(s.getState().scroll).toBe(max);
    paneKey(s.getState(), 'k', [], 5, max);
    expect(s.getState().scroll).toBe(max - 1);
    paneKey(s.getState(), 'x', [], 5, max);
    expect(s.getState().help).toBe(false);
    s.getState().setHelp(true);
    expect(s.getState().scroll).toBe(0);
    const first = frameLines(
      createElement(help.HelpOverlay, { ...size, prefix: 'C-b', scroll: 0 }),
    );
    expect(first[1]).toMatch(/^ C-b o, C-b Tab/);
  });
});

describe("the inspector's data", () => {
  const view: InspectView = {
    sentence: 'New: only upper has it.',
    attrs: [{ label: 'layer', lower: '(nothing in lower)', upper: 'upper' }],
    heading: 'diff (nothing) → upper   +100 −0',
    rows: Array.from({ length: 100 }, (_, i) => ({ op: '+' as const, text: `line ${i + 1}` })),
  };

  it('scrolls with the arrows and pages while it has focus, and says what is above and below', () => {
    const s = store();
    s.getState().openInspector();
    s.getState().focusPane('feed');
    const max = inspector.inspectorScrollMax(view, 60, 12);
    expect(max).toBeGreaterThan(0);
    paneKey(s.getState(), 'PageDown', [], 5, max);
    paneKey(s.getState(), 'j', [], 5, max);
    expect(s.getState().scroll).toBe(6);
    const draw = (scroll: number) =>
      frameLines(
        createElement(inspector.InspectorPane, {
          path: '/big',
          view,
          focused: true,
          width: 60,
          height: 12,
          scroll,
        }),
      );
    const lines = draw(6);
    expect(lines).toHaveLength(12);
    expect(lines.find((l) => l.startsWith(' +'))).toBe(' +line 7');
    expect(lines.at(-1)).toMatch(/6 rows above, \d+ below/);
    paneKey(s.getState(), 'End', [], 5, max);
    const end = draw(s.getState().scroll);
    expect(end.filter((l) => l.startsWith(' +')).at(-1)).toBe(' +line 100');
    expect(end.at(-1)).toMatch(/rows above, 0 below/);
    // Another path selected: back at the top.
    s.getState().select('/other');
    expect(s.getState().scroll).toBe(0);
  });
});
