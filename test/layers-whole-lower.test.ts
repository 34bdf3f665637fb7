/**
 * Loading the whole lower for search: in slices (the screen draws in
 * between), ending with exactly what a full scan of each layer finds, and
 * one reclassification for the watcher's listeners.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LowerLoader } from '../src/engine/layers/lower-loader.js';
import { UpperWatcher } from '../src/engine/watch/upper-watcher.js';
import { mergedAt, scanLayer, walkEntries, type LayerEntry } from '../src/overlay/index.js';
import { removeRoot, tempRoot } from './support/state-root.js';

let dir: string;
const lowers: string[] = [];

/** A layer of nested directories: d0..d4, each with s0..s4, each with files. */
function makeLayer(name: string, tag: string): string {
  const root = join(dir, name);
  for (let i = 0; i < 5; i++)
    for (let j = 0; j < 5; j++) {
      const sub = join(root, `d${i}`, `s${j}`);
      mkdirSync(sub, { recursive: true });
      for (let k = 0; k < 4; k++) writeFileSync(join(sub, `${tag}-${k}`), tag);
    }
  return root;
}

const pathsOf = (tree: LayerEntry | undefined): string[] =>
  tree ? [...walkEntries(tree)].map((e) => e.path) : [];

beforeAll(() => {
  dir = tempRoot('ovt-whole-');
  // Two lowers that share directory names and differ in files.
  lowers.push(makeLayer('top', 'top'), makeLayer('bottom', 'bottom'));
  mkdirSync(join(dir, 'upper'));
});

afterAll(() => removeRoot(dir));

describe('the whole lower, for search', () => {
  it('is loaded a slice at a time, and then holds what a full scan holds', () => {
    const loader = new LowerLoader(lowers);
    let slices = 1;
    while (!loader.loadAllSlice(0)) slices++;
    // One directory a slice at a zero budget: the root, 5, and 25 below.
    expect(slices).toBe(31);
    lowers.forEach((lower, i) => {
      expect(pathsOf(loader.roots[i])).toEqual(pathsOf(scanLayer(lower)));
    });
    expect(loader.loadAllSlice(0)).toBe(true);
  });

  it('reaches the watcher as one new state with every file in the merged view', async () => {
    const watcher = new UpperWatcher({ upperDir: join(dir, 'upper'), lowerDirs: lowers });
    let states = 0;
    watcher.on('state', () => states++);
    await watcher.start();
    try {
      expect(mergedAt(watcher.current.view, '/d4/s4')).toBeUndefined();
      await watcher.loadWholeLower();
      expect(states).toBe(1);
      const merged = watcher.current.view;
      expect(mergedAt(merged, '/d4/s4/top-3')).toBeDefined();
      expect(mergedAt(merged, '/d4/s4/bottom-3')).toBeDefined();
      await watcher.loadWholeLower(); // once only
      expect(states).toBe(1);
    } finally {
      await watcher.close();
    }
  });
});
