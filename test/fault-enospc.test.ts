/**
 * A full disk must not wedge teardown: a container that fills its state
 * root is unmounted and removed (or stopped, with --keep) with at most one
 * line saying what could not be recorded, `clean` and `rm` still work, and
 * so does the next run. An import that runs out of space leaves nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { cli, runIn } from './support/cli.js';
import {
  expectNothingLeft,
  hasStackTrace,
  mountsBelow,
  tmpfsRoot,
  type TmpfsRoot,
} from './support/fault-root.js';

const FILL = ['dd', 'if=/dev/zero', 'of=/big', 'bs=1M'];

let fs: TmpfsRoot;
let root: string;

beforeEach(() => {
  fs = tmpfsRoot('ovt-full-', 40);
  root = fs.root;
});

afterEach(() => {
  fs.dispose();
});

/** Lines overlay-tui itself printed (dd has its own). */
const ourLines = (stderr: string): string[] =>
  stderr.split('\n').filter((l) => l.startsWith('overlay-tui'));

it('a container that fills the disk is torn down, and the next run works', () => {
  const r = runIn(root, FILL);
  expect(hasStackTrace(r.stderr)).toBe(false);
  expect(r.stderr).toMatch(/No space left on device/); // dd's own
  expect(r.code).toBe(1); // dd's exit status, passed through
  expect(ourLines(r.stderr).length).toBeLessThanOrEqual(1);
  expectNothingLeft(root, []);
  expect(runIn(root, ['true']).code).toBe(0);
});

it('a kept container that fills the disk is stopped, unmounted, then cleaned and removed', () => {
  const r = runIn(root, FILL, ['--keep', '--name', 'full']);
  expect(hasStackTrace(r.stderr)).toBe(false);
  expect(r.code).toBe(1);
  expect(ourLines(r.stderr).length).toBeLessThanOrEqual(2);
  expect(mountsBelow(root)).toEqual([]);
  expect(readdirSync(join(root, 'containers', 'full')).sort()).toEqual(['state.json', 'upper']);
  const clean = cli(['clean', '--root', root]);
  expect(clean.code).toBe(0);
  expect(hasStackTrace(clean.stderr)).toBe(false);
  const rm = cli(['rm', '--root', root, 'full']);
  expect(rm.stderr).toBe('');
  expect(rm.code).toBe(0);
  expectNothingLeft(root, []);
  expect(runIn(root, ['true']).code).toBe(0);
});

it('an import with too little space says so in one line, leaves nothing, and works with space', () => {
  expect(spawnSync('mount', ['-o', 'remount,size=600k', root]).status).toBe(0);
  const r = runIn(root, ['true']);
  expect(r.code).toBe(125);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(/^overlay-tui: .*(no space|ENOSPC)/i);
  expectNothingLeft(root, []);
  for (const where of ['layers', 'images'])
    expect(existsSync(join(root, where)) ? readdirSync(join(root, where)) : []).toEqual([]);
  expect(spawnSync('mount', ['-o', 'remount,size=40m', root]).status).toBe(0);
  expect(runIn(root, ['true']).code).toBe(0);
});
