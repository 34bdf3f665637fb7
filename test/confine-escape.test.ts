/**
 * The escape suite: known container breakouts, tried from inside a real
 * container by a static C probe (test/support/escape-probe/) at /probe of
 * the busybox image. By default every one must fail; with --privileged the
 * device and mount ones must work, which proves the probe detects what it
 * claims to. bench/escape-compare.ts runs the same probe under Docker.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ATTEMPTS,
  MAY_BE_ABSENT,
  buildProbe,
  hostDisk,
  parseProbe,
  probeArgs,
  probeImage,
  type Attempt,
  type HostDisk,
} from '../bench/lib/escape-probe.js';
import { cli } from './support/cli.js';
import { DEFAULT_IMAGE_PATH, REPO } from './support/paths.js';
import { mountsUnder, removeRoot, tempRoot } from './support/state-root.js';

const SYSCTL = '/proc/sys/kernel/printk_ratelimit'; // the one the probe writes back

let dir: string;
let root: string;
let image: string;
let disk: HostDisk;

beforeAll(() => {
  dir = tempRoot('ovt-escape-');
  root = join(dir, 'root');
  mkdirSync(root, { mode: 0o700 });
  const probe = buildProbe(join(REPO, 'test/support/escape-probe'), dir);
  image = probeImage(DEFAULT_IMAGE_PATH, probe, dir);
  disk = hostDisk([dir, REPO]);
});

afterAll(() => {
  // hostDisk writes its marker in the repository when /tmp is not on a disk.
  if (disk) rmSync(disk.marker, { force: true });
  if (dir) removeRoot(dir);
});

/** Runs the probe in a container and returns its verdicts; the host is checked unchanged after. */
function probeIn(extra: string[]): Map<string, Attempt> {
  const sysctl = readFileSync(SYSCTL, 'utf8');
  const r = cli([
    'run',
    '--image',
    image,
    '--root',
    root,
    ...extra,
    '--',
    '/probe',
    ...probeArgs(disk, process.pid),
  ]);
  expect(r.code, r.stderr).toBe(0);
  expect(mountsUnder(dir)).toEqual([]);
  // The probe mounts only in the container's namespace: none of its mounts (under
  // /tmp/escape-*, the named v1 hierarchy) may have reached the host's.
  expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toMatch(/\/escape-|name=ovtescape/);
  expect(readFileSync(SYSCTL, 'utf8')).toBe(sysctl);
  const attempts = parseProbe(r.stdout);
  expect([...attempts.keys()]).toEqual(ATTEMPTS);
  return attempts;
}

/** "name verdict detail" for the attempts that fail a rule, so that a failure names them all. */
function lines(attempts: Map<string, Attempt>, names: Iterable<string>): string[] {
  return [...names].map((n) => `${n} ${attempts.get(n)?.verdict} ${attempts.get(n)?.detail}`);
}

describe('escape suite', () => {
  it('blocks every breakout under the default profile', () => {
    const attempts = probeIn([]);
    const escaped = [...attempts].filter(
      ([name, a]) =>
        a.verdict !== 'blocked' && !(a.verdict === 'absent' && MAY_BE_ABSENT.has(name)),
    );
    expect(
      lines(
        attempts,
        escaped.map(([n]) => n),
      ),
    ).toEqual([]);
  });

  it('lets every breakout the default blocks work with --privileged, where this kernel has it (the probe sees what it claims)', () => {
    const attempts = probeIn(['--privileged']);
    const mustWork = [
      'cap-sys-admin',
      'mount-host-disk',
      'mknod-open-kmsg',
      'remount-sys-rw',
      'mount-proc',
      'mount-sysfs',
      'mount-tmpfs',
      'mount-cgroup2',
      'write-proc-sys',
      'unshare-userns-mount',
      'open-by-handle-at',
      'keyctl-host-keyring',
      'read-proc-keys',
      'read-proc-timer-list',
      'read-proc-kallsyms',
      'read-sys-firmware',
      'bpf-prog-load',
      'perf-event-open',
      // The cgroup v1 ones, where the kernel still has v1 (hybrid, as here).
      ...(existsSync('/sys/fs/cgroup/freezer') ? ['mount-cgroup1', 'cgroup1-release-agent'] : []),
      // Some sandboxes refuse even the host's root an open of its disk.
      ...(disk.hostCanOpen ? ['mknod-open-host-disk'] : []),
    ];
    const failed = mustWork.filter((n) => attempts.get(n)?.verdict !== 'ok');
    expect(lines(attempts, failed)).toEqual([]);
    expect(attempts.get('mount-host-disk')?.detail).toMatch(/the host's marker file is there/);
  });
});
