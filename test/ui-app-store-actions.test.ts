/**
 * The store's actions for the inspector, keep, restart and quit, and the
 * keys that call them, with the engine replaced by spies.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createAppStore, type EngineActions } from '../src/ui/store/app-store.js';
import { paneKey, prefixCommand } from '../src/ui/app/keys.js';
import { dispatchInput } from '../src/ui/app/input-dispatch.js';
import { classifyLayers } from '../src/engine/layers/classify-container.js';
import { LowerLoader } from '../src/engine/layers/lower-loader.js';
import { scanLayer } from '../src/overlay/index.js';
import type { TreeRow } from '../src/ui/trees/tree-rows.js';
import { removeRoot, tempRoot } from './support/state-root.js';

const dir = tempRoot('ovt-store-');
afterAll(() => removeRoot(dir));

function layers() {
  const lowerDir = join(dir, 'l');
  const upperDir = join(dir, 'u');
  mkdirSync(join(lowerDir, 'etc'), { recursive: true });
  writeFileSync(join(lowerDir, 'etc/passwd'), 'root\n');
  mkdirSync(upperDir, { recursive: true });
  return classifyLayers(upperDir, scanLayer(upperDir), [lowerDir], new LowerLoader([lowerDir]));
}

function setup(others = 0) {
  const engine = {
    loadLowerDir: vi.fn(),
    quit: vi.fn(),
    readVersions: vi.fn((path: string) => ({ path })),
    otherProcesses: vi.fn(() => others),
    restart: vi.fn(),
    setKeep: vi.fn(),
    loadWholeLower: vi.fn(),
  } satisfies EngineActions;
  const status = { image: 'x', id: 'c1', mountOptions: 'index=off' };
  const store = createAppStore(layers(), status, engine);
  return { engine, store, s: () => store.getState() };
}

const file = (path: string): TreeRow => ({
  path,
  name: path.slice(1),
  depth: 0,
  type: 'file',
  expandable: false,
  expanded: false,
  state: 'visible',
});

describe('the inspector in the store', () => {
  it('reads versions only while shown, and again when the selection moves', () => {
    const { engine, s } = setup();
    s().select('/a');
    expect(engine.readVersions).not.toHaveBeenCalled();
    s().toggleInspector();
    expect(s().inspector).toBe(true);
    expect(s().inspected).toEqual({ path: '/a' });
    s().select('/b');
    expect(s().inspected).toEqual({ path: '/b' });
    s().setLayers(s().layers); // a change on disk: read again
    expect(engine.readVersions).toHaveBeenCalledTimes(3);
    s().toggleInspector();
    s().select('/c');
    expect(engine.readVersions).toHaveBeenCalledTimes(3);
  });

  it('opens with i in a pane or C-b i, with Enter on a file, and closes with Esc', () => {
    const { s } = setup();
    s().focusPane('upper');
    paneKey(s(), 'i', [], 10);
    expect(s().inspector).toBe(true);
    paneKey(s(), 'Escape', [], 10);
    expect(s().inspector).toBe(false);
    paneKey(s(), 'Enter', [file('/f')], 10); // selects the first row, a file: opens it
    expect(s().selected).toBe('/f');
    expect(s().inspector).toBe(true);
    prefixCommand(s(), 'i');
    expect(s().inspector).toBe(false);
  });
});

describe('keep, restart and quit', () => {
  it('toggles keep (K in a pane, C-b k anywhere) and tells the engine', () => {
    const { engine, s } = setup();
    prefixCommand(s(), 'k');
    expect(s().keepUpper).toBe(true);
    expect(s().notice).toMatch(/kept on exit/);
    expect(engine.setKeep).toHaveBeenLastCalledWith(true);
    s().focusPane('lower');
    paneKey(s(), 'K', [], 10);
    expect(s().keepUpper).toBe(false);
    paneKey(s(), 'k', [file('/a'), file('/b')], 10); // k stays "up" in a pane
    expect(s().keepUpper).toBe(false);
  });

  it('restarts once at a time, and reset starts over with the new layers', () => {
    const { engine, s } = setup();
    s().addEvents([{ time: 0, kind: 'create', path: '/x', type: 'file' }]);
    s().select('/x');
    prefixCommand(s(), 'R');
    prefixCommand(s(), 'R');
    expect(engine.restart).toHaveBeenCalledTimes(1);
    expect(s().notice).toMatch(/restarting/);
    s().reset(layers(), { image: 'x', id: 'c2', mountOptions: 'index=off' });
    expect(s().restarting).toBe(false);
    expect(s().events).toEqual([]);
    expect(s().selected).toBe('/');
    expect([...s().expanded]).toEqual(['/']);
    expect(s().status.id).toBe('c2');
    expect(s().notice).toMatch(/restarted: container c2/);
  });

  it('quits at once when nothing else runs; else asks, and a second q quits', () => {
    const idle = setup(0);
    prefixCommand(idle.s(), 'q');
    expect(idle.engine.quit).toHaveBeenCalledTimes(1);

    const busy = setup(2);
    busy.s().quit();
    expect(busy.engine.quit).not.toHaveBeenCalled();
    expect(busy.s().notice).toBe(
      'the shell still runs 2 processes: press q again to quit (any other key: stay)',
    );
    busy.s().cancelQuit();
    expect(busy.s().quitPending).toBe(false);
    expect(busy.s().notice).toBeUndefined();
    busy.s().focusPane('feed');
    paneKey(busy.s(), 'q', [], 10);
    expect(busy.s().quitPending).toBe(true);
    paneKey(busy.s(), 'q', [], 10);
    expect(busy.engine.quit).toHaveBeenCalledTimes(1);
  });
});

describe('a chunk of several keys (a paste)', () => {
  const target = (writeToShell: (b: Buffer) => void) => ({
    rows: () => [file('/a'), file('/b')],
    page: () => 10,
    scrollMax: () => 0,
    writeToShell,
  });

  it('sends the keys after a Tab into the shell to the shell, byte for byte', () => {
    const { store, s } = setup();
    s().focusPane('feed'); // Tab from the feed wraps round to the shell
    const sent: string[] = [];
    dispatchInput(
      store,
      Buffer.from('j\tls -l\x1b[A\r'),
      target((b) => sent.push(b.toString())),
    );
    expect(s().focus).toBe('terminal');
    expect(sent).toEqual(['ls -l\x1b[A\r']);
  });

  it('moves over the rows of the state each key meets', () => {
    const { store, s } = setup();
    s().focusPane('upper');
    dispatchInput(
      store,
      Buffer.from('jj\t'),
      target(() => undefined),
    );
    expect(s().selected).toBe('/b');
    expect(s().focus).toBe('merged');
  });

  it('takes the key after "press q again" as the answer, and the rest as keys', () => {
    const { engine, store, s } = setup(2);
    s().focusPane('lower');
    dispatchInput(
      store,
      Buffer.from('qxj'),
      target(() => undefined),
    );
    expect(s().quitPending).toBe(false);
    expect(engine.quit).not.toHaveBeenCalled();
    expect(s().selected).toBe('/a');
    dispatchInput(
      store,
      Buffer.from('qq'),
      target(() => undefined),
    );
    expect(engine.quit).toHaveBeenCalledTimes(1);
  });
});

describe('search and the whole image', () => {
  it('reads the whole image once, at the first search, and says when it has', () => {
    const { engine, s } = setup();
    expect(s().wholeImage).toBe('unread');
    s().setSearch('', true);
    expect(engine.loadWholeLower).toHaveBeenCalledTimes(1);
    expect(s().wholeImage).toBe('reading');
    s().setSearch('pass', true);
    s().setSearch('pass', false);
    s().setSearch('', true);
    expect(engine.loadWholeLower).toHaveBeenCalledTimes(1);
    s().wholeImageRead();
    expect(s().wholeImage).toBe('read');
    s().reset(layers(), { image: 'x', id: 'c2', mountOptions: 'index=off' });
    expect(s().wholeImage).toBe('unread'); // a new container: read again when asked
  });
});
