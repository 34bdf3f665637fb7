/**
 * paneRows on a 100,000-entry image: fast enough with everything expanded,
 * and collapsed directories are not even looked into.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { paneRows, type PaneKind, type RowOptions } from '../src/ui/trees/tree-rows.js';
import { dir, file, layer } from './support/overlay-trees.js';
import { classified, type Fixture } from './support/ui-fixture.js';
import type { LayerEntry } from '../src/overlay/index.js';

const copied = { x: { origin: '' } };
const all = (...paths: string[]): RowOptions => ({
  expanded: new Set(paths),
  changesOnly: false,
  search: '',
});

/** A map that records being iterated: a collapsed directory must not be. */
class WatchedMap<K, V> extends Map<K, V> {
  static iterated = new Set<Map<unknown, unknown>>();
  override [Symbol.iterator](): MapIterator<[K, V]> {
    WatchedMap.iterated.add(this);
    return super[Symbol.iterator]();
  }
}

describe('paneRows on a 100,000-entry image', () => {
  const DIRS = 100;
  const FILES = 1000;
  let f: Fixture;
  let everyDir: string[];

  beforeAll(() => {
    const children: Record<string, ReturnType<typeof dir>> = {};
    const upperChildren: Record<string, ReturnType<typeof dir>> = {};
    for (let d = 0; d < DIRS; d++) {
      const files: Record<string, ReturnType<typeof file>> = {};
      for (let i = 0; i < FILES; i++) files[`file-${i}`] = file({ size: i });
      children[`dir-${d}`] = dir(files);
      // A few changes per directory, as a busy container makes.
      if (d % 10 === 0)
        upperChildren[`dir-${d}`] = dir({ 'file-1': file(copied), new: file() }, copied);
    }
    f = classified(layer(upperChildren), layer(children));
    everyDir = Object.keys(children).map((n) => `/${n}`);
  });

  /**
   * The best of three runs after a warm-up, in CPU time (the process's user
   * + system): what the code costs, not how long the machine's other load
   * kept it waiting (wall time on two shared cores varied 2x).
   */
  function timed(kind: PaneKind, opts: RowOptions): { ms: number; count: number } {
    paneRows(kind, f.layers, f.lowerStates, opts); // warm the JIT
    let ms = Infinity;
    let count = 0;
    for (let i = 0; i < 3; i++) {
      const start = process.cpuUsage();
      count = paneRows(kind, f.layers, f.lowerStates, opts).length;
      const used = process.cpuUsage(start);
      ms = Math.min(ms, (used.user + used.system) / 1000);
    }
    return { ms, count };
  }

  it('flattens everything expanded in under 200 ms of CPU per pane', () => {
    const lower = timed('lower', all(...everyDir));
    const merged = timed('merged', all(...everyDir));
    expect(lower.count).toBe(DIRS + DIRS * FILES);
    expect(merged.count).toBe(DIRS + DIRS * FILES + DIRS / 10);
    expect(lower.ms).toBeLessThan(200);
    expect(merged.ms).toBeLessThan(200);
  });

  it('searches every loaded entry in under 200 ms of CPU', () => {
    const found = timed('merged', { ...all(), search: 'FILE-999' });
    expect(found.count).toBe(DIRS * 2);
    expect(found.ms).toBeLessThan(200);
  });

  it('does not look into collapsed directories', () => {
    const watch = (root: LayerEntry | undefined) => {
      for (const d of root?.children?.values() ?? []) {
        if (d.children) d.children = new WatchedMap(d.children);
      }
    };
    watch(f.layers.view.stack.lowers[0]);
    for (const d of f.layers.view.root.children?.values() ?? []) {
      if (d.children) d.children = new WatchedMap(d.children);
    }
    WatchedMap.iterated.clear();
    expect(paneRows('lower', f.layers, f.lowerStates, all('/dir-5'))).toHaveLength(DIRS + FILES);
    expect(paneRows('merged', f.layers, f.lowerStates, all())).toHaveLength(DIRS);
    expect(
      paneRows('merged', f.layers, f.lowerStates, { ...all(), changesOnly: true }),
    ).toHaveLength(DIRS / 10);
    // Only /dir-5's children were listed: the other 99 directories were not.
    expect(WatchedMap.iterated.size).toBe(1);
  });
});
