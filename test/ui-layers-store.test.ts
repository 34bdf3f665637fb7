/**
 * The layer stack in the store and the lower pane's rows: a hand-built
 * three-layer image with a whiteout and an opaque directory, the layer
 * selector and its keys, the whole-stack view with each entry's layer,
 * each layer's marks against the layers under it, and the layer column
 * of merged and upper.
 */
import { describe, expect, it, vi } from 'vitest';
import { createAppStore, type EngineActions } from '../src/ui/store/app-store.js';
import { paneKey } from '../src/ui/app/keys.js';
import { paneRows, type TreeRow } from '../src/ui/trees/tree-rows.js';
import type { AppState } from '../src/ui/store/app-store.js';
import { classified } from './support/ui-fixture.js';
import { dir, file, layer, whiteout } from './support/overlay-trees.js';

/**
 * Layer 3 (top) rewrites /etc/passwd, adds /etc/motd, deletes /etc/shadow
 * (a whiteout), makes /opt opaque with its own /opt/x, and whiteouts
 * /ghost, which no layer below holds. Layer 2 adds /tmp/t. Layer 1 is the
 * base. Upper copies /etc/passwd up and adds /new.
 */
function stackFixture() {
  const top = layer({
    etc: dir({ passwd: file({ size: 30 }), motd: file({ size: 7 }), shadow: whiteout() }),
    opt: dir({ x: file({ size: 3 }) }, { x: { opaque: 'y' } }),
    ghost: whiteout(),
  });
  const mid = layer({ tmp: dir({ t: file({ size: 2 }) }) });
  const bottom = layer({
    etc: dir({ passwd: file({ size: 20 }), shadow: file({ size: 9 }) }),
    opt: dir({ x: file({ size: 1 }), y: file({ size: 1 }) }),
  });
  const upper = layer({ etc: dir({ passwd: file({ size: 40 }) }), new: file({ size: 1 }) });
  return classified(upper, top, mid, bottom);
}

const labels = [
  { number: 3, diffId: 'sha256:c', createdBy: '/bin/sh -c echo hi >> /etc/passwd' },
  { number: 2, diffId: 'sha256:b', createdBy: '/bin/sh -c #(nop) COPY file:abc in /tmp' },
  { number: 1, diffId: 'sha256:a', createdBy: '' },
];

function setup(withLabels = true) {
  const fx = stackFixture();
  const engine = {
    loadLowerDir: vi.fn(),
    quit: vi.fn(),
    readVersions: vi.fn((path: string) => ({ path })),
    readStackVersions: vi.fn(() => []),
  } satisfies EngineActions;
  const store = createAppStore(
    fx.layers,
    { image: 'x', id: 'c1', mountOptions: '' },
    engine,
    withLabels ? { stack: labels } : {},
  );
  const s = () => store.getState();
  for (const d of ['/etc', '/opt', '/tmp']) s().toggle(d);
  return { s, engine };
}

function rowsOf(st: AppState, kind: 'lower' | 'upper' | 'merged'): TreeRow[] {
  return paneRows(
    kind,
    st.layers,
    st.lowerStates,
    { expanded: st.expanded, changesOnly: st.changesOnly, search: st.search },
    {
      view: st.lowerView,
      layerStates: st.layerStates,
      numbers: st.stack.map((l) => l.number),
      column: st.layerColumn,
    },
  );
}

const byPath = (rows: TreeRow[]) => new Map(rows.map((r) => [r.path, r]));

describe('the layer selector', () => {
  it('starts on the whole stack and steps through the layers with ] and [, stopping at the ends', () => {
    const { s } = setup();
    expect(s().stack.map((l) => l.number)).toEqual([3, 2, 1]);
    expect(s().lowerView).toBe('stack');
    s().focusPane('lower');
    const seen: AppState['lowerView'][] = [];
    for (let i = 0; i < 4; i++) {
      paneKey(s(), ']', [], 10);
      seen.push(s().lowerView);
    }
    // Layer indexes top first: 0 = layer 3, 2 = layer 1 (the bottom); then it stays.
    expect(seen).toEqual([0, 1, 2, 2]);
    paneKey(s(), '[', [], 10);
    expect(s().lowerView).toBe(1);
    // s: the whole stack, and back to the layer last shown.
    paneKey(s(), 's', [], 10);
    expect(s().lowerView).toBe('stack');
    paneKey(s(), 's', [], 10);
    expect(s().lowerView).toBe(1);
    for (let i = 0; i < 5; i++) paneKey(s(), '[', [], 10);
    expect(s().lowerView).toBe('stack');
  });

  it('numbers the layers without labels (a container of an older version)', () => {
    const { s } = setup(false);
    expect(s().stack.map((l) => [l.number, l.createdBy])).toEqual([
      [3, ''],
      [2, ''],
      [1, ''],
    ]);
  });

  it('does nothing with one layer: the pane keeps its look', () => {
    const fx = classified(layer({ a: file() }), layer({ a: file() }));
    const store = createAppStore(
      fx.layers,
      { image: 'x', id: 'c', mountOptions: '' },
      {
        loadLowerDir: vi.fn(),
        quit: vi.fn(),
      },
    );
    const st = store.getState();
    st.selectLayer(1);
    st.toggleStackView();
    expect(store.getState().lowerView).toBe('stack');
    expect(store.getState().layerColumn).toBe(false);
    const rows = rowsOf(store.getState(), 'lower');
    // Today's lower pane: the topmost lower with its state, no layer numbers.
    expect(rows.map((r) => [r.path, r.state, r.from])).toEqual([['/a', 'shadowed', undefined]]);
  });
});

describe('one layer: what it does to the layers under it', () => {
  it('marks added, changed, deleted and opaque against the merge of the layers below', () => {
    const { s } = setup();
    s().selectLayer(1); // layer 3, the top
    const rows = byPath(rowsOf(s(), 'lower'));
    const state = (p: string) => rows.get(p)?.state;
    expect(state('/etc')).toBe('changed'); // a directory the layers below have
    expect(state('/etc/passwd')).toBe('changed');
    expect(state('/etc/motd')).toBe('added');
    expect(state('/etc/shadow')).toBe('deleted');
    expect(state('/ghost')).toBe('deleted'); // deletes nothing, but is a whiteout
    expect(state('/opt')).toBe('opaque');
    expect(state('/opt/x')).toBe('changed');
    // Only its own entries: layer 2's /tmp and layer 1's /opt/y are not here.
    expect(rows.has('/tmp')).toBe(false);
    expect(rows.has('/opt/y')).toBe(false);
  });

  it('marks the middle layer against the bottom one, and the bottom layer all added', () => {
    const { s } = setup();
    s().selectLayer(1);
    s().selectLayer(1); // layer 2
    const mid = rowsOf(s(), 'lower');
    expect(mid.map((r) => [r.path, r.state])).toEqual([
      ['/tmp', 'added'],
      ['/tmp/t', 'added'],
    ]);
    s().selectLayer(1); // layer 1
    const bottom = rowsOf(s(), 'lower');
    expect(new Set(bottom.map((r) => r.state))).toEqual(new Set(['added']));
    expect(bottom.map((r) => r.path)).toContain('/opt/y');
  });
});

describe('the whole stack', () => {
  it('shows the image without upper, each entry with its layer, deleted and hidden entries gone', () => {
    const { s } = setup();
    const rows = byPath(rowsOf(s(), 'lower'));
    const from = (p: string) => rows.get(p)?.from;
    expect(from('/etc')).toBe('3');
    expect(from('/etc/passwd')).toBe('3');
    expect(from('/etc/motd')).toBe('3');
    expect(from('/tmp')).toBe('2');
    expect(from('/tmp/t')).toBe('2');
    expect(from('/opt/x')).toBe('3');
    expect(rows.has('/etc/shadow')).toBe(false); // layer 3's whiteout deletes it
    expect(rows.has('/opt/y')).toBe(false); // under layer 3's opaque /opt
    expect(rows.has('/ghost')).toBe(false);
    // Upper's copy-up of /etc/passwd shadows layer 3's: the state says so.
    expect(rows.get('/etc/passwd')?.state).toBe('shadowed');
    expect(rows.get('/etc/motd')?.state).toBe('visible');
  });
});

describe('the layer column in merged and upper', () => {
  it('is on with several layers, numbers each merged entry, U for upper, and L turns it off', () => {
    const { s } = setup();
    expect(s().layerColumn).toBe(true);
    const merged = byPath(rowsOf(s(), 'merged'));
    expect(merged.get('/etc/passwd')?.from).toBe('U');
    expect(merged.get('/etc/motd')?.from).toBe('3');
    expect(merged.get('/tmp/t')?.from).toBe('2');
    const upper = byPath(rowsOf(s(), 'upper'));
    // A copy-up names the layer it was copied from; a new file none.
    expect(upper.get('/etc/passwd')?.from).toBe('3');
    expect(upper.get('/new')?.from).toBe('');
    s().focusPane('merged');
    paneKey(s(), 'L', [], 10);
    expect(s().layerColumn).toBe(false);
    expect(rowsOf(s(), 'merged').every((r) => r.from === undefined)).toBe(true);
  });
});
