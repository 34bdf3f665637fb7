/**
 * The filter itself: the helper's seccomp code (src/engine/helper/seccomp.c)
 * linked into a probe, loading the rules overlay-tui compiles, then real
 * syscalls. Every denied probe is also run without the filter, to show
 * that the EPERM comes from the filter and not from the machine.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_IMAGE_PATH } from './support/paths.js';
import {
  DOCKER_DEFAULT_CAPS,
  buildProbe,
  profileOf,
  probeResults,
  runProbe,
  writeRules,
} from './support/seccomp.js';

const EPERM = 1;
const ENOSYS = 38;

/** Docker denies these to a container with its default capabilities. */
const DENIED = [
  'unshare_ns',
  'unshare_user',
  'clone_newuser',
  'mount',
  'umount2',
  'pivot_root',
  'setns',
  'keyctl',
  'add_key',
  'request_key',
  'bpf',
  'perf_event_open',
  'init_module',
  'finit_module',
  'delete_module',
  'kexec_load',
  'open_by_handle_at',
  'personality_bad',
  'io_uring_setup',
  'socket_vsock',
  'acct',
  'swapon',
  'reboot',
  'clock_settime',
  'syslog',
  'quotactl',
  'userfaultfd',
  'sethostname',
];

/** The ordinary ones keep working (chroot: CAP_SYS_CHROOT is a default capability). */
const ALLOWED = [
  'getpid',
  'read',
  'fork',
  'exec_true',
  'mkdir',
  'socket_unix',
  'personality_query',
  'ptrace_traceme',
];

let dir: string;
let probe: string;
let unfiltered: Map<string, number>;

beforeAll(() => {
  dir = mkdtempSync('/tmp/ovt-seccomp-');
  probe = buildProbe(dir);
  unfiltered = probeResults(probe, '-', dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the default profile's filter", () => {
  it("denies what Docker's default denies, with EPERM, and clone3 with ENOSYS", () => {
    const rules = writeRules(
      dir,
      'default.rules',
      profileOf({ kind: 'default' }, DOCKER_DEFAULT_CAPS),
    );
    const results = probeResults(probe, rules, dir);
    for (const name of DENIED) {
      expect(unfiltered.get(name), `${name} without the filter`).not.toBe(EPERM);
      expect(results.get(name), name).toBe(EPERM);
    }
    expect(unfiltered.get('clone3')).not.toBe(ENOSYS);
    expect(results.get('clone3')).toBe(ENOSYS);
    for (const name of [...ALLOWED, 'chroot']) {
      expect(results.get(name), name).toBe(unfiltered.get(name));
    }
  });

  it('allows namespaces and mounts once CAP_SYS_ADMIN is added, and still no keyring', () => {
    const caps = [...DOCKER_DEFAULT_CAPS, 'CAP_SYS_ADMIN'];
    const rules = writeRules(dir, 'admin.rules', profileOf({ kind: 'default' }, caps));
    const results = probeResults(probe, rules, dir);
    for (const name of [
      'unshare_ns',
      'unshare_user',
      'clone_newuser',
      'mount',
      'setns',
      'syslog',
    ]) {
      expect(results.get(name), name).toBe(unfiltered.get(name));
    }
    expect(results.get('clone3')).toBe(unfiltered.get('clone3'));
    for (const name of ['keyctl', 'add_key', 'kexec_load', 'pivot_root', 'io_uring_setup']) {
      expect(results.get(name), name).toBe(EPERM);
    }
  });

  it('runs busybox: sh, ls, cat, echo > file, mv, rm, ps; mount and unshare fail', () => {
    const root = join(dir, 'busybox');
    mkdirSync(root);
    execFileSync('tar', ['-xf', DEFAULT_IMAGE_PATH, '-C', root]);
    const rules = writeRules(
      dir,
      'busybox.rules',
      profileOf({ kind: 'default' }, DOCKER_DEFAULT_CAPS),
    );
    const script = [
      'cd /tmp',
      'echo hello > f',
      'cat f',
      'mv f g',
      'ls',
      'rm g',
      'ls | wc -l',
      'mkdir d && rmdir d',
      'ps -o pid,comm | head -1',
      'mount -t tmpfs none /mnt 2>&1 || echo mount refused',
      'unshare -m true 2>&1 || echo unshare refused',
    ].join('; ');
    // A private mount namespace with the host's /proc bound in, and chroot:
    // the probe's own, gone when it exits.
    const run = runProbe(probe, [rules, 'chroot', root, '/bin/sh', '-c', script]);
    expect(run.stderr).toBe('');
    const lines = run.stdout.trim().split('\n');
    expect(lines.slice(0, 3)).toEqual(['hello', 'g', '0']);
    expect(lines[3]).toMatch(/^PID +COMMAND$/);
    expect(lines.slice(-4)).toEqual([
      // busybox's words for EPERM from mount(2).
      'mount: permission denied (are you root?)',
      'mount refused',
      'unshare: unshare(0x20000): Operation not permitted',
      'unshare refused',
    ]);
    expect(run.status).toBe(0);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(root);
  });
});

describe('a profile file', () => {
  it('denying mkdir makes mkdir fail with the errno it gives', () => {
    const path = join(dir, 'deny-mkdir.json');
    const profile = {
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }],
    };
    writeFileSync(path, JSON.stringify(profile));
    const rules = writeRules(dir, 'mkdir.rules', profileOf({ kind: 'file', path }, []));
    const results = probeResults(probe, rules, dir);
    expect(unfiltered.get('mkdir')).toBe(0);
    expect(results.get('mkdir')).toBe(13);
    expect(results.get('unshare_ns')).toBe(unfiltered.get('unshare_ns'));
  });
});

describe('the rules file in the helper', () => {
  it('is refused in one line naming the file and the line', () => {
    const cases: [string, RegExp][] = [
      ['rule allow read\n', /: no default action$/],
      ['default errno 1\nrule notify read\n', /line 2: notify needs a listener/],
      ['default errno 1\nrule allow socket arg7 eq 1\n', /line 2: bad argument arg7/],
      ['default errno 1\nrule allow socket arg0 like 1\n', /line 2: unknown comparison like/],
      ['default errno 1\nrule allow socket arg0 eq 1 arg0 eq 2\n', /line 2: arg0 compared twice/],
      ['default errno x\n', /line 1: bad number x/],
      ['default allow\narch vax\n', /line 2: unknown architecture vax/],
      ['default allow\nallow read\n', /line 2: unknown statement allow/],
    ];
    for (const [text, pattern] of cases) {
      const rules = writeRules(dir, 'bad.rules', text);
      rmSync(`${rules}.bpf`, { force: true });
      const run = runProbe(probe, [rules, 'probe', dir]);
      expect(run.status, text).toBe(3);
      expect(run.stderr.trim(), text).toMatch(pattern);
      expect(run.stderr.trim().startsWith(`seccomp rules ${rules}`), text).toBe(true);
      expect(run.stderr.trim().split('\n'), text).toHaveLength(1);
    }
  });

  it('skips syscalls this libseccomp does not know, as runc does', () => {
    const rules = writeRules(
      dir,
      'unknown.rules',
      'default allow\nrule errno 13 no_such_call\nrule errno 13 mkdir\n',
    );
    expect(probeResults(probe, rules, dir).get('mkdir')).toBe(13);
  });

  it('keeps the program it built beside the rules, and rebuilds when the rules change', () => {
    const rules = writeRules(dir, 'cached.rules', 'default allow\nrule errno 13 mkdir\n');
    rmSync(`${rules}.bpf`, { force: true });
    expect(probeResults(probe, rules, dir).get('mkdir')).toBe(13);
    expect(statSync(`${rules}.bpf`).mode & 0o077).toBe(0);
    expect(probeResults(probe, rules, dir).get('mkdir')).toBe(13);
    // Same length, other errno: the cached program must not be reused.
    writeRules(dir, 'cached.rules', 'default allow\nrule errno 17 mkdir\n');
    expect(probeResults(probe, rules, dir).get('mkdir')).toBe(17);
    expect(existsSync(`${rules}.bpf`)).toBe(true);
  });
});
