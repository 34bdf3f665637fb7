/** The CLI as a background process, for tests that signal or kill it mid-run. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from './paths.js';

export interface Running {
  child: ChildProcess;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

export function startCli(args: string[]): Running {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout?.resume();
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exit, stderr: () => err };
}

/** Waits until the container under root has written its pid 1 ("PID START"), and returns that pid. */
export async function waitForInit(root: string, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const dir = join(root, 'containers');
    for (const id of existsSync(dir) ? readdirSync(dir) : []) {
      const file = join(dir, id, 'init.pid');
      if (existsSync(file)) {
        const pid = Number(readFileSync(file, 'utf8').split(' ')[0]);
        // Wait until pid 1 has exec'd the command (its comm is no longer the helper's, or runc's init).
        let comm = '';
        try {
          comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        } catch {
          // not there yet, or already gone
        }
        if (comm !== '' && comm !== 'ovl-helper' && !comm.startsWith('runc:')) return pid;
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no container started under ${root}`);
}

/** Waits until path exists (a file the container writes), or throws after timeoutMs. */
export async function waitForPath(path: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`${path} did not appear`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function processExists(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state !== 'Z';
  } catch {
    return false;
  }
}
