/**
 * The container's process: ovl-helper `run`, which makes the namespaces,
 * pivots into merged and executes the command as pid 1. With a terminal it
 * runs on a new pty (as `docker run -t` does: the container must never take
 * over the user's own terminal); without one, stdio is passed straight
 * through.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { requireHelper } from '../helper.js';
import { cgroupDirs, type ContainerCgroup } from '../cgroup/index.js';
import type { ContainerPaths } from './state.js';
import { idMapArg, type IdMap } from '../../overlay/id-map.js';
import { confineHelperArgs } from '../confine/helper-args.js';
import { defaultProfile } from '../confine/profile.js';
import type { ConfineProfile } from '../confine/types.js';
import { processHelperArgs, type ProcessConfig } from './process-config.js';

export interface ContainerProcess {
  /** Resolves with the command's exit code (128+N if killed by signal N). */
  exited: Promise<number>;
  /** The helper's pid (its child is the container's pid 1). */
  pid: number;
}

export interface LaunchSpec {
  paths: ContainerPaths;
  hostname: string;
  command: string[];
  /** --userns: the user namespace's map. */
  userns?: IdMap;
  /** The container's cgroups, which the helper joins before it forks pid 1. */
  cgroup?: ContainerCgroup | undefined;
  /** The profile createContainer was given (it wrote the seccomp rules); default: Docker's. */
  confinement?: ConfineProfile;
  /** The filter's rules file (ContainerState.seccompRules). */
  seccompRules?: string | undefined;
  /** Environment, working directory and user (the image's config, -e, -w, -u); default: root in /. */
  process?: ProcessConfig | undefined;
}

export function helperRunArgs(spec: LaunchSpec): string[] {
  return [
    'run',
    '--root',
    spec.paths.merged,
    '--hostname',
    spec.hostname,
    '--pid-file',
    spec.paths.pidFile,
    ...(spec.userns ? ['--userns', idMapArg(spec.userns)] : []),
    ...(spec.cgroup ? cgroupDirs(spec.cgroup).flatMap((dir) => ['--cgroup', dir]) : []),
    ...processHelperArgs(spec.process),
    ...confineHelperArgs(spec.confinement ?? defaultProfile(), spec.seccompRules),
    '--',
    ...spec.command,
  ];
}

export function helperEnv(): NodeJS.ProcessEnv {
  // The helper checks that we are still its parent before it unshares.
  return { ...process.env, OVL_HELPER_PARENT: String(process.pid) };
}

/** The shell's convention: 128+N for a process killed by signal N. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal ? constants.signals[signal] : 0);
}

/**
 * Runs with our own stdin, stdout and stderr: pipes and files are passed
 * straight through, but a terminal is relayed through a pipe, so that no
 * descriptor of the user's terminal ever reaches the container (root in
 * the container could otherwise push keystrokes into it with TIOCSTI).
 */
export function launchWithStdio(spec: LaunchSpec): ContainerProcess {
  const streams = [process.stdin, process.stdout, process.stderr] as const;
  const stdio = streams.map((s) => (s.isTTY ? 'pipe' : 'inherit'));
  const child = spawn(requireHelper(), helperRunArgs(spec), { stdio, env: helperEnv() });
  if (child.stdin) process.stdin.pipe(child.stdin);
  child.stdout?.pipe(process.stdout, { end: false });
  child.stderr?.pipe(process.stderr, { end: false });
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    // 'close', not 'exit': the relayed output must be written out first.
    child.on('close', (code, signal) => {
      if (child.stdin) process.stdin.unpipe(child.stdin);
      process.stdin.pause();
      resolve(exitCodeOf(code, signal));
    });
  });
  if (child.pid === undefined) throw new Error('could not start ovl-helper');
  return { exited, pid: child.pid };
}
