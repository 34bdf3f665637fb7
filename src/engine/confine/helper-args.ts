/**
 * A confinement profile as `ovl-helper run` takes it (the contract is in
 * ovl-helper.c's header): --privileged, or --caps N,N,... with
 * --no-new-privs, --seccomp FILE, --mask PATH and --readonly PATH.
 */
import { capabilityNumber } from './capabilities.js';
import type { ConfineProfile } from './types.js';

/**
 * rulesFile: where writeSeccompRules (seccomp.ts) put the profile's filter;
 * a profile with a filter and no file is a bug, never a container without one.
 */
export function confineHelperArgs(
  profile: ConfineProfile,
  rulesFile: string | undefined,
): string[] {
  const nnp = profile.noNewPrivileges ? ['--no-new-privs'] : [];
  if (profile.privileged) return ['--privileged', ...nnp];
  if (profile.seccomp && rulesFile === undefined) {
    throw new Error('the seccomp filter was not written before the container started');
  }
  const seccomp = profile.seccomp && rulesFile !== undefined ? ['--seccomp', rulesFile] : [];
  return [
    '--caps',
    profile.capabilities.map(capabilityNumber).join(','),
    ...nnp,
    ...seccomp,
    ...profile.maskedPaths.flatMap((p) => ['--mask', p]),
    ...profile.readonlyPaths.flatMap((p) => ['--readonly', p]),
  ];
}
