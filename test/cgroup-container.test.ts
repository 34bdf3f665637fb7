/**
 * Each container in a cgroup of its own, for real: pid 1 is in it from the
 * start, the limits are written, no host device can be opened, a fork bomb
 * stops at --pids-limit, a memory hog is OOM-killed and said so, and the
 * cgroup is gone after teardown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, runIn } from './support/cli.js';
import { mountsUnder, removeRoot, tempRoot } from './support/state-root.js';
import { processExists, startCli, waitForInit } from './support/spawn-cli.js';
import { cgroupPlan, cgroupsLeft, procsIn, readCg, waitUntil } from './support/cgroups.js';

let root: string;

beforeAll(() => {
  root = tempRoot('ovt-cg-');
  const warm = runIn(root, ['true']);
  expect(warm.code, warm.stderr).toBe(0);
});

afterAll(() => {
  removeRoot(root);
});

describe("the container's own cgroup", () => {
  it('holds pid 1 in every hierarchy (v1 and the unified v2 one), with the limits asked for, and goes at teardown', async () => {
    const id = 'cg-own';
    const flags = ['--name', id, '--pids-limit', '64', '--memory', '64m', '--cpus', '0.5'];
    const run = startCli(['run', '--root', root, ...flags, '--', 'sleep', '1000']);
    try {
      const init = await waitForInit(root);
      const plan = cgroupPlan(id);
      for (const dir of [plan.v2, ...Object.values(plan.v1)]) {
        if (dir) expect(procsIn(dir), dir).toContain(init);
      }
      // The host's view of pid 1's cgroups: each ends in overlay-tui/<id>.
      const lines = readCg(`/proc/${init}`, 'cgroup').split('\n');
      for (const c of ['pids', 'memory', 'cpu', 'devices', 'freezer']) {
        if (plan.v1[c as keyof typeof plan.v1]) {
          expect(lines.find((l) => l.split(':')[1]?.split(',').includes(c))).toMatch(
            /\/overlay-tui\/cg-own$/,
          );
        }
      }
      expect(lines.find((l) => l.startsWith('0::'))).toMatch(/\/overlay-tui\/cg-own$/);
      if (plan.kind === 'v2') {
        expect(readCg(plan.v2 ?? '', 'cpu.max')).toBe('50000 100000');
        expect(readCg(plan.v2 ?? '', 'pids.max')).toBe('64');
        expect(readCg(plan.v2 ?? '', 'memory.max')).toBe(String(64 * 2 ** 20));
      } else {
        expect(readCg(plan.v1.cpu ?? '', 'cpu.cfs_quota_us')).toBe('50000');
        expect(readCg(plan.v1.cpu ?? '', 'cpu.cfs_period_us')).toBe('100000');
        expect(readCg(plan.v1.pids ?? '', 'pids.max')).toBe('64');
        expect(readCg(plan.v1.memory ?? '', 'memory.limit_in_bytes')).toBe(String(64 * 2 ** 20));
        expect(readCg(plan.v1.memory ?? '', 'memory.memsw.limit_in_bytes')).toBe(
          String(64 * 2 ** 20),
        );
        expect(readCg(plan.v1.devices ?? '', 'devices.list')).not.toMatch(/^a \*:\* rwm$/m);
      }
      run.child.kill('SIGTERM');
      expect((await run.exit).code).toBe(143);
      expect(processExists(init)).toBe(false);
      expect(cgroupsLeft(id)).toEqual([]);
      expect(mountsUnder(root)).toEqual([]);
    } finally {
      run.child.kill('SIGKILL');
      await run.exit;
      cli(['clean', '--root', root]);
    }
  });

  // Two layers refuse it: nodev on every writable mount (EACCES, which the
  // kernel checks first) and, on v1, the devices controller (EPERM; its
  // list is checked in the test above).
  it('cannot open a device node of the host made with mknod', () => {
    const r = runIn(root, [
      'sh',
      '-c',
      'mknod /tmp/vda b 254 0 && mknod /tmp/mem c 1 1 && echo made; ' +
        'head -c 512 /tmp/vda | wc -c; head -c 1 /tmp/mem | wc -c; echo ok > /dev/null && echo null-ok',
    ]);
    expect(r.stdout).toMatch(/^made$/m);
    expect(r.stderr).toMatch(/\/tmp\/vda: (Operation not permitted|Permission denied)/);
    expect(r.stderr).toMatch(/\/tmp\/mem: (Operation not permitted|Permission denied)/);
    expect(r.stdout).toMatch(/^0\n0\nnull-ok$/m);
  });

  it('contains a fork bomb at --pids-limit 64, stays responsive, and is torn down cleanly', async () => {
    const id = 'cg-bomb';
    const run = startCli([
      'run',
      '--root',
      root,
      '--name',
      id,
      '--pids-limit',
      '64',
      '--',
      'sh',
      '-c',
      'bomb() { bomb | bomb & }; bomb; exec sleep 1000',
    ]);
    try {
      await waitForInit(root).catch((err: unknown) => {
        throw new Error(`${String(err)}; it said: ${run.stderr().slice(0, 300)}`);
      });
      const pidsDir = cgroupPlan(id).v1.pids ?? cgroupPlan(id).v2 ?? '';
      let most = 0;
      const cpuBefore = process.cpuUsage();
      let opsTime = 0;
      // Until the kernel has refused forks at the limit a few times.
      await waitUntil('the pids limit to be hit', () => {
        const n = Number(readCg(pidsDir, 'pids.current'));
        most = Math.max(most, n);
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < 100; i++) readCg('/proc/self', 'stat');
        opsTime = Math.max(opsTime, Number(process.hrtime.bigint() - t0) / 1e6);
        return (
          /max (\d+)/.test(readCg(pidsDir, 'pids.events')) &&
          Number(/max (\d+)/.exec(readCg(pidsDir, 'pids.events'))?.[1]) > 20
        );
      });
      const cpu = process.cpuUsage(cpuBefore);
      expect(most).toBeLessThanOrEqual(64);
      // Responsive: 100 small reads never took more than a second (typically well under 50 ms).
      expect(opsTime).toBeLessThan(1000);
      expect(cpu.user + cpu.system).toBeGreaterThan(0);
      run.child.kill('SIGTERM');
      expect((await run.exit).code).toBe(143);
      expect(cgroupsLeft(id)).toEqual([]);
      expect(mountsUnder(root)).toEqual([]);
    } finally {
      run.child.kill('SIGKILL');
      await run.exit;
      cli(['clean', '--root', root]);
    }
  });

  it('OOM-kills a memory hog under --memory 16m and says so in one line', () => {
    const r = runIn(
      root,
      ['sh', '-c', 'a=xxxxxxxx; while :; do a="$a$a"; done'],
      ['--name', 'cg-oom', '--memory', '16m'],
    );
    expect(r.code).toBe(137);
    expect(r.stderr).toMatch(
      /^overlay-tui: container cg-oom: out of memory: the kernel killed a process \(limit 16 MiB\)$/m,
    );
    expect(cgroupsLeft('cg-oom')).toEqual([]);
    expect(mountsUnder(root)).toEqual([]);
  });
});
