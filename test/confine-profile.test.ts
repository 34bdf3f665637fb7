/**
 * The confinement profile and the helper arguments made from it: Docker's
 * capability rules and spellings, --security-opt, --privileged.
 */
import { describe, expect, it } from 'vitest';
import {
  DOCKER_DEFAULT_CAPABILITIES,
  UnknownCapabilityError,
  normalizeCapability,
  resolveCapabilities,
} from '../src/engine/confine/capabilities.js';
import { SecurityOptError, parseSecurityOpts } from '../src/engine/confine/security-opt.js';
import {
  DEFAULT_CONFINE_OPTIONS,
  DOCKER_MASKED_PATHS,
  buildProfile,
  confinementSummary,
} from '../src/engine/confine/profile.js';
import { confineHelperArgs } from '../src/engine/confine/helper-args.js';
import type { ConfineProfile } from '../src/engine/confine/types.js';

describe('capability names and rules', () => {
  it('spells names as Docker does', () => {
    expect(normalizeCapability('net_admin')).toBe('CAP_NET_ADMIN');
    expect(normalizeCapability('CAP_NET_ADMIN')).toBe('CAP_NET_ADMIN');
    expect(normalizeCapability('cap_sys_admin')).toBe('CAP_SYS_ADMIN');
    expect(normalizeCapability('all')).toBe('ALL');
    expect(() => normalizeCapability('NET_FROB')).toThrow(UnknownCapabilityError);
  });

  it("combines --cap-add and --cap-drop as Docker's TweakCapabilities", () => {
    expect(resolveCapabilities([], [])).toHaveLength(14);
    expect(new Set(resolveCapabilities([], []))).toEqual(new Set(DOCKER_DEFAULT_CAPABILITIES));
    // An added capability wins over the same one dropped.
    expect(resolveCapabilities(['NET_ADMIN'], ['NET_ADMIN', 'CHOWN'])).toContain('CAP_NET_ADMIN');
    expect(resolveCapabilities(['NET_ADMIN'], ['CHOWN'])).not.toContain('CAP_CHOWN');
    expect(resolveCapabilities(['ALL'], ['SYS_ADMIN'])).toHaveLength(40);
    expect(resolveCapabilities(['KILL'], ['ALL'])).toEqual(['CAP_KILL']);
  });
});

describe('--security-opt', () => {
  it('takes no-new-privileges and seccomp as Docker spells them', () => {
    expect(parseSecurityOpts([])).toEqual({
      noNewPrivileges: false,
      seccomp: { kind: 'default' },
    });
    expect(parseSecurityOpts(['no-new-privileges']).noNewPrivileges).toBe(true);
    expect(parseSecurityOpts(['no-new-privileges:true']).noNewPrivileges).toBe(true);
    expect(
      parseSecurityOpts(['no-new-privileges', 'no-new-privileges=false']).noNewPrivileges,
    ).toBe(false);
    expect(parseSecurityOpts(['seccomp=unconfined']).seccomp).toEqual({ kind: 'unconfined' });
    expect(parseSecurityOpts(['seccomp=/etc/p.json']).seccomp).toEqual({
      kind: 'file',
      path: '/etc/p.json',
    });
  });

  it('refuses what it does not know', () => {
    for (const bad of ['apparmor=unconfined', 'no-new-privileges=maybe', 'seccomp', 'seccomp='])
      expect(() => parseSecurityOpts([bad]), bad).toThrow(SecurityOptError);
  });
});

describe('profile and helper arguments', () => {
  it("confines by default: Docker's capabilities, masks and read-only paths", () => {
    const profile = buildProfile(DEFAULT_CONFINE_OPTIONS);
    expect(profile.privileged).toBe(false);
    expect(profile.maskedPaths).toEqual(DOCKER_MASKED_PATHS);
    const args = confineHelperArgs(profile, '/c/seccomp.rules');
    expect(args.slice(0, 2)).toEqual(['--caps', '0,1,3,4,5,6,7,8,10,13,18,27,29,31']);
    expect(args).toContain('--mask');
    expect(args.join(' ')).toContain('--readonly /proc/sys');
    expect(args).not.toContain('--privileged');
  });

  it('passes --seccomp FILE when the profile has a filter, and nothing when not', () => {
    const base = buildProfile(DEFAULT_CONFINE_OPTIONS);
    const filtered: ConfineProfile = {
      ...base,
      seccomp: { defaultAction: 'SCMP_ACT_ERRNO', architectures: [], syscalls: [] },
    };
    const args = confineHelperArgs(filtered, '/c/seccomp.rules');
    expect(args[args.indexOf('--seccomp') + 1]).toBe('/c/seccomp.rules');
    expect(confinementSummary(filtered).seccomp).toBe('default');
    const unconfined = buildProfile({
      ...DEFAULT_CONFINE_OPTIONS,
      seccomp: { kind: 'unconfined' },
    });
    expect(confineHelperArgs(unconfined, '/c/seccomp.rules')).not.toContain('--seccomp');
    expect(confinementSummary(unconfined).seccomp).toBe('unconfined');
  });

  it('--privileged: every capability, no filter, no masks; no-new-privileges still applies', () => {
    const profile = buildProfile({
      ...DEFAULT_CONFINE_OPTIONS,
      privileged: true,
      capDrop: ['CAP_CHOWN'],
      noNewPrivileges: true,
    });
    expect(profile.capabilities).toHaveLength(41);
    expect(profile.seccomp).toBeUndefined();
    expect(profile.maskedPaths).toEqual([]);
    expect(confineHelperArgs(profile, '/x')).toEqual(['--privileged', '--no-new-privs']);
    expect(confinementSummary(profile)).toMatchObject({ privileged: true, seccomp: 'unconfined' });
  });
});
