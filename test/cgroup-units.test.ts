/** The cgroup layout, the limits' parsing and the files they become: pure, no cgroup touched. */
import { describe, expect, it } from 'vitest';
import { parseLayout } from '../src/engine/cgroup/layout.js';
import { planCgroup } from '../src/engine/cgroup/record.js';
import {
  LimitError,
  limitWrites,
  parseCpus,
  parseMemory,
  parsePidsLimit,
} from '../src/engine/cgroup/limits.js';
import { deviceWrites } from '../src/engine/cgroup/devices.js';
import { runIn } from './support/cli.js';

const HYBRID_MOUNTS = `30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
35 30 0:32 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
36 30 0:33 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;
const HYBRID_SELF = `9:name=systemd:/
8:pids:/
4:memory:/process_api/abc
1:cpu,cpuacct:/
6:freezer:/
5:devices:/
0::/user
`;

describe('the cgroup layout', () => {
  it('finds v1 controllers and the unified hierarchy on a hybrid machine, each at our own cgroup', () => {
    const layout = parseLayout(HYBRID_MOUNTS, HYBRID_SELF);
    expect(layout.kind).toBe('hybrid');
    expect(layout.v1.memory).toEqual({
      mount: '/sys/fs/cgroup/memory',
      own: '/sys/fs/cgroup/memory/process_api/abc',
    });
    expect(layout.v1.cpu?.mount).toBe('/sys/fs/cgroup/cpu,cpuacct');
    expect(layout.v2).toEqual({
      mount: '/sys/fs/cgroup/unified',
      own: '/sys/fs/cgroup/unified/user',
    });
    const cg = planCgroup(layout, 'c1');
    // Under our own memory cgroup (a sandbox's limit still holds), and the unified one.
    expect(cg?.v1.memory).toBe('/sys/fs/cgroup/memory/process_api/abc/overlay-tui/c1');
    expect(cg?.v1.pids).toBe('/sys/fs/cgroup/pids/overlay-tui/c1');
    expect(cg?.v2).toBe('/sys/fs/cgroup/unified/user/overlay-tui/c1');
  });

  it('puts a pure v2 container at the root of the hierarchy, and reads a cgroup namespace root', () => {
    const mounts = '29 22 0:26 /ns /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n';
    const layout = parseLayout(mounts, '0::/ns/user.slice/session-1.scope\n');
    expect(layout.kind).toBe('v2');
    expect(layout.v2?.own).toBe('/sys/fs/cgroup/user.slice/session-1.scope');
    expect(planCgroup(layout, 'c2')).toEqual({
      kind: 'v2',
      v2: '/sys/fs/cgroup/overlay-tui/c2',
      v1: {},
    });
  });

  it('says when there is no cgroup file system at all', () => {
    expect(parseLayout('26 1 254:0 / / rw - ext4 /dev/vda rw\n', '0::/\n').kind).toBe('none');
  });
});

describe('--pids-limit, --memory and --cpus as Docker reads them', () => {
  it('parses sizes with b, k, m, g and refuses less than 6m', () => {
    expect(parseMemory('64m')).toBe(64 * 2 ** 20);
    expect(parseMemory('1g')).toBe(2 ** 30);
    expect(parseMemory('6291456')).toBe(6291456);
    expect(parseMemory('6144k')).toBe(6291456);
    expect(parseMemory('16MB')).toBe(16 * 2 ** 20);
    expect(() => parseMemory('5m')).toThrow(LimitError);
    expect(() => parseMemory('lots')).toThrow(/not a size/);
    expect(() => parseMemory('-64m')).toThrow(LimitError);
  });

  it('takes 0 or less as no pids limit, 4096 by default', () => {
    expect(parsePidsLimit(undefined)).toBe(4096);
    expect(parsePidsLimit('64')).toBe(64);
    expect(parsePidsLimit('0')).toBe(-1);
    expect(parsePidsLimit('-1')).toBe(-1);
    expect(() => parsePidsLimit('1.5')).toThrow(LimitError);
  });

  it('takes --cpus from 0.01 to the CPUs there are', () => {
    expect(parseCpus('0.5', 2)).toBe(0.5);
    expect(parseCpus('2', 2)).toBe(2);
    expect(() => parseCpus('3', 2)).toThrow(/from 0.01 to 2/);
    expect(() => parseCpus('0', 2)).toThrow(LimitError);
    expect(() => parseCpus('half', 2)).toThrow(LimitError);
  });

  it('writes cpu.max on v2 and the CFS quota and period on v1; memsw equal to memory on v1', () => {
    const limits = { pidsLimit: 64, memoryBytes: 16 * 2 ** 20, cpus: 0.5 };
    const v2 = limitWrites(limits, true).map((w) => `${w.file}=${w.value}`);
    expect(v2).toEqual([
      'pids.max=64',
      'memory.max=16777216',
      'memory.swap.max=0',
      'cpu.max=50000 100000',
    ]);
    const v1 = limitWrites(limits, false).map((w) => `${w.file}=${w.value}`);
    expect(v1).toEqual([
      'pids.max=64',
      'memory.limit_in_bytes=16777216',
      'memory.memsw.limit_in_bytes=16777216',
      'cpu.cfs_period_us=100000',
      'cpu.cfs_quota_us=50000',
    ]);
    expect(limitWrites({ pidsLimit: -1 }, true)).toEqual([
      { controller: 'pids', file: 'pids.max', value: 'max' },
    ]);
  });

  it("denies every device but Docker's default list; --privileged allows all", () => {
    const rules = deviceWrites(false).map((d) => `${d.file} ${d.value}`);
    expect(rules[0]).toBe('devices.deny a');
    expect(rules).toContain('devices.allow c 1:3 rwm');
    expect(rules).toContain('devices.allow c 136:* rwm');
    expect(rules).toContain('devices.allow b *:* m');
    expect(rules.some((r) => r.startsWith('devices.allow b 254'))).toBe(false);
    expect(deviceWrites(true)).toEqual([{ file: 'devices.allow', value: 'a' }]);
  });

  it('refuses a bad value with one usage line and exit 2, before anything is made', () => {
    for (const [flag, value, said] of [
      ['--memory', '5m', /--memory: 5m is below the minimum of 6m/],
      ['--cpus', 'x', /--cpus: "x" is not a number/],
      ['--pids-limit', 'many', /--pids-limit: "many" is not a whole number/],
    ] as const) {
      const r = runIn('/tmp/ovt-never-made', ['true'], [flag, value]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(said);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
