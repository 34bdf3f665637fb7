/**
 * Commit of a running container: its cgroup is frozen while the upper is
 * read (the layer holds whole lines of a file the container keeps
 * appending to) and thawed after (the file grows again).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli } from './support/cli.js';
import { readTar } from './support/layer-tar.js';
import { startCli, waitForInit, waitForPath } from './support/spawn-cli.js';
import { removeRoot, tempRoot } from './support/state-root.js';
import { isCgroupFrozen, whileFrozen } from '../src/engine/commit/freeze.js';
import type { ContainerState } from '../src/engine/container/state.js';

let root: string;
beforeEach(() => {
  root = tempRoot('ovt-commitf-');
});
afterEach(() => removeRoot(root));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('commit of a running container', () => {
  it('freezes it while reading, thaws it after, and the layer holds whole lines', async () => {
    const run = startCli([
      'run',
      '--root',
      root,
      '--name',
      'busy',
      '--',
      'sh',
      '-c',
      'i=0; while true; do i=$((i+1)); echo "line $i" >> /log; sleep 0.02; done',
    ]);
    try {
      await waitForInit(root);
      const upperLog = join(root, 'containers', 'busy', 'upper', 'log');
      await waitForPath(upperLog);
      const state = JSON.parse(
        readFileSync(join(root, 'containers', 'busy', 'state.json'), 'utf8'),
      ) as ContainerState;
      const cg = state.cgroup;
      if (!cg) throw new Error('the container has no cgroup');

      // The freezer itself: frozen inside, thawed after.
      expect(isCgroupFrozen(cg, 'busy')).toBe(false);
      const inside = await whileFrozen(state.cgroup, 'busy', () => {
        const size = statSync(upperLog).size;
        spawnSync('sleep', ['0.2']);
        return {
          frozen: isCgroupFrozen(cg, 'busy'),
          grew: statSync(upperLog).size !== size,
        };
      });
      expect(inside).toEqual({ frozen: true, grew: false });
      expect(isCgroupFrozen(cg, 'busy')).toBe(false);

      // The v1 freezer (what a machine without cgroup2 has): this hybrid
      // machine has both, so leave the v2 directory out of the record.
      if (!cg.v1.freezer) throw new Error('no v1 freezer on this machine: cannot test it');
      const v1Only = { ...cg, kind: 'v1' as const, v1: { freezer: cg.v1.freezer } };
      delete (v1Only as { v2?: string }).v2;
      const v1Inside = await whileFrozen(v1Only, 'busy', () => {
        const size = statSync(upperLog).size;
        spawnSync('sleep', ['0.2']);
        return {
          frozen: readFileSync(join(cg.v1.freezer ?? '', 'freezer.state'), 'utf8').trim(),
          grew: statSync(upperLog).size !== size,
        };
      });
      expect(v1Inside).toEqual({ frozen: 'FROZEN', grew: false });
      expect(readFileSync(join(cg.v1.freezer, 'freezer.state'), 'utf8').trim()).toBe('THAWED');

      const out = join(root, 'busy.tar');
      const c = cli(['commit', '--root', root, '-o', out, 'busy']);
      expect(c.stderr).toBe('');
      expect(c.code).toBe(0);
      expect(isCgroupFrozen(cg, 'busy')).toBe(false);
      // Thawed: it appends again.
      const after = statSync(upperLog).size;
      for (let i = 0; i < 200 && statSync(upperLog).size === after; i++) await sleep(20);
      expect(statSync(upperLog).size).toBeGreaterThan(after);

      const dir = join(root, 'x');
      mkdirSync(dir);
      expect(spawnSync('tar', ['-xf', out, '-C', dir]).status).toBe(0);
      const [manifest] = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
        Layers: string[];
      }[];
      const members = await readTar(join(dir, manifest?.Layers.at(-1) ?? ''));
      const log = members.find((m) => m.name === 'log')?.data.toString() ?? '';
      const lines = log.split('\n');
      expect(lines.pop()).toBe(''); // ends with a whole line
      expect(lines.length).toBeGreaterThan(0);
      expect(lines).toEqual(lines.map((_, i) => `line ${i + 1}`));
    } finally {
      run.child.kill('SIGTERM');
      await run.exit;
    }
    expect(existsSync(join(root, 'containers', 'busy'))).toBe(false);
  });
});

describe('a signal during the commit of a running container', () => {
  it('thaws the container, writes nothing, and exits 128+N', async () => {
    const run = startCli([
      'run',
      '--root',
      root,
      '--name',
      'sig',
      '--',
      'sh',
      '-c',
      'dd if=/dev/zero of=/big bs=1M count=300 2>/dev/null; touch /ready; while true; do echo x >> /log; sleep 0.02; done',
    ]);
    try {
      await waitForInit(root);
      await waitForPath(join(root, 'containers', 'sig', 'upper', 'ready'), 60_000);
      const state = JSON.parse(
        readFileSync(join(root, 'containers', 'sig', 'state.json'), 'utf8'),
      ) as ContainerState;
      const cg = state.cgroup;
      if (!cg) throw new Error('the container has no cgroup');
      const out = join(root, 'sig.tar');
      const commit = startCli(['commit', '--root', root, '-o', out, 'sig']);
      // Signal it once the container is frozen, i.e. in the middle of the read.
      for (let i = 0; i < 2000 && !isCgroupFrozen(cg, 'sig'); i++) await sleep(2);
      expect(isCgroupFrozen(cg, 'sig')).toBe(true);
      commit.child.kill('SIGINT');
      const { code } = await commit.exit;
      expect(commit.stderr()).toBe(
        'overlay-tui: stopped on SIGINT; container sig was thawed and nothing was written\n',
      );
      expect(code).toBe(130);
      expect(isCgroupFrozen(cg, 'sig')).toBe(false);
      expect(
        readdirSync(root).filter((n) => n.startsWith('.sig.tar') || n.startsWith('sig.tar')),
      ).toEqual([]);
    } finally {
      run.child.kill('SIGTERM');
      await run.exit;
    }
  }, 120_000);
});
