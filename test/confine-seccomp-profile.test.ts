/**
 * The seccomp profile in TypeScript: Docker's includes/excludes resolved for
 * a container's capabilities, this machine's architecture and kernel; the
 * default profile's decisions; the rules text the helper reads.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../src/engine/confine/seccomp-default.js';
import { resolveProfile, type SeccompHost } from '../src/engine/confine/seccomp-resolve.js';
import { rulesText } from '../src/engine/confine/seccomp-rules.js';
import { helperSeccompRules, seccompFor } from '../src/engine/confine/seccomp.js';
import type { DockerSeccompProfile, OciSeccomp } from '../src/engine/confine/types.js';
import { DOCKER_DEFAULT_CAPS } from './support/seccomp.js';

const AMD64: SeccompHost = { arch: 'amd64', seccompArch: 'SCMP_ARCH_X86_64', kernel: '6.18.4-x' };
const S390X: SeccompHost = { arch: 's390x', seccompArch: 'SCMP_ARCH_S390X', kernel: '4.4.0' };

/** The actions a resolved profile gives a syscall, with their argument conditions. */
function rulesFor(profile: OciSeccomp, name: string): string[] {
  return profile.syscalls
    .filter((s) => s.names.includes(name))
    .map((s) =>
      [s.action, s.errnoRet, ...(s.args ?? []).map((a) => `${a.index}:${a.op}:${a.value}`)]
        .filter((w) => w !== undefined)
        .join(' '),
    );
}

const PROFILE: DockerSeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  archMap: [
    { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86'] },
    { architecture: 'SCMP_ARCH_S390X', subArchitectures: ['SCMP_ARCH_S390'] },
  ],
  syscalls: [
    { names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: ['both'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_A', 'CAP_B'] } },
    { names: ['clone'], action: 'SCMP_ACT_ALLOW', excludes: { caps: ['CAP_SYS_ADMIN'] } },
    { name: 'arch_prctl', action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64'] } },
    { names: ['not_s390'], action: 'SCMP_ACT_ALLOW', excludes: { arches: ['s390x'] } },
    { names: ['new'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '5.0' } },
    { names: ['old'], action: 'SCMP_ACT_LOG', excludes: { minKernel: '4.8' } },
  ],
};

describe('resolving a Docker profile', () => {
  it('keeps a rule that includes a capability only when the container holds it', () => {
    expect(rulesFor(resolveProfile(PROFILE, [], AMD64), 'mount')).toEqual([]);
    expect(rulesFor(resolveProfile(PROFILE, ['CAP_SYS_ADMIN'], AMD64), 'mount')).toEqual([
      'SCMP_ACT_ALLOW',
    ]);
    // Every capability of includes.caps, not any one of them.
    expect(rulesFor(resolveProfile(PROFILE, ['CAP_A'], AMD64), 'both')).toEqual([]);
    expect(rulesFor(resolveProfile(PROFILE, ['CAP_A', 'cap_b'], AMD64), 'both')).toHaveLength(1);
  });

  it('drops a rule that excludes a capability the container holds', () => {
    expect(rulesFor(resolveProfile(PROFILE, ['CAP_CHOWN'], AMD64), 'clone')).toHaveLength(1);
    expect(rulesFor(resolveProfile(PROFILE, ['CAP_SYS_ADMIN'], AMD64), 'clone')).toEqual([]);
  });

  it("takes this machine's architecture: its archMap entry, and arch includes/excludes", () => {
    const amd = resolveProfile(PROFILE, [], AMD64);
    const s390 = resolveProfile(PROFILE, [], S390X);
    expect(amd.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86']);
    expect(s390.architectures).toEqual(['SCMP_ARCH_S390X', 'SCMP_ARCH_S390']);
    expect(rulesFor(amd, 'arch_prctl')).toHaveLength(1);
    expect(rulesFor(s390, 'arch_prctl')).toEqual([]);
    expect(rulesFor(amd, 'not_s390')).toHaveLength(1);
    expect(rulesFor(s390, 'not_s390')).toEqual([]);
    const listed = resolveProfile(
      { ...PROFILE, archMap: [], architectures: ['SCMP_ARCH_X32'] },
      [],
    );
    expect(listed.architectures).toEqual(['SCMP_ARCH_X32']);
  });

  it("applies minKernel against the machine's kernel", () => {
    expect(rulesFor(resolveProfile(PROFILE, [], AMD64), 'new')).toHaveLength(1);
    expect(rulesFor(resolveProfile(PROFILE, [], S390X), 'new')).toEqual([]);
    // excludes.minKernel 4.8: dropped from 4.8 on, kept before.
    expect(rulesFor(resolveProfile(PROFILE, [], { ...AMD64, kernel: '4.8' }), 'old')).toEqual([]);
    expect(rulesFor(resolveProfile(PROFILE, [], { ...AMD64, kernel: '4.7.9' }), 'old')).toEqual([
      'SCMP_ACT_LOG',
    ]);
  });
});

describe('the default profile', () => {
  const plain = resolveProfile(DEFAULT_PROFILE, DOCKER_DEFAULT_CAPS, AMD64);
  const admin = resolveProfile(DEFAULT_PROFILE, [...DOCKER_DEFAULT_CAPS, 'CAP_SYS_ADMIN'], AMD64);

  it('denies with EPERM what it does not name, and covers the three x86 ABIs', () => {
    expect(plain.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(plain.defaultErrnoRet).toBe(1);
    expect(plain.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  });

  it('allows namespaces and mounts only with CAP_SYS_ADMIN; clone without namespace flags', () => {
    for (const name of ['mount', 'umount2', 'unshare', 'setns', 'bpf', 'perf_event_open']) {
      expect(rulesFor(plain, name), name).toEqual([]);
      expect(rulesFor(admin, name), name).toEqual(['SCMP_ACT_ALLOW']);
    }
    expect(rulesFor(plain, 'clone')).toEqual([`SCMP_ACT_ALLOW 0:SCMP_CMP_MASKED_EQ:${0x7e020000}`]);
    expect(rulesFor(plain, 'clone3')).toEqual(['SCMP_ACT_ERRNO 38']);
    expect(rulesFor(admin, 'clone')).toEqual(['SCMP_ACT_ALLOW']);
    // s390 passes clone's flags second.
    const s390 = resolveProfile(DEFAULT_PROFILE, DOCKER_DEFAULT_CAPS, S390X);
    expect(rulesFor(s390, 'clone')).toEqual([`SCMP_ACT_ALLOW 1:SCMP_CMP_MASKED_EQ:${0x7e020000}`]);
  });

  it('never allows the keyring, kexec, pivot_root or io_uring, whatever the capabilities', () => {
    const all = resolveProfile(
      DEFAULT_PROFILE,
      ['CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_MODULE', 'CAP_SYS_PTRACE'],
      AMD64,
    );
    for (const name of ['keyctl', 'add_key', 'request_key', 'kexec_load', 'kexec_file_load']) {
      expect(rulesFor(all, name), name).toEqual([]);
    }
    for (const name of ['pivot_root', 'io_uring_setup', 'swapon', 'userfaultfd', 'uselib']) {
      expect(rulesFor(all, name), name).toEqual([]);
    }
    expect(rulesFor(all, 'init_module')).toEqual(['SCMP_ACT_ALLOW']);
    expect(rulesFor(plain, 'init_module')).toEqual([]);
  });

  it("lets personality take Docker's values only, and socket every family but AF_ALG and AF_VSOCK", () => {
    expect(rulesFor(plain, 'personality')).toEqual(
      [0, 8, 0x20000, 0x20008, 0xffffffff].map((v) => `SCMP_ACT_ALLOW 0:SCMP_CMP_EQ:${v}`),
    );
    expect(rulesFor(plain, 'socket')).toEqual([
      'SCMP_ACT_ALLOW 0:SCMP_CMP_LT:38',
      'SCMP_ACT_ALLOW 0:SCMP_CMP_EQ:39',
      'SCMP_ACT_ALLOW 0:SCMP_CMP_GT:40',
    ]);
  });

  it('is undefined for seccomp=unconfined', () => {
    expect(seccompFor({ kind: 'unconfined' }, DOCKER_DEFAULT_CAPS)).toBeUndefined();
    expect(seccompFor({ kind: 'default' }, DOCKER_DEFAULT_CAPS)?.syscalls.length).toBeGreaterThan(
      10,
    );
  });
});

describe('the rules text', () => {
  it('writes the default action, the architectures and one rule a syscall', () => {
    const text = rulesText({
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 1,
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X32'],
      syscalls: [
        { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
        { names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
        {
          names: ['clone'],
          action: 'SCMP_ACT_ALLOW',
          args: [{ index: 0, value: 0x7e020000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
        },
        { names: ['kill'], action: 'SCMP_ACT_KILL' },
        { names: ['tkill'], action: 'SCMP_ACT_KILL_PROCESS' },
        { names: ['ptrace'], action: 'SCMP_ACT_TRACE' },
      ],
    });
    expect(text.split('\n')).toEqual([
      '# overlay-tui seccomp rules 1',
      'default errno 1',
      'arch x86_64',
      'arch x32',
      'rule allow read',
      'rule allow write',
      'rule errno 13 mkdir',
      'rule allow clone arg0 masked_eq 0x7e020000 0x0',
      'rule kill_thread kill',
      'rule kill_process tkill',
      'rule trace 1 ptrace',
      '',
    ]);
  });

  it('splits a rule that compares one argument twice into one rule per comparison, as runc', () => {
    const text = helperSeccompRules({
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: [],
      syscalls: [
        {
          names: ['socket'],
          action: 'SCMP_ACT_ERRNO',
          args: [
            { index: 0, value: 16, op: 'SCMP_CMP_EQ' },
            { index: 0, value: 17, op: 'SCMP_CMP_EQ' },
          ],
        },
        {
          names: ['openat'],
          action: 'SCMP_ACT_LOG',
          args: [
            { index: 1, value: 1, op: 'SCMP_CMP_GE' },
            { index: 2, value: 2, op: 'SCMP_CMP_NE' },
          ],
        },
      ],
    });
    expect(text).toContain('rule errno 1 socket arg0 eq 0x10\nrule errno 1 socket arg0 eq 0x11\n');
    expect(text).toContain('rule log openat arg1 ge 0x1 arg2 ne 0x2\n');
  });

  it('refuses a notify action, which nothing here would answer', () => {
    expect(() =>
      rulesText({ defaultAction: 'SCMP_ACT_NOTIFY', architectures: [], syscalls: [] }),
    ).toThrow(/SCMP_ACT_NOTIFY/);
  });
});
