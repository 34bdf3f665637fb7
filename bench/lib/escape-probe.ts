/**
 * The escape probe (test/support/escape-probe/*.c) and what it needs from
 * the host: built statically into a directory, put at /probe of a copy of
 * the busybox image, and given the host's disk, a marker file on it and a
 * host pid. Shared by the escape test (test/confine-escape.test.ts) and
 * bench/escape-compare.ts, which runs the same probe under Docker.
 * Paths come from the caller: the test runs from source, the bench from dist.
 */
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  openSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';

/** Compiles the probe's C sources in srcDir into outDir/probe, statically (the image has no libc). */
export function buildProbe(srcDir: string, outDir: string): string {
  const sources = ['probe.c', 'breakouts-fs.c', 'breakouts-kernel.c'].map((f) => join(srcDir, f));
  const out = join(outDir, 'probe');
  const flags = ['-O2', '-Wall', '-Wextra', '-Werror', '-std=gnu11', '-static'];
  const r = spawnSync(process.env['CC'] ?? 'cc', [...flags, '-o', out, ...sources], {
    encoding: 'utf8',
  });
  if (r.status !== 0)
    throw new Error(
      `building the escape probe failed (needs cc and libc.a): ${r.error?.message ?? r.stderr}`,
    );
  return out;
}

/** outDir/probe-image.tar: the busybox image with the probe appended as /probe. */
export function probeImage(busyboxTar: string, probe: string, outDir: string): string {
  const image = join(outDir, 'probe-image.tar');
  copyFileSync(busyboxTar, image);
  const r = spawnSync(
    'tar',
    ['--append', '-f', image, '--owner=0', '--group=0', '--mode=0755', '-C', outDir, 'probe'],
    { encoding: 'utf8' },
  );
  if (r.status !== 0)
    throw new Error(`tar --append of the probe failed: ${r.error?.message ?? r.stderr}`);
  return image;
}

/** The block device under a directory, and a marker file made there to prove a mount of it is the host's. */
export interface HostDisk {
  /** MAJ:MIN, as mountinfo spells it. */
  dev: string;
  fsType: string;
  /** The marker's path on the host. */
  marker: string;
  /** The same file's path from the root of its file system (what a fresh mount of the device shows). */
  markerInFs: string;
  /** Whether the host itself can open the device read-only (some sandboxes refuse even root). */
  hostCanOpen: boolean;
}

interface MountLine {
  dev: string;
  root: string;
  mountPoint: string;
  fsType: string;
}

function mountLines(): MountLine[] {
  const unescape = (s: string): string =>
    s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const f = line.split(' ');
      const dash = f.indexOf('-', 6);
      return {
        dev: f[2] ?? '',
        root: unescape(f[3] ?? ''),
        mountPoint: unescape(f[4] ?? ''),
        fsType: f[dash + 1] ?? '',
      };
    });
}

/** glibc's major()/minor() of a dev_t. */
function majorMinor(dev: number): string {
  const big = BigInt(dev);
  const major = ((big >> 8n) & 0xfffn) | ((big >> 32n) & ~0xfffn);
  const minor = (big & 0xffn) | ((big >> 12n) & ~0xffn);
  return `${major}:${minor}`;
}

/** Whether root on the host can open the device: a node made in dir, opened read-only, removed. */
function hostCanOpen(dir: string, dev: string): boolean {
  const node = join(dir, 'host-disk-node');
  const [major = '', minor = ''] = dev.split(':');
  const made = spawnSync('mknod', [node, 'b', major, minor]);
  if (made.status !== 0) return false;
  try {
    closeSync(openSync(node, 'r'));
    return true;
  } catch {
    return false;
  } finally {
    rmSync(node, { force: true });
  }
}

/**
 * The disk holding dir (the first of dirs on a block device: a tmpfs or an
 * overlay /tmp has none), with a marker file written there.
 */
export function hostDisk(dirs: string[]): HostDisk {
  for (const d of dirs) {
    const dir = realpathSync(d);
    const dev = majorMinor(statSync(dir).dev);
    if (dev.startsWith('0:')) continue; // no block device behind it
    const mount = mountLines()
      .filter(
        (m) =>
          m.dev === dev &&
          (dir === m.mountPoint || dir.startsWith(`${m.mountPoint.replace(/\/$/, '')}/`)),
      )
      .sort((a, b) => b.mountPoint.length - a.mountPoint.length)[0];
    if (!mount) continue;
    const marker = join(dir, `escape-marker-${process.pid}`);
    writeFileSync(marker, 'the host\n');
    return {
      dev,
      fsType: mount.fsType,
      marker,
      markerInFs: join(mount.root, relative(mount.mountPoint, marker)).replace(/^\//, ''),
      hostCanOpen: hostCanOpen(dir, dev),
    };
  }
  throw new Error(
    `none of ${dirs.join(', ')} is on a block device: the disk breakouts need one to aim at`,
  );
}

export function probeArgs(disk: HostDisk, hostPid: number): string[] {
  return [
    '--disk',
    disk.dev,
    '--fstype',
    disk.fsType,
    '--marker',
    disk.markerInFs,
    '--host-marker',
    disk.marker,
    '--host-pid',
    String(hostPid),
  ];
}

export type Verdict = 'ok' | 'blocked' | 'absent' | 'error';

export interface Attempt {
  verdict: Verdict;
  detail: string;
}

/** The probe's lines, by attempt name; anything else it printed is an error. */
export function parseProbe(stdout: string): Map<string, Attempt> {
  const out = new Map<string, Attempt>();
  for (const line of stdout.split('\n').filter(Boolean)) {
    const m = /^([a-z0-9-]+) (ok|blocked|absent|error) ?(.*)$/.exec(line);
    if (!m) throw new Error(`the probe printed a line it should not: ${JSON.stringify(line)}`);
    out.set(m[1] ?? '', { verdict: m[2] as Verdict, detail: m[3] ?? '' });
  }
  return out;
}

/** Every attempt the probe makes, in its order (the probe's table in probe.c). */
export const ATTEMPTS = [
  'cap-sys-admin',
  'mknod-open-host-disk',
  'mount-host-disk',
  'mknod-open-kmsg',
  'remount-sys-rw',
  'write-proc-sys',
  'open-sysrq-trigger',
  'mount-proc',
  'mount-sysfs',
  'mount-tmpfs',
  'mount-cgroup1',
  'mount-cgroup2',
  'cgroup1-release-agent',
  'unshare-userns-mount',
  'open-by-handle-at',
  'chroot-escape',
  'ptrace-host-pid',
  'proc-host-pids',
  'keyctl-host-keyring',
  'read-proc-kcore',
  'read-proc-keys',
  'read-proc-timer-list',
  'read-proc-sched-debug',
  'read-proc-kallsyms',
  'read-sys-firmware',
  'kexec-load',
  'init-module',
  'bpf-prog-load',
  'perf-event-open',
] as const;

/** What a kernel may simply not have (CONFIG_KEXEC, CONFIG_MODULES, /proc/kcore...): "absent" is no escape. */
export const MAY_BE_ABSENT: ReadonlySet<string> = new Set([
  'open-sysrq-trigger',
  'read-proc-kcore',
  'read-proc-sched-debug',
  'kexec-load',
  'init-module',
]);
