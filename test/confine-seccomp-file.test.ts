/**
 * `--security-opt seccomp=FILE`: a Docker JSON profile is read and checked;
 * each mistake is one line naming the file and the problem.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../src/engine/errors.js';
import { seccompFor } from '../src/engine/confine/seccomp.js';
import { DOCKER_DEFAULT_CAPS } from './support/seccomp.js';

const dir = mkdtempSync('/tmp/ovt-seccomp-file-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function profileFile(content: unknown): string {
  const path = join(dir, `p${n++}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function errorOf(path: string): string {
  try {
    seccompFor({ kind: 'file', path }, DOCKER_DEFAULT_CAPS);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error(`${path} was accepted`);
}

const rule = (r: Record<string, unknown>): unknown => ({
  defaultAction: 'SCMP_ACT_ALLOW',
  syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', ...r }],
});

describe('a seccomp profile file', () => {
  it('is resolved for the container like the default profile', () => {
    const path = profileFile({
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: ['SCMP_ARCH_X86_64'],
      syscalls: [
        { names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
        { name: 'mount', action: 'SCMP_ACT_ERRNO', excludes: { caps: ['CAP_SYS_ADMIN'] } },
        { names: ['chmod'], action: 'SCMP_ACT_LOG', comment: 'ignored, as Docker does' },
      ],
    });
    expect(seccompFor({ kind: 'file', path }, DOCKER_DEFAULT_CAPS)).toEqual({
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: ['SCMP_ARCH_X86_64'],
      syscalls: [
        { names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
        { names: ['mount'], action: 'SCMP_ACT_ERRNO' },
        { names: ['chmod'], action: 'SCMP_ACT_LOG' },
      ],
    });
    expect(seccompFor({ kind: 'file', path }, ['CAP_SYS_ADMIN'])?.syscalls).toHaveLength(2);
  });

  const cases: [string, unknown, RegExp][] = [
    ['not JSON', '{"defaultAction": ', /not JSON/],
    ['not an object', '[1, 2]', /must be a JSON object/],
    ['no default action', { syscalls: [] }, /no "defaultAction".*seccomp=unconfined/],
    [
      'an unknown default action',
      { defaultAction: 'SCMP_ACT_NOPE' },
      /defaultAction: unknown action "SCMP_ACT_NOPE"/,
    ],
    ['an unknown action', rule({ action: 'ALLOW' }), /syscalls\[0\]: unknown action "ALLOW"/],
    ['notify', rule({ action: 'SCMP_ACT_NOTIFY' }), /SCMP_ACT_NOTIFY needs a listener/],
    [
      'an unknown op',
      rule({ args: [{ index: 0, value: 1, op: 'SCMP_CMP_LIKE' }] }),
      /syscalls\[0\]\.args\[0\]: unknown op "SCMP_CMP_LIKE"/,
    ],
    [
      'a bad arg index',
      rule({ args: [{ index: 6, value: 1, op: 'SCMP_CMP_EQ' }] }),
      /args\[0\]: bad index 6 \(a syscall has arguments 0 to 5\)/,
    ],
    [
      'a negative value',
      rule({ args: [{ index: 0, value: -1, op: 'SCMP_CMP_EQ' }] }),
      /value must be a whole number/,
    ],
    [
      'a value JavaScript cannot hold exactly',
      rule({ args: [{ index: 0, value: 2 ** 60, op: 'SCMP_CMP_EQ' }] }),
      /too large to read exactly/,
    ],
    [
      'an errnoRet out of range',
      rule({ errnoRet: 70000 }),
      /errnoRet must be a whole number from 0 to 65535/,
    ],
    ['name and names', rule({ name: 'rmdir' }), /has both "name" and "names"/],
    [
      'no syscall',
      { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ action: 'SCMP_ACT_ALLOW' }] },
      /syscalls\[0\] names no syscall/,
    ],
    ['a syscall name with a space', rule({ names: ['mk dir'] }), /"mk dir" is not a syscall name/],
    [
      'a bad minKernel',
      rule({ includes: { minKernel: 'recent' } }),
      /minKernel "recent" is not a kernel version/,
    ],
    [
      'architectures and archMap',
      {
        defaultAction: 'SCMP_ACT_ALLOW',
        architectures: ['SCMP_ARCH_X86'],
        archMap: [{ architecture: 'SCMP_ARCH_X86_64' }],
      },
      /both "architectures" and "archMap"/,
    ],
    [
      'an unknown architecture',
      { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['x86_64'] },
      /unknown architecture "x86_64"/,
    ],
  ];

  it.each(cases)('with %s is refused in one line naming the file', (_what, content, pattern) => {
    const path = profileFile(content);
    const message = errorOf(path);
    expect(message).toMatch(pattern);
    expect(message.startsWith(`seccomp profile ${path}: `)).toBe(true);
    expect(message).not.toContain('\n');
  });

  it('that is missing, or not a regular file, is refused without hanging', () => {
    expect(errorOf(join(dir, 'missing.json'))).toBe(
      `seccomp profile ${join(dir, 'missing.json')}: cannot open it (ENOENT)`,
    );
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(errorOf(fifo)).toBe(`seccomp profile ${fifo}: not a regular file`);
    expect(errorOf(dir)).toBe(`seccomp profile ${dir}: not a regular file`);
  });
});
