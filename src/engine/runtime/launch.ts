/**
 * The container's process under an OCI runtime, in the foreground, as the
 * helper's is: with stdio passed through (config terminal:false: runc
 * hands its own descriptors to the command), or on a pty of our own
 * (terminal:true: the runtime makes the container's pty and relays it;
 * it needs a terminal on its stdin, so only there). Either way pid 1 is
 * recorded in init.pid as the helper records it, and the runtime's own
 * failure becomes 125 (127/126 for a command not found / not executable).
 */
import { spawn } from 'node:child_process';
import { exitCodeOf, type ContainerProcess } from '../container/process.js';
import { launchOnPty, type PtyContainerProcess, type PtySize } from '../container/pty-process.js';
import { processRef } from '../proc.js';
import { runtimeRunArgs, writeBundle, type RuntimeRunSpec } from './bundle.js';
import { recordInitPid, writeProcessRef } from './init-pid.js';
import { exitCodeForRuntimeError, runtimeError } from './runtime-log.js';
import type { BundlePaths } from './runtime-record.js';
import { gateStderr, type StderrGate } from './stderr-gate.js';

/** Records the runtime process, so that teardown can wait for it to finish its own cleanup. */
function recordRuntime(bundle: BundlePaths, pid: number | undefined): void {
  const ref = pid !== undefined ? processRef(pid) : undefined;
  if (ref) writeProcessRef(bundle.runtimeRef, ref);
}

/** The exit status to report, and (while its output is still held) the runtime's refusal as one line. */
function settle(
  spec: RuntimeRunSpec,
  bundle: BundlePaths,
  code: number,
  gate?: StderrGate,
): number {
  const failure = code === 0 ? undefined : runtimeError(bundle.log);
  gate?.end(
    failure !== undefined && gate.holding
      ? `overlay-tui: --runtime ${spec.runtime.name}: ${failure}\n`
      : undefined,
  );
  return failure !== undefined ? exitCodeForRuntimeError(failure) : code;
}

export function launchRuntimeWithStdio(spec: RuntimeRunSpec): ContainerProcess {
  const bundle = writeBundle(spec, { terminal: false, term: process.env.TERM });
  // A terminal is relayed through a pipe, as the helper's is: no descriptor
  // of the user's terminal may reach the container (TIOCSTI).
  const [inMode, outMode] = [process.stdin, process.stdout].map((s) =>
    s.isTTY ? 'pipe' : 'inherit',
  );
  const child = spawn(spec.runtime.path, runtimeRunArgs(spec, bundle), {
    stdio: [inMode ?? 'inherit', outMode ?? 'inherit', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${spec.runtime.path}`);
  recordRuntime(bundle, child.pid);
  if (child.stdin) process.stdin.pipe(child.stdin);
  child.stdout?.pipe(process.stdout, { end: false });
  const closed = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    // 'close', not 'exit': the relayed output must be written out first.
    child.on('close', (code, signal) => {
      if (child.stdin) process.stdin.unpipe(child.stdin);
      process.stdin.pause();
      resolve(exitCodeOf(code, signal));
    });
  });
  const recorded = recordInitPid(
    bundle,
    spec.paths.pidFile,
    closed.catch(() => undefined),
  );
  if (!child.stderr) throw new Error('no stderr pipe');
  const gate = gateStderr(child.stderr, process.stderr, recorded);
  return { exited: closed.then((code) => settle(spec, bundle, code, gate)), pid: child.pid };
}

export async function launchRuntimeOnPty(
  spec: RuntimeRunSpec,
  size: PtySize,
  term: string,
): Promise<PtyContainerProcess> {
  const bundle = writeBundle(spec, { terminal: true, term });
  const proc = await launchOnPty(
    { paths: spec.paths, hostname: spec.hostname, command: spec.command },
    size,
    term,
    { file: spec.runtime.path, args: runtimeRunArgs(spec, bundle), env: { ...process.env } },
  );
  recordRuntime(bundle, proc.pid);
  void recordInitPid(bundle, spec.paths.pidFile, proc.exited);
  return { ...proc, exited: proc.exited.then((code) => settle(spec, bundle, code)) };
}
