/**
 * What the container can reach of the kernel and the host's devices:
 * Docker's masked paths read as nothing, its read-only paths refuse
 * writes, /sys cannot be remounted, and no device node the container
 * makes opens (every writable mount is nodev), while the standard ones
 * work. --privileged gives it all back. The kernel is the judge: each
 * check is done by busybox inside the container.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIn } from './support/cli.js';
import { HELPER } from './support/paths.js';
import { imageLower, mountsUnder, removeRoot, tempRoot } from './support/state-root.js';

let root: string;

beforeAll(() => {
  root = tempRoot('ovt-paths-');
  const warm = runIn(root, ['true']);
  expect(warm.code, warm.stderr).toBe(0);
});

afterAll(() => {
  removeRoot(root);
});

/** Runs a script in a container; its stdout lines. */
function script(text: string, extra: string[] = []): string[] {
  const r = runIn(root, ['sh', '-c', text], extra);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim().split('\n');
}

// Files the host has and a container must not read (this kernel has no
// /proc/kcore; the others of Docker's list are checked where they exist).
const MASKED_FILES = ['/proc/keys', '/proc/timer_list', '/proc/kcore', '/proc/sched_debug'].filter(
  (p) => existsSync(p) && statSync(p).isFile(),
);
const MASKED_DIRS = ['/sys/firmware', '/proc/acpi', '/proc/scsi'].filter(
  (p) => existsSync(p) && statSync(p).isDirectory(),
);

describe('masked and read-only kernel paths', () => {
  it('reads masked files and directories as empty', () => {
    expect(MASKED_FILES.length + MASKED_DIRS.length).toBeGreaterThan(0);
    for (const f of MASKED_FILES) expect(readFileSync(f).length, f).toBeGreaterThan(0);
    const lines = script(
      [
        ...MASKED_FILES.map((f) => `echo "${f} $(cat ${f} | wc -c)"`),
        ...MASKED_DIRS.map((d) => `echo "${d} $(ls -A ${d} | wc -l)"`),
      ].join('; '),
    );
    expect(lines).toEqual([...MASKED_FILES, ...MASKED_DIRS].map((p) => `${p} 0`));
  });

  it('refuses writes to /proc/sys and a remount of /sys read-write', () => {
    const lines = script(
      [
        'echo 1 > /proc/sys/kernel/printk_ratelimit && echo wrote || echo refused',
        'mount -o remount,rw /sys && echo remounted || echo refused',
        'mount -o remount,rw /proc/sys && echo remounted || echo refused',
        'grep -E " /(sys|proc/sys) " /proc/mounts | cut -d" " -f2,4 | cut -d, -f1',
      ].join('; '),
    );
    expect(lines).toEqual(['refused', 'refused', 'refused', '/sys ro', '/proc/sys ro']);
  });

  it('--privileged masks nothing and leaves /proc/sys writable', () => {
    const file = MASKED_FILES[0] ?? '/proc/keys';
    const lines = script(
      `cat ${file} | wc -c; grep -c " /proc/sys " /proc/mounts; mount -o remount,rw /sys && echo remounted`,
      ['--privileged'],
    );
    expect(Number(lines[0])).toBeGreaterThan(0);
    expect(lines.slice(1)).toEqual(['0', 'remounted']);
  });
});

describe('devices', () => {
  // loop0 (7:0) opens on this host; a copy of /dev/null (1:3) opens anywhere.
  const probe = (dir: string): string =>
    [
      `mknod ${dir}/blk b 7 0 && mknod ${dir}/chr c 1 3`,
      `head -c 1 ${dir}/blk >/dev/null 2>${dir}/err && echo blk opened || echo "blk $(cat ${dir}/err)"`,
      `echo x 2>${dir}/err > ${dir}/chr && echo chr opened || echo "chr $(cat ${dir}/err)"`,
      `rm ${dir}/blk ${dir}/chr ${dir}/err`,
    ].join('; ');

  it('opens no node the container makes, in /tmp or /dev, but the standard ones', () => {
    const lines = script(
      [
        probe('/tmp'),
        probe('/dev'),
        probe('/dev/shm'),
        'echo x > /dev/null && head -c 4 /dev/zero | wc -c && head -c 4 /dev/urandom | wc -c',
        'echo x > /dev/full 2>/dev/null || echo full refused',
      ].join('; '),
    );
    expect(lines).toHaveLength(9);
    for (let i = 0; i < 6; i += 2) {
      expect(lines[i]).toMatch(/^blk .*Permission denied/);
      expect(lines[i + 1]).toMatch(/^chr .*Permission denied/);
    }
    expect(lines.slice(6)).toEqual(['4', '4', 'full refused']);
  });

  it('--privileged reaches host devices again', () => {
    expect(script(probe('/tmp'), ['--privileged'])).toEqual(['blk opened', 'chr opened']);
  });
});

describe('where the helper mounts', () => {
  it('refuses a masked or read-only path that is a symlink in the image, mounting nothing', () => {
    // A root of our own, with links an image could carry.
    const rootfs = join(root, 'rootfs');
    cpSync(imageLower(root), rootfs, { recursive: true, verbatimSymlinks: true });
    mkdirSync(join(rootfs, 'etc/x'), { recursive: true });
    symlinkSync('/etc/hostname', join(rootfs, 'etc/x/file'));
    symlinkSync('/etc', join(rootfs, 'etc/x/dir'));
    const helper = (opt: string, path: string) =>
      spawnSync(HELPER, ['run', '--root', rootfs, '--hostname', 't', opt, path, '--', 'true'], {
        encoding: 'utf8',
      });
    const cases: [string, string, RegExp][] = [
      ['--mask', '/etc/x/file', /confine \/etc\/x\/file: it is a symlink; refusing/],
      [
        '--readonly',
        '/etc/x/dir/passwd',
        /confine \/etc\/x\/dir\/passwd: it is a symlink; refusing/,
      ],
    ];
    for (const [opt, path, message] of cases) {
      const r = helper(opt, path);
      expect(r.status, r.stderr).toBe(125);
      expect(r.stderr).toMatch(message);
    }
    // The seccomp rules are read (a host path) before anything is set up.
    const rules = spawnSync(
      HELPER,
      ['run', '--root', rootfs, '--hostname', 't', '--seccomp', `${root}/no-rules`, '--', 'true'],
      { encoding: 'utf8' },
    );
    expect(rules.status).toBe(125);
    expect(rules.stderr).toContain(`${root}/no-rules`);
    // A path that is not there is skipped, not made.
    const absent = helper('--mask', '/proc/no-such-file');
    expect(absent.status, absent.stderr).toBe(0);
    expect(mountsUnder(root)).toEqual([]);
  });
});
