/**
 * Finding the runtime and knowing its version, before anything is made: a
 * runtime that is not installed is one line and exit 125, with nothing
 * left behind. The version is asked once per binary (execa runs
 * `--version`) and remembered next to the runtime's state, keyed by the
 * binary's identity: execa's import and the exec cost each warm run
 * ~30 ms otherwise.
 */
import { accessSync, constants, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
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

/** Which binary this is: a new install or upgrade changes it. */
function identity(path: string): string {
  const st = statSync(path);
  return `${path} ${st.dev}:${st.ino} ${st.size} ${st.mtimeMs}`;
}

async function askVersion(name: RuntimeName, path: string): Promise<string> {
  const { execa } = await import('execa');
  const result = await execa(path, ['--version'], { reject: false, timeout: 10_000 });
  const version = result.stdout.split('\n')[0]?.trim() ?? '';
  if (result.exitCode !== 0 || version === '') {
    const why = (result.stderr || result.shortMessage || '').split('\n')[0] ?? '';
    throw new UserError(`--runtime ${name}: ${path} --version failed: ${why}`);
  }
  return version;
}

function cachedVersion(file: string, id: string): string | undefined {
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as {
      identity?: unknown;
      version?: unknown;
    };
    return cached.identity === id && typeof cached.version === 'string'
      ? cached.version
      : undefined;
  } catch {
    return undefined;
  }
}

export async function openRuntime(stateRoot: string, name: RuntimeName): Promise<RuntimeRecord> {
  const path = findOnPath(name);
  if (!path) {
    throw new UserError(`--runtime ${name}: ${name} is not installed (apt-get install ${name})`);
  }
  const root = runtimeRoot(stateRoot, name);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  // Beside the runtime's root, not in it: that directory is the runtime's own.
  const cacheFile = join(dirname(root), `${name}.version.json`);
  const id = identity(path);
  let version = cachedVersion(cacheFile, id);
  if (version === undefined) {
    version = await askVersion(name, path);
    writeFileSync(cacheFile, `${JSON.stringify({ identity: id, version })}\n`);
  }
  return { name, path, version, root };
}
