/**
 * A confinement profile made by hand, as Docker's default is (its 14
 * capabilities, its masked and read-only paths), for the tests of the OCI
 * runtime path; and the seccomp architecture name of this machine.
 */
import type { ConfineProfile, OciSeccomp } from '../../src/engine/confine/types.js';
import { DOCKER_DEFAULT_CAPABILITIES } from '../../src/engine/confine/capabilities.js';
import { DOCKER_MASKED_PATHS, DOCKER_READONLY_PATHS } from '../../src/engine/confine/profile.js';

// Docker's lists as the engine holds them: these tests are about the
// runtime path carrying a profile, not about the lists themselves
// (confine-profile.test.ts checks those).
export const DOCKER_CAPS = [...DOCKER_DEFAULT_CAPABILITIES];
export const DOCKER_MASKED = [...DOCKER_MASKED_PATHS];
export const DOCKER_READONLY = [...DOCKER_READONLY_PATHS];

export function dockerLikeProfile(overrides: Partial<ConfineProfile> = {}): ConfineProfile {
  return {
    privileged: false,
    capabilities: [...DOCKER_CAPS],
    noNewPrivileges: false,
    seccomp: undefined,
    maskedPaths: [...DOCKER_MASKED],
    readonlyPaths: [...DOCKER_READONLY],
    ...overrides,
  };
}

export const SECCOMP_ARCH = process.arch === 'arm64' ? 'SCMP_ARCH_AARCH64' : 'SCMP_ARCH_X86_64';

/** Allows everything but mkdir, which fails with EPERM. */
export function denyMkdir(): OciSeccomp {
  return {
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: [SECCOMP_ARCH],
    syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
  };
}

/** The kernel's capability numbers (capability(7)): the bit of each in /proc/PID/status. */
const CAP_NUMBERS: Record<string, number> = {
  CAP_CHOWN: 0,
  CAP_DAC_OVERRIDE: 1,
  CAP_FOWNER: 3,
  CAP_FSETID: 4,
  CAP_KILL: 5,
  CAP_SETGID: 6,
  CAP_SETUID: 7,
  CAP_SETPCAP: 8,
  CAP_NET_BIND_SERVICE: 10,
  CAP_NET_RAW: 13,
  CAP_SYS_CHROOT: 18,
  CAP_MKNOD: 27,
  CAP_AUDIT_WRITE: 29,
  CAP_SETFCAP: 31,
};

/** The hex mask /proc/PID/status shows for these capabilities (CapBnd: 00000000a80425fb). */
export function capMask(caps: readonly string[]): string {
  let mask = 0n;
  for (const c of caps) {
    const n = CAP_NUMBERS[c];
    if (n === undefined) throw new Error(`no number for ${c}`);
    mask |= 1n << BigInt(n);
  }
  return mask.toString(16).padStart(16, '0');
}
