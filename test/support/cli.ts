/** Runs the built CLI as a person would, capturing what it prints. */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { CLI } from './paths.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], opts: SpawnSyncOptions = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    ...opts,
  });
  return { code: r.status, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

/** `overlay-tui run --root ROOT [extra] -- cmd...` */
export function runIn(
  root: string,
  cmd: string[],
  extra: string[] = [],
  opts: SpawnSyncOptions = {},
): CliResult {
  return cli(['run', '--root', root, ...extra, '--', ...cmd], opts);
}
