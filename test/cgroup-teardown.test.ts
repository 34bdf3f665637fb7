/**
 * No container can wedge its teardown through its cgroup: frozen from
 * outside (v1 freezer and the v2 cgroup.freeze), it is still torn down by
 * SIGTERM, by `rm` and by `clean` after a kill -9 of overlay-tui; and
 * `clean` removes cgroups whose container is gone.
 */
import { mkdirSync, rmdirSync, utimesSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, runIn } from './support/cli.js';
import { mountsUnder, removeRoot, tempRoot } from './support/state-root.js';
import { processExists, startCli, waitForInit, type Running } from './support/spawn-cli.js';
import { cgroupPlan, cgroupsLeft, procsIn, readCg, waitUntil } from './support/cgroups.js';
import { writeFileSync } from 'node:fs';

let root: string;

beforeAll(() => {
  root = tempRoot('ovt-cgt-');
  const warm = runIn(root, ['true']);
  expect(warm.code, warm.stderr).toBe(0);
});

afterAll(() => {
  removeRoot(root);
});

/** A container running `sleep` twice; returns it once both are in its cgroup. */
async function startSleeper(id: string): Promise<{ run: Running; pids: number[] }> {
  const run = startCli([
    'run',
    '--root',
    root,
    '--name',
    id,
    '--',
    'sh',
    '-c',
    'sleep 1000 & exec sleep 1000',
  ]);
  try {
    await waitForInit(root);
    const dir = cgroupPlan(id).v2 ?? cgroupPlan(id).v1.pids ?? '';
    // helper, pid 1, the background sleep
    await waitUntil('three processes in the cgroup', () => procsIn(dir).length >= 3);
    return { run, pids: procsIn(dir) };
  } catch (err) {
    run.child.kill('SIGTERM');
    await run.exit;
    throw err;
  }
}

/**
 * Freezes the container from outside with every freezer there is: v2's
 * first (a task frozen by v1 would never report frozen to v2).
 */
async function freeze(id: string): Promise<void> {
  const plan = cgroupPlan(id);
  const { v2 } = plan;
  const v1 = plan.v1.freezer;
  if (v2) {
    writeFileSync(join(v2, 'cgroup.freeze'), '1');
    await waitUntil('v2 frozen', () => /frozen 1/.test(readCg(v2, 'cgroup.events')));
  }
  if (v1) {
    writeFileSync(join(v1, 'freezer.state'), 'FROZEN');
    await waitUntil('v1 FROZEN', () => readCg(v1, 'freezer.state') === 'FROZEN');
  }
}

function expectNothingLeft(id: string, pids: number[]): void {
  expect(cgroupsLeft(id)).toEqual([]);
  expect(pids.filter(processExists)).toEqual([]);
  expect(mountsUnder(root)).toEqual([]);
  expect(existsSync(join(root, 'containers', id))).toBe(false);
}

describe('a container frozen from outside', () => {
  it('is torn down by SIGTERM to overlay-tui, with no uncaught error', async () => {
    const { run, pids } = await startSleeper('frozen-term');
    try {
      await freeze('frozen-term');
      run.child.kill('SIGTERM');
      const exit = await run.exit;
      expect(exit.code).toBe(143);
      expect(run.stderr()).not.toMatch(/\n\s+at /); // no stack trace
      expectNothingLeft('frozen-term', pids);
    } finally {
      run.child.kill('SIGKILL');
      await run.exit;
      cli(['clean', '--root', root]);
    }
  });

  for (const how of ['rm', 'clean'] as const) {
    it(`is torn down by '${how}' after a kill -9 of overlay-tui`, async () => {
      const id = `frozen-${how}`;
      const { run, pids } = await startSleeper(id);
      try {
        await freeze(id);
        run.child.kill('SIGKILL');
        await run.exit;
        // Frozen, the helper and pid 1 cannot die of their death signals.
        expect(cgroupsLeft(id).length).toBeGreaterThan(0);
        const r = cli(how === 'rm' ? ['rm', '--root', root, id] : ['clean', '--root', root]);
        expect(r.stderr).not.toMatch(/\n\s+at /);
        if (how === 'clean') {
          expect(r.code, r.stderr).toBe(0);
          expect(r.stdout).toMatch(new RegExp(`container ${id}: killed, unmounted, removed`));
        } else {
          // Every command first recovers what died (rm included); rm then finds nothing to remove.
          expect(r.stderr).toMatch(
            new RegExp(`container ${id} was left running by a process that died; removed it`),
          );
        }
        expectNothingLeft(id, pids);
      } finally {
        run.child.kill('SIGKILL');
        await run.exit;
        cli(['clean', '--root', root]);
      }
    });
  }
});

describe('the cgroup after a crash', () => {
  it('is removed by clean after a kill -9 of overlay-tui', async () => {
    const { run, pids } = await startSleeper('crashed');
    try {
      run.child.kill('SIGKILL');
      await run.exit;
      const r = cli(['clean', '--root', root]);
      expect(r.stdout).toMatch(/container crashed: killed, unmounted, removed/);
      expectNothingLeft('crashed', pids);
    } finally {
      run.child.kill('SIGKILL');
      cli(['clean', '--root', root]);
    }
  });

  it('clean removes an old empty overlay-tui/<id> cgroup no container owns, not a fresh one', () => {
    const old = cgroupPlan('stray-old');
    const fresh = cgroupPlan('stray-fresh');
    const made: string[] = [];
    try {
      for (const plan of [old, fresh]) {
        for (const dir of [plan.v2, ...Object.values(plan.v1)]) {
          if (!dir) continue;
          mkdirSync(dir, { recursive: true });
          made.push(dir);
        }
      }
      const past = new Date(Date.now() - 5 * 60_000);
      for (const dir of [old.v2, ...Object.values(old.v1)]) if (dir) utimesSync(dir, past, past);
      const r = cli(['clean', '--root', root]);
      expect(r.code, r.stderr).toBe(0);
      // The cgroup parent is shared by every state root: a `clean` of another
      // test file running meanwhile may have taken it first. Either way it
      // is gone, and the fresh one (too young for any clean) stays.
      if (!/stray cgroup .*\/overlay-tui\/stray-old: removed/.test(r.stdout))
        expect(r.stdout).not.toMatch(/stray-fresh/);
      expect(cgroupsLeft('stray-old')).toEqual([]);
      expect(cgroupsLeft('stray-fresh').length).toBeGreaterThan(0);
    } finally {
      for (const dir of made.reverse()) if (existsSync(dir)) rmdirSync(dir);
    }
  });
});
