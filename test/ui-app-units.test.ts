/** The app's pure parts: layout, the feed's lines, key splitting, and the store's actions. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { computeLayout } from '../src/ui/app/layout.js';
import { eventText, feedLines } from '../src/ui/app/feed-lines.js';
import { splitKeyChunk } from '../src/ui/input/split-keys.js';
import { createAppStore } from '../src/ui/store/app-store.js';
import { classifyLayers } from '../src/engine/layers/classify-container.js';
import { LowerLoader } from '../src/engine/layers/lower-loader.js';
import { scanLayer, type ChangeEvent } from '../src/overlay/index.js';
import { removeRoot, tempRoot } from './support/state-root.js';

const dir = tempRoot('ovt-ui-');
afterAll(() => removeRoot(dir));

describe('layout', () => {
  it('is side by side when wide, stacked when narrow, none below 80x24', () => {
    const wide = computeLayout(200, 50);
    expect(wide?.kind).toBe('wide');
    expect(wide?.height).toBe(49); // one row short of the terminal: no flicker in ink 6.8
    expect((wide?.terminal.width ?? 0) + (wide?.feed.width ?? 0)).toBe(200);
    const narrow = computeLayout(100, 40);
    expect(narrow?.kind).toBe('stacked');
    expect(
      (narrow?.terminal.height ?? 0) + 1 + (narrow?.tree.height ?? 0) + (narrow?.feed.height ?? 0),
    ).toBe(39 - 2);
    expect(computeLayout(79, 40)).toBeUndefined();
    expect(computeLayout(120, 23)).toBeUndefined();
  });

  it('gives the inspector some of the trees rows, never the shell any fewer', () => {
    for (const [cols, rows] of [
      [200, 50],
      [100, 40],
      [80, 24],
    ] as const) {
      const plain = computeLayout(cols, rows);
      const inspecting = computeLayout(cols, rows, true);
      expect(inspecting?.terminal).toEqual(plain?.terminal);
      expect(inspecting?.feed.height).toBeGreaterThan(plain?.feed.height ?? 0);
      expect((inspecting?.tree.height ?? 0) + (inspecting?.feed.height ?? 0)).toBe(
        (plain?.tree.height ?? 0) + (plain?.feed.height ?? 0),
      );
      expect(inspecting?.tree.height).toBeGreaterThanOrEqual(5);
    }
  });
});

const ev = (path: string, kind: ChangeEvent['kind'], command?: string): ChangeEvent => ({
  time: 0,
  kind,
  path,
  type: 'file',
  ...(command !== undefined ? { command } : {}),
});

describe('feed', () => {
  it('groups events under the command line that caused them', () => {
    const lines = feedLines([
      ev('/b', 'create', 'touch /b'),
      ev('/a', 'delete', 'rm /a'),
      ev('/c', 'modify', 'rm /a'),
    ]);
    expect(lines.map((l) => (l.kind === 'command' ? l.text : l.event.path))).toEqual([
      '$ touch /b',
      '/b',
      '$ rm /a',
      '/a',
      '/c',
    ]);
  });

  it('names a whiteout as such, and says what a copy-up changed', () => {
    expect(eventText({ ...ev('/bin/ls', 'delete'), deleted: 'whiteout', type: 'char' })).toMatch(
      /^whiteout\s+\/bin\/ls/,
    );
    // A copy-up's bytes are what it copied; a new or changed file's are its size.
    expect(
      eventText({ ...ev('/etc/passwd', 'copy-up'), changed: 'data', bytes: 2048, size: 2050 }),
    ).toBe('copy-up  /etc/passwd  data, 2.0 KiB copied');
    expect(eventText({ ...ev('/etc/group', 'copy-up'), changed: 'data', bytes: 0, size: 0 })).toBe(
      'copy-up  /etc/group  data, 0 B copied',
    );
    expect(eventText({ ...ev('/x', 'modify'), changed: 'data', bytes: 2048 })).toBe(
      'modify   /x  data, 2.0 KiB',
    );
  });
});

describe('splitKeyChunk', () => {
  it('splits a chunk into whole keys, each with where its bytes start', () => {
    expect([...splitKeyChunk(Buffer.from('jk\x1b[A\x1b[5~\t\r'))]).toEqual([
      { name: 'j', offset: 0 },
      { name: 'k', offset: 1 },
      { name: 'Up', offset: 2 },
      { name: 'PageUp', offset: 5 },
      { name: 'Tab', offset: 9 },
      { name: 'Enter', offset: 10 },
    ]);
    expect([...splitKeyChunk(Buffer.from('\x1b'))]).toEqual([{ name: 'Escape', offset: 0 }]);
  });
});

/** A lower and an upper of these files (path: content) under dir/tag, classified as the app does. */
function layersOf(tag: string, lower: Record<string, string>, upper: Record<string, string>) {
  const make = (root: string, files: Record<string, string>): string => {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    }
    return root;
  };
  const lowerDir = make(join(dir, tag, 'lower'), lower);
  const upperDir = make(join(dir, tag, 'upper'), upper);
  return classifyLayers(upperDir, scanLayer(upperDir), [lowerDir], new LowerLoader([lowerDir]));
}

describe('the store', () => {
  it('opens the way to every change when "changes only" goes on, in one load', () => {
    const layers = layersOf('ssl', { 'etc/ssl/certs/ca': 'x' }, { 'etc/ssl/certs/new': 'y' });
    const loadLowerDirs = vi.fn();
    const store = createAppStore(
      layers,
      { image: 'x', id: 'c', mountOptions: 'index=off' },
      { loadLowerDir: vi.fn(), loadLowerDirs, quit: vi.fn() },
    );
    store.getState().setChangesOnly(true);
    expect([...store.getState().expanded].sort()).toEqual([
      '/',
      '/etc',
      '/etc/ssl',
      '/etc/ssl/certs',
    ]);
    expect(loadLowerDirs).toHaveBeenCalledTimes(1);
    expect([...(loadLowerDirs.mock.calls[0]?.[0] as string[])].sort()).toEqual([
      '/etc',
      '/etc/ssl',
      '/etc/ssl/certs',
    ]);
    store.getState().setChangesOnly(false);
    expect(store.getState().changesOnly).toBe(false);
  });

  it("keeps events newest first, selects an event's path and loads its directories", () => {
    const layers = layersOf('passwd', { 'etc/passwd': 'root\n' }, { 'etc/passwd': 'root\nhi\n' });
    const loadLowerDir = vi.fn();
    const quit = vi.fn();
    const store = createAppStore(
      layers,
      { image: 'x', id: 'c', mountOptions: 'index=off' },
      { loadLowerDir, quit },
    );
    expect(store.getState().upperBytes).toBe(8);
    store.getState().addEvents([ev('/etc', 'copy-up'), ev('/etc/passwd', 'copy-up')]);
    store.getState().addEvents([ev('/x', 'create')]);
    expect(store.getState().events.map((e) => e.path)).toEqual(['/x', '/etc/passwd', '/etc']);
    store.getState().selectEvent(1);
    expect(store.getState().selected).toBe('/etc/passwd');
    expect(store.getState().expanded.has('/etc')).toBe(true);
    expect(loadLowerDir).toHaveBeenCalledWith('/etc');
    // An older event selected stays selected as new ones arrive above it...
    store.getState().addEvents([ev('/y', 'create'), ev('/z', 'create')]);
    expect(store.getState().events[store.getState().feedIndex]?.path).toBe('/etc/passwd');
    // ...while on the newest, the feed follows what comes.
    store.getState().selectEvent(0);
    store.getState().addEvents([ev('/w', 'create')]);
    expect(store.getState().feedIndex).toBe(0);
    expect(store.getState().events[0]?.path).toBe('/w');
    store.getState().cycleFocus(1);
    expect(store.getState().focus).toBe('lower');
    store.getState().cycleFocus(-1);
    store.getState().cycleFocus(-1);
    expect(store.getState().focus).toBe('feed');
    store.getState().quit();
    expect(quit).toHaveBeenCalled();
  });
});
