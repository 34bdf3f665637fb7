/**
 * The cgroup code paths this hybrid machine cannot reach through `run`:
 * the pure-v2 path run against the unified v2 hierarchy (creation,
 * cgroup.procs, cgroup.freeze, cgroup.kill, removal), the v1 kill loop
 * without cgroup.kill, the helper's --cgroup failure, and the signal
 * guard's stop action that throws.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectLayout, parseLayout } from '../src/engine/cgroup/layout.js';
import { planCgroup, type ContainerCgroup } from '../src/engine/cgroup/record.js';
import { makeCgroup } from '../src/engine/cgroup/create.js';
import { killAndRemoveCgroup } from '../src/engine/cgroup/remove.js';
import { readUsage } from '../src/engine/cgroup/usage.js';
import { helperPath } from '../src/engine/helper.js';
import { SignalGuard } from '../src/engine/signal-guard.js';
import { procsIn, readCg, waitUntil } from './support/cgroups.js';

/** A shell moved into `dirs` before it starts two sleeps (as the helper joins before it forks). */
function startIn(dirs: string[]): ChildProcess {
  const joins = dirs.map((d) => `echo 0 > ${d}/cgroup.procs`).join('; ');
  return spawn('sh', ['-c', `${joins}; sleep 1000 & exec sleep 1000`], { stdio: 'ignore' });
}

describe('the pure v2 path, on the unified hierarchy', () => {
  const unified = detectLayout().v2;
  // As if it were a pure v2 machine whose cgroup2 mount is the unified one.
  const layout = unified
    ? parseLayout(`40 30 0:37 / ${unified.mount} rw - cgroup2 cgroup2 rw\n`, '0::/\n')
    : undefined;

  it('makes <mount>/overlay-tui/<id>, kills a frozen cgroup through cgroup.kill and removes it', async () => {
    if (!layout) throw new Error('this machine has no cgroup2 hierarchy');
    const cg = planCgroup(layout, `v2-path-${process.pid}`) as ContainerCgroup;
    expect(cg.kind).toBe('v2');
    const dir = cg.v2 ?? '';
    expect(dir).toBe(join(layout.v2?.mount ?? '', 'overlay-tui', `v2-path-${process.pid}`));
    makeCgroup(cg, layout, { limits: { pidsLimit: 4096 }, allowAllDevices: false });
    const child = startIn([dir]);
    try {
      await waitUntil('two processes', () => procsIn(dir).length === 2);
      expect(readUsage(cg).pids).toBe(2);
      writeFileSync(join(dir, 'cgroup.freeze'), '1');
      await waitUntil('frozen', () => /frozen 1/.test(readCg(dir, 'cgroup.events')));
      killAndRemoveCgroup(cg, `v2-path-${process.pid}`, 5000);
      expect(existsSync(dir)).toBe(false);
      // Killed by the cgroup, though frozen: it exits of SIGKILL.
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise((resolve) => child.once('exit', resolve));
      }
      expect(child.signalCode).toBe('SIGKILL');
    } finally {
      child.kill('SIGKILL');
      if (existsSync(dir)) killAndRemoveCgroup(cg, `v2-path-${process.pid}`, 5000);
    }
  });

  // Only where the cgroup2 hierarchy lacks the memory controller (hybrid,
  // as here): a pure v2 machine has it, and has nothing to refuse.
  const hasMemory =
    layout !== undefined &&
    readCg(layout.v2?.mount ?? '', 'cgroup.controllers')
      .split(' ')
      .includes('memory');
  it.skipIf(hasMemory)(
    'refuses --memory in one line where v2 has no memory controller, leaving nothing',
    () => {
      if (!layout) throw new Error('this machine has no cgroup2 hierarchy');
      const cg = planCgroup(layout, `v2-nomem-${process.pid}`) as ContainerCgroup;
      expect(() =>
        makeCgroup(cg, layout, {
          limits: { pidsLimit: 4096, memoryBytes: 2 ** 26 },
          allowAllDevices: false,
        }),
      ).toThrow(/^--memory needs the memory cgroup controller/);
      expect(existsSync(cg.v2 ?? '')).toBe(false);
    },
  );
});

// Only on a machine with v1 freezer and pids hierarchies (v1 or hybrid, as here).
const v1 = detectLayout().v1;
describe.skipIf(!v1.freezer || !v1.pids)('the v1 kill loop (no cgroup.kill)', () => {
  it('freezes, kills and thaws until the cgroups are empty, even when frozen first', async () => {
    const full = planCgroup(detectLayout(), `v1-loop-${process.pid}`);
    if (!full?.v1.freezer || !full.v1.pids) throw new Error('no v1 freezer and pids here');
    const cg: ContainerCgroup = {
      kind: 'v1',
      v1: { freezer: full.v1.freezer, pids: full.v1.pids },
    };
    makeCgroup(cg, detectLayout(), { limits: { pidsLimit: 16 }, allowAllDevices: false });
    const child = startIn([full.v1.freezer, full.v1.pids]);
    try {
      await waitUntil('two processes', () => procsIn(full.v1.pids ?? '').length === 2);
      expect(readCg(full.v1.pids, 'pids.max')).toBe('16');
      writeFileSync(join(full.v1.freezer, 'freezer.state'), 'FROZEN');
      killAndRemoveCgroup(cg, `v1-loop-${process.pid}`, 5000);
      expect(existsSync(full.v1.freezer)).toBe(false);
      expect(existsSync(full.v1.pids)).toBe(false);
    } finally {
      child.kill('SIGKILL');
      if (existsSync(full.v1.freezer) || existsSync(full.v1.pids))
        killAndRemoveCgroup(cg, `v1-loop-${process.pid}`, 5000);
    }
  });
});

describe("the helper's --cgroup", () => {
  it('fails with one line and 125 when it cannot join, before anything else', () => {
    const r = spawnSync(
      helperPath,
      [
        'run',
        '--root',
        '/nonexistent',
        '--hostname',
        'h',
        '--cgroup',
        '/tmp/no-such-cgroup',
        '--',
        'true',
      ],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(125);
    expect(r.stderr).toBe(
      'ovl-helper: join cgroup /tmp/no-such-cgroup: No such file or directory\n',
    );
  });
});

describe('the signal guard', () => {
  it('reports a stop action that throws in one line; nothing escapes the handler', () => {
    const guard = new SignalGuard();
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (
      written.push(String(chunk)),
      true
    )) as typeof process.stderr.write;
    try {
      guard.onStop(() => {
        throw new Error('pid 42 did not die after SIGKILL');
      });
      expect(() => process.emit('SIGTERM', 'SIGTERM')).not.toThrow();
      expect(guard.exitCode).toBe(143);
      expect(written).toEqual([
        'overlay-tui: stopping on SIGTERM: pid 42 did not die after SIGKILL\n',
      ]);
    } finally {
      process.stderr.write = write;
      guard.dispose();
    }
  });
});
