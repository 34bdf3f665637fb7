/**
 * A confinement profile as `ovl-helper run` takes it (the contract is in
 * ovl-helper.c's header): --privileged, or --caps N,N,... with
 * --no-new-privs, --seccomp FILE, --mask PATH and --readonly PATH.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { capabilityNumber } from './capabilities.js';
import { helperSeccompRules } from './seccomp.js';
import type { ConfineProfile } from './types.js';

/** The seccomp filter ovl-helper loads, in the container's directory (written only when there is one). */
export function seccompRulesFile(containerDir: string): string {
  return join(containerDir, 'seccomp.rules');
}

/** rulesFile: where writeSeccompRules put the profile's filter (used only if it has one). */
export function confineHelperArgs(profile: ConfineProfile, rulesFile: string): string[] {
  const nnp = profile.noNewPrivileges ? ['--no-new-privs'] : [];
  if (profile.privileged) return ['--privileged', ...nnp];
  return [
    '--caps',
    profile.capabilities.map(capabilityNumber).join(','),
    ...nnp,
    ...(profile.seccomp ? ['--seccomp', rulesFile] : []),
    ...profile.maskedPaths.flatMap((p) => ['--mask', p]),
    ...profile.readonlyPaths.flatMap((p) => ['--readonly', p]),
  ];
}

/** Writes the filter the helper loads, if the profile has one; root's alone (0600), never through a link. */
export function writeSeccompRules(file: string, profile: ConfineProfile): void {
  if (!profile.seccomp) return;
  writeFileSync(file, helperSeccompRules(profile.seccomp), { mode: 0o600, flag: 'wx' });
}
