/** `overlay-tui run`: a command in a fresh container, stdio attached, its exit code passed through. */
import { InterruptedError } from '../engine/errors.js';
import { ensureImage } from '../engine/image/store.js';
import { createContainer, type Container } from '../engine/container/create.js';
import { launchWithStdio, type LaunchSpec } from '../engine/container/process.js';
import { killContainer, teardownContainer } from '../engine/container/teardown.js';
import { readState } from '../engine/container/state.js';
import { SignalGuard, reportingFailure } from '../engine/signal-guard.js';
import { CommandLineTracker } from '../engine/watch/command-line.js';
import type { EventRecorder } from '../engine/watch/event-recorder.js';
import {
  CONTAINER_OPTIONS,
  HELP_OPTION,
  ROOT_OPTION,
  containerArgs,
  parse,
  splitCommand,
  usageError,
} from './args.js';
import { prepare } from './prepare.js';

export const RUN_HELP = `NAME
    overlay-tui run - run a command in a new overlay container

SYNOPSIS
    overlay-tui run [--image FILE] [--name NAME] [--keep] [--events FILE]
                    [--root DIR] [--] CMD [ARG...]

DESCRIPTION
    Extracts the image once into a read-only lower directory (keyed by its
    sha256), gives the container a fresh upper, work and merged directory,
    mounts overlayfs at merged (index=off, as Docker's overlay2 does) and runs
    CMD as pid 1 in new mount, UTS, IPC, PID and network namespaces with
    merged as its root (pivot_root). CMD is an argument list, never split on
    spaces. Standard input, output and error are attached; when standard
    input is a terminal the container gets a pty of its own.

    On exit, on Ctrl-C, SIGTERM or SIGHUP the container's processes are
    killed, the overlay is unmounted and upper, work and merged are removed.
    The lower directory stays for the next run.

OPTIONS
    --image FILE   image tarball, plain or gzip, e.g. from docker export
                   (default: the busybox image built by 'npm run image')
    --name NAME    container id and hostname (default: 12 random hex digits)
    --keep         keep the upper directory after exit; the container is then
                   listed by 'overlay-tui ps' and removed by 'overlay-tui rm'
    --events FILE  record every change to the container's layers (copy-up,
                   create, modify, delete, opaque, rename) as JSON lines,
                   each with the command line typed before it (with a tty);
                   before Linux 6.5 a write to a file still for 30 s may be
                   recorded late or not at all (see 'overlay-tui watch --help')
    --root DIR     state root (default: /var/lib/overlay-tui)
    -h, --help     show this help

EXIT STATUS
    CMD's exit status, or 128+N if it was killed by signal N. 125 if
    overlay-tui itself failed (one line on stderr says why), 126 if CMD could
    not be executed, 127 if it was not found, 2 for a usage error.

EXAMPLES
    sudo overlay-tui run -- sh
    sudo overlay-tui run --keep --name demo -- sh -c 'echo hi >> /etc/passwd'
    sudo overlay-tui run --image debian.tar.gz -- cat /etc/os-release
`;

const RUN_OPTIONS = {
  ...CONTAINER_OPTIONS,
  events: { type: 'string' },
  ...ROOT_OPTION,
  ...HELP_OPTION,
} as const;

export interface RunArgs {
  image: string;
  name?: string;
  keep: boolean;
  events?: string;
  root: string;
  command: string[];
}

export function parseRunArgs(argv: string[]): RunArgs | 'help' {
  const { ours, command } = splitCommand(argv, RUN_OPTIONS);
  const { values } = parse('run', ours, RUN_OPTIONS, { min: 0, max: 0, what: '' });
  if (values.help) return 'help';
  if (command.length === 0) throw usageError('run', 'missing CMD');
  return {
    ...containerArgs(values),
    ...(values.events !== undefined ? { events: values.events } : {}),
    command,
  };
}

async function runInContainer(
  spec: LaunchSpec,
  onStart: (helperPid: number) => void,
  onInput: ((bytes: Buffer) => void) | undefined,
): Promise<number> {
  if (process.stdin.isTTY && process.stdout.isTTY) {
    const [{ launchOnPty }, { relayTerminal }] = await Promise.all([
      import('../engine/container/pty-process.js'),
      import('../engine/terminal-relay.js'),
    ]);
    const size = { cols: process.stdout.columns, rows: process.stdout.rows };
    const proc = await launchOnPty(spec, size, process.env.TERM ?? 'xterm-256color');
    onStart(proc.pid);
    const restore = relayTerminal(proc.pty, onInput);
    try {
      return await proc.exited;
    } finally {
      restore();
    }
  }
  const proc = launchWithStdio(spec);
  onStart(proc.pid);
  return proc.exited;
}

export async function runCommand(argv: string[]): Promise<number> {
  const args = parseRunArgs(argv);
  if (args === 'help') {
    process.stdout.write(RUN_HELP);
    return 0;
  }
  const store = prepare(['run', ...argv], args.root);
  const guard = new SignalGuard();
  let container: Container | undefined;
  // Last resort (an exception nobody caught, process.exit elsewhere): still tear down.
  const onExit = (): void => {
    const c = container;
    if (c)
      reportingFailure(() => teardownContainer(c.paths, readState(c.paths), { keep: args.keep }));
  };
  process.on('exit', onExit);
  try {
    const image = await ensureImage(store, args.image, { signal: guard.signal });
    container = createContainer(store, image, {
      ...(args.name !== undefined ? { name: args.name } : {}),
      keep: args.keep,
      command: args.command,
    });
    const { paths, state } = container;
    let helperPid: number | undefined;
    guard.onStop(() => {
      // The helper first: if it has not started pid 1 yet, that pid 1 never starts.
      if (helperPid !== undefined) killQuietly(helperPid);
      killContainer(paths, undefined);
    });
    let exitCode: number | undefined;
    const typed = new CommandLineTracker();
    let recorder: EventRecorder | undefined;
    try {
      if (args.events !== undefined) {
        // Loaded only when asked for: the watcher and the layer model (with a
        // native xattr module) would cost every plain run its start-up time.
        const { recordEvents } = await import('../engine/watch/event-recorder.js');
        recorder = await recordEvents(args.events, paths.upper, state.lowers, () => typed.current);
      }
      if (!guard.receivedSignal) {
        const spec = { paths, hostname: state.id, command: args.command };
        exitCode = await runInContainer(
          spec,
          (pid) => (helperPid = pid),
          // The typed lines only matter to the event stream.
          args.events === undefined ? undefined : (bytes) => typed.feed(bytes),
        );
      }
    } finally {
      guard.onStop(undefined);
      await recorder?.stop(); // before teardown removes upper
      const current = readState(paths) ?? state;
      container = undefined;
      teardownContainer(paths, current, {
        keep: args.keep,
        ...(exitCode !== undefined ? { exitCode } : {}),
      });
    }
    return guard.exitCode ?? exitCode ?? 125;
  } catch (err) {
    // Only an interrupted import is reported this way: a failed teardown
    // must reach the user as it is.
    if (err instanceof InterruptedError && guard.exitCode !== undefined) {
      process.stderr.write(`overlay-tui: ${err.message} (${guard.receivedSignal})\n`);
      return guard.exitCode;
    }
    throw err;
  } finally {
    process.off('exit', onExit);
    guard.dispose();
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
