/**
 * Finding the runtime and asking its version, before anything is made: a
 * runtime that is not installed is one line and exit 125, with nothing
 * left behind. execa runs it (loaded only on this path: it is too slow to
 * import for every run).
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { UserError } from '../errors.js';
import { runtimeRoot, type RuntimeName, type RuntimeRecord } from './runtime-record.js';

/** The executable on PATH, as a shell would find it; undefined if none. */
export function findOnPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

export async function openRuntime(stateRoot: string, name: RuntimeName): Promise<RuntimeRecord> {
  const path = findOnPath(name);
  if (!path) {
    throw new UserError(`--runtime ${name}: ${name} is not installed (apt-get install ${name})`);
  }
  const { execa } = await import('execa');
  const result = await execa(path, ['--version'], { reject: false, timeout: 10_000 });
  const version = result.stdout.split('\n')[0]?.trim() ?? '';
  if (result.exitCode !== 0 || version === '') {
    const why = (result.stderr || result.shortMessage || '').split('\n')[0] ?? '';
    throw new UserError(`--runtime ${name}: ${path} --version failed: ${why}`);
  }
  const root = runtimeRoot(stateRoot, name);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  return { name, path, version, root };
}
