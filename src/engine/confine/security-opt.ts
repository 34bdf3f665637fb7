/**
 * `--security-opt` as Docker spells it: `no-new-privileges` (or
 * `=true|false`, or the old `:` form) and `seccomp=unconfined|FILE`.
 */
import { resolve } from 'node:path';
import type { SeccompOption } from './seccomp.js';

export interface SecurityOptions {
  noNewPrivileges: boolean;
  seccomp: SeccompOption;
}

/** A --security-opt this program does not have, or a value it cannot take. */
export class SecurityOptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecurityOptError';
  }
}

function booleanValue(opt: string, value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new SecurityOptError(`--security-opt ${opt}: expected true or false`);
}

/** The options in order; a later one wins, as in Docker. */
export function parseSecurityOpts(opts: readonly string[]): SecurityOptions {
  const result: SecurityOptions = { noNewPrivileges: false, seccomp: { kind: 'default' } };
  for (const opt of opts) {
    const match = /^([a-z-]+)(?:[=:](.*))?$/s.exec(opt);
    const key = match?.[1];
    const value = match?.[2];
    if (key === 'no-new-privileges') {
      result.noNewPrivileges = value === undefined ? true : booleanValue(opt, value);
    } else if (key === 'seccomp' && value !== undefined && value !== '') {
      result.seccomp =
        value === 'unconfined' ? { kind: 'unconfined' } : { kind: 'file', path: resolve(value) };
    } else {
      throw new SecurityOptError(
        `unknown --security-opt "${opt}" (known: no-new-privileges[=true|false], seccomp=unconfined|FILE)`,
      );
    }
  }
  return result;
}
