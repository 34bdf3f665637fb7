/**
 * Teardown and the watches from outside (watchers.ts): it marks the
 * container stopping and waits only for live watches, at most its timeout.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  readState,
  type ContainerPaths,
  type ContainerState,
} from '../src/engine/container/state.js';
import { registerWatcher, releaseWatchers } from '../src/engine/container/watchers.js';
import { processRef } from '../src/engine/proc.js';
import { removeRoot, tempRoot } from './support/state-root.js';

let dir: string;
let paths: ContainerPaths;
let state: ContainerState;

beforeEach(() => {
  dir = tempRoot('ovt-watchers-');
  const c = join(dir, 'c1');
  mkdirSync(c);
  paths = {
    dir: c,
    upper: join(c, 'upper'),
    work: join(c, 'work'),
    merged: join(c, 'merged'),
    stateFile: join(c, 'state.json'),
    pidFile: join(c, 'init.pid'),
  };
  const owner = processRef(process.pid);
  if (!owner) throw new Error('no /proc entry for this process');
  state = {
    id: 'c1',
    status: 'running',
    image: { digest: 'd', source: 's' },
    lowers: [],
    mountOptions: [],
    command: ['sh'],
    keep: false,
    owner,
    createdAt: new Date(0).toISOString(),
  };
});

afterEach(() => removeRoot(dir));

describe('releaseWatchers', () => {
  it('says stopping and returns at once when no watch is registered', () => {
    const t0 = Date.now();
    expect(releaseWatchers(paths, state, 2000)).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(readState(paths)?.status).toBe('stopping');
  });

  it('waits for a live watch, at most the timeout, and names it', () => {
    const unregister = registerWatcher(paths);
    const t0 = Date.now();
    const left = releaseWatchers(paths, state, 300);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect(left).toEqual([`${process.pid}-${processRef(process.pid)?.start}`]);
    unregister();
    expect(readdirSync(join(paths.dir, 'watchers'))).toEqual([]);
    expect(releaseWatchers(paths, state, 300)).toEqual([]);
  });

  it('does not wait for a watch that died, and removes its entry', () => {
    mkdirSync(join(paths.dir, 'watchers'));
    const dead = join(paths.dir, 'watchers', '999999999-1');
    writeFileSync(dead, '');
    expect(releaseWatchers(paths, state, 2000)).toEqual([]);
    expect(existsSync(dead)).toBe(false);
  });
});
