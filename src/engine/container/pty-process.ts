/**
 * The container's process on a pty of its own (node-pty), for a caller that
 * has a terminal: `run` relays it to the user's terminal, the UI draws it.
 * node-pty is imported lazily: headless runs without a terminal never load it.
 */
import type { IPty } from 'node-pty';
import { requireHelper } from '../helper.js';
import { helperEnv, helperRunArgs, type LaunchSpec } from './process.js';

export interface PtySize {
  cols: number;
  rows: number;
}

export interface PtyContainerProcess {
  pty: IPty;
  exited: Promise<number>;
  pid: number;
}

/** What runs on the pty: the helper, or an OCI runtime (engine/runtime/launch.ts). */
export interface PtyProgram {
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

export async function launchOnPty(
  spec: LaunchSpec,
  size: PtySize,
  term: string,
  program: PtyProgram = { file: requireHelper(), args: helperRunArgs(spec), env: helperEnv() },
): Promise<PtyContainerProcess> {
  const { spawn } = await import('node-pty');
  const pty = spawn(program.file, program.args, {
    name: term,
    cols: size.cols,
    rows: size.rows,
    cwd: '/',
    env: { ...program.env, TERM: term },
    // Raw bytes both ways: a UTF-8 sequence split across reads must not be mangled.
    encoding: null,
  });
  const exited = new Promise<number>((resolve) => {
    pty.onExit(({ exitCode, signal }) => resolve(signal ? 128 + signal : exitCode));
  });
  return { pty, exited, pid: pty.pid };
}
