/**
 * The container's seccomp profile: Docker's default profile's effect, or a
 * profile file in Docker's JSON form, resolved for the container's
 * capabilities and this machine, and compiled to the rules the C helper
 * loads with libseccomp.
 *   seccomp-default.ts  the default profile (Docker's JSON form)
 *   seccomp-file.ts     --security-opt seccomp=FILE: read and checked
 *   seccomp-resolve.ts  includes/excludes (caps, arches, minKernel) applied
 *   seccomp-rules.ts    the OCI form -> the helper's rules text
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PROFILE } from './seccomp-default.js';
import { readSeccompFile } from './seccomp-file.js';
import { resolveProfile } from './seccomp-resolve.js';
import { rulesText } from './seccomp-rules.js';
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
  switch (option.kind) {
    case 'unconfined':
      return undefined;
    case 'default':
      return resolveProfile(DEFAULT_PROFILE, capabilities);
    case 'file':
      return resolveProfile(readSeccompFile(option.path), capabilities);
  }
}

/** The rules text `ovl-helper run --seccomp FILE` reads (format: seccomp-rules.ts). */
export function helperSeccompRules(profile: OciSeccomp): string {
  return rulesText(profile);
}

/**
 * Writes the rules to DIR/<hash of the text>.rules (once; later containers
 * with the same profile find it there) and returns that path. The helper
 * keeps the filter it built beside it (FILE.bpf) and reuses it while the
 * text is the same: building takes ~13 ms of CPU, reusing it well under 1 ms.
 * DIR must be root's and written by no one else (the helper refuses a rules
 * file anyone else can write).
 */
export function writeSeccompRules(dir: string, profile: OciSeccomp): string {
  const text = rulesText(profile);
  const path = join(dir, `${createHash('sha256').update(text).digest('hex').slice(0, 32)}.rules`);
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return path;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600, flag: 'wx' });
  renameSync(tmp, path);
  return path;
}
