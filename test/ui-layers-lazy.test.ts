/**
 * The layer stack reads only what is shown: over real layer directories,
 * drawing the whole stack and every layer at the top level loads no
 * directory below it, and opening one directory loads that listing only
 * (in every layer), never a whole layer.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyLayers } from '../src/engine/layers/classify-container.js';
import { LowerLoader } from '../src/engine/layers/lower-loader.js';
import { entryAt, scanLayer } from '../src/overlay/index.js';
import { createAppStore } from '../src/ui/store/app-store.js';
import { paneRows } from '../src/ui/trees/tree-rows.js';
import type { AppState } from '../src/ui/store/app-store.js';
import { removeRoot, tempRoot } from './support/state-root.js';

const root = tempRoot('ovt-stack-lazy-');
afterAll(() => removeRoot(root));

/** Three layers, each with /usr/share/pkg-K/{a,b} and /etc/conf-K. */
function layerDirs(): string[] {
  const dirs = [3, 2, 1].map((k) => {
    const d = join(root, `layer-${k}`);
    mkdirSync(join(d, 'usr', 'share', `pkg-${k}`), { recursive: true });
    mkdirSync(join(d, 'etc'), { recursive: true });
    for (const f of ['a', 'b']) writeFileSync(join(d, 'usr', 'share', `pkg-${k}`, f), f);
    writeFileSync(join(d, 'etc', `conf-${k}`), `${k}\n`);
    return d;
  });
  mkdirSync(join(root, 'upper'));
  return dirs;
}

const rows = (st: AppState) =>
  paneRows(
    'lower',
    st.layers,
    st.lowerStates,
    { expanded: st.expanded, changesOnly: false, search: '' },
    {
      view: st.lowerView,
      layerStates: st.layerStates,
      numbers: st.stack.map((l) => l.number),
      column: false,
    },
  );

describe('the layer stack loads lazily', () => {
  const lowers = layerDirs();

  it('draws the top level of every view without listing what lies below it', () => {
    const upper = join(root, 'upper');
    const loader = new LowerLoader(lowers);
    loader.loadDir('/');
    const classify = () => classifyLayers(upper, scanLayer(upper), lowers, loader);
    const store = createAppStore(
      classify(),
      { image: 'x', id: 'c', mountOptions: '' },
      {
        loadLowerDir: (p) => {
          if (loader.loadDir(p)) store.getState().setLayers(classify());
        },
        quit: () => undefined,
      },
    );
    const s = () => store.getState();
    const listed = (path: string) => loader.roots.map((r) => entryAt(r, path)?.children?.size ?? 0);
    // The whole stack, then each layer, at the top level.
    for (let i = 0; i <= 3; i++) {
      expect(rows(s()).map((r) => r.path)).toEqual(['/etc', '/usr']);
      s().selectLayer(1);
    }
    expect(listed('/usr')).toEqual([0, 0, 0]);
    expect(listed('/etc')).toEqual([0, 0, 0]);
    // Opening /usr lists /usr in every layer, and nothing under it.
    s().toggle('/usr');
    expect(listed('/usr')).toEqual([1, 1, 1]);
    expect(listed('/usr/share')).toEqual([0, 0, 0]);
    expect(listed('/etc')).toEqual([0, 0, 0]);
    // The bottom layer's view shows its /usr/share, unopened.
    expect(s().lowerView).toBe(2);
    expect(rows(s()).map((r) => [r.path, r.state])).toEqual([
      ['/etc', 'added'],
      ['/usr', 'added'],
      ['/usr/share', 'added'],
    ]);
    s().toggleStackView();
    expect(rows(s()).map((r) => r.path)).toEqual(['/etc', '/usr', '/usr/share']);
    expect(listed('/usr/share')).toEqual([0, 0, 0]);
  });

  it('keeps the whole stack across states, and computes a directory again when more of it is loaded', () => {
    const upper = join(root, 'upper');
    const loader = new LowerLoader(lowers);
    loader.loadDir('/');
    // What an upper change does: only the path it touched is loaded below.
    loader.ensure('/etc/conf-2');
    const classify = () => classifyLayers(upper, scanLayer(upper), lowers, loader);
    const store = createAppStore(
      classify(),
      { image: 'x', id: 'c', mountOptions: '' },
      { loadLowerDir: () => undefined, quit: () => undefined },
    );
    const s = () => store.getState();
    const found = (st: AppState) =>
      paneRows(
        'lower',
        st.layers,
        st.lowerStates,
        { expanded: st.expanded, changesOnly: false, search: 'conf' },
        {
          view: 'stack',
          layerStates: st.layerStates,
          numbers: st.stack.map((l) => l.number),
          column: false,
        },
      ).map((r) => `${r.path} ${r.from ?? ''}`);
    expect(found(s())).toEqual(['/etc 3', '/etc/conf-2 2']);
    // The same lower trees in a new state: the same answer.
    s().setLayers(classify());
    expect(found(s())).toEqual(['/etc 3', '/etc/conf-2 2']);
    // /etc listed whole in every layer (the trees grew): all three now.
    loader.loadDir('/etc');
    s().setLayers(classify());
    expect(found(s())).toEqual(['/etc 3', '/etc/conf-1 1', '/etc/conf-2 2', '/etc/conf-3 3']);
  });
});
