/**
 * The seccomp tests' harness: test/support/seccomp-probe.c linked with the
 * helper's own seccomp code, and the rules a profile compiles to.
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  helperSeccompRules,
  seccompFor,
  type SeccompOption,
} from '../../src/engine/confine/seccomp.js';
import type { OciSeccomp } from '../../src/engine/confine/types.js';
import { DOCKER_DEFAULT_CAPABILITIES } from '../../src/engine/confine/capabilities.js';
import { REPO } from './paths.js';

/** Docker's default capability set. */
export const DOCKER_DEFAULT_CAPS = [...DOCKER_DEFAULT_CAPABILITIES];

const HELPER_SRC = join(REPO, 'src/engine/helper');

/** Builds the probe into dir (as the helper is built: -Wall -Wextra -Werror). */
export function buildProbe(dir: string): string {
  const out = join(dir, 'seccomp-probe');
  execFileSync('cc', [
    '-O2',
    '-Wall',
    '-Wextra',
    '-Werror',
    '-std=c11',
    '-iquote',
    HELPER_SRC,
    '-o',
    out,
    join(REPO, 'test/support/seccomp-probe.c'),
    join(HELPER_SRC, 'seccomp.c'),
    join(HELPER_SRC, 'seccomp-parse.c'),
    '-lseccomp',
  ]);
  return out;
}

export function writeRules(dir: string, name: string, profile: OciSeccomp | string): string {
  const path = join(dir, name);
  writeFileSync(path, typeof profile === 'string' ? profile : helperSeccompRules(profile), {
    mode: 0o600,
  });
  return path;
}

export function runProbe(probe: string, args: string[]): SpawnSyncReturns<string> {
  return spawnSync(probe, args, { encoding: 'utf8', timeout: 20_000 });
}

/** The probe's "NAME RESULT" lines: RESULT 0 for success, else the errno. */
export function probeResults(probe: string, rules: string, dir: string): Map<string, number> {
  const run = runProbe(probe, [rules, 'probe', dir]);
  if (run.status !== 0) throw new Error(`seccomp-probe ${rules}: ${run.stderr}`);
  return new Map(
    run.stdout
      .trim()
      .split('\n')
      .map((line) => {
        const [name = '', result = ''] = line.split(' ');
        return [name, Number(result)];
      }),
  );
}

/** The profile seccompFor gives; a test that expected a filter fails if there is none. */
export function profileOf(option: SeccompOption, caps: readonly string[]): OciSeccomp {
  const profile = seccompFor(option, caps);
  if (!profile) throw new Error(`no seccomp profile for ${JSON.stringify(option)}`);
  return profile;
}
