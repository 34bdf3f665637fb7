/**
 * The container's seccomp profile: Docker's default profile's effect, or a
 * profile file in Docker's JSON form, resolved for the container's
 * capabilities, and compiled to the rules the C helper loads.
 * (Placeholder: the filter itself lands in its own change.)
 */
import type { OciSeccomp } from './types.js';

export type SeccompOption =
  | { kind: 'default' }
  | { kind: 'unconfined' }
  | { kind: 'file'; path: string };

/** The profile for a container with these capabilities; undefined for seccomp=unconfined. */
export function seccompFor(
  option: SeccompOption,
  capabilities: readonly string[],
): OciSeccomp | undefined {
  void option;
  void capabilities;
  return undefined;
}

/** The rules text `ovl-helper run --seccomp FILE` reads. */
export function helperSeccompRules(profile: OciSeccomp): string {
  void profile;
  throw new Error('seccomp rules are not implemented yet');
}
