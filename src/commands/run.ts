/** `overlay-tui run`: a command in a fresh container, stdio attached, its exit code passed through. */
import { InterruptedError } from '../engine/errors.js';
import { ensureImage } from '../engine/image/store.js';
import {
  containerCommand,
  resolveEnvArgs,
  type ProcessRequest,
} from '../engine/container/image-command.js';
import { processConfig } from '../engine/container/process-config.js';
import { createContainer, type Container } from '../engine/container/create.js';
import {
  launchWithStdio,
  type ContainerProcess,
  type LaunchSpec,
} from '../engine/container/process.js';
import type { PtyContainerProcess, PtySize } from '../engine/container/pty-process.js';
import { killContainer, teardownContainer } from '../engine/container/teardown.js';
import { readState } from '../engine/container/state.js';
import type { RuntimeName, RuntimeRecord } from '../engine/runtime/runtime-record.js';
import { SignalGuard, reportingFailure } from '../engine/signal-guard.js';
import { oomMessage } from '../engine/cgroup/index.js';
import type { ConfineProfile, ResourceLimits } from '../engine/confine/types.js';
import { CommandLineTracker } from '../engine/watch/command-line.js';
import type { EventRecorder } from '../engine/watch/event-recorder.js';
import {
  CONTAINER_OPTIONS,
  HELP_OPTION,
  PROCESS_OPTIONS,
  ROOT_OPTION,
  containerArgs,
  parse,
  processArgs,
  splitCommand,
  usageError,
} from './args.js';
import { prepare } from './prepare.js';
import type { IdMap } from '../overlay/id-map.js';
import {
  buildProfile,
  PRIVILEGED_WARNING,
  type ConfineOptions,
} from '../engine/confine/profile.js';
import { safeLine } from '../overlay/printable-path.js';

export const RUN_HELP = `NAME
    overlay-tui run - run a command in a new overlay container

SYNOPSIS
    overlay-tui run [--image FILE] [--name NAME] [--keep] [--userns]
                    [--events FILE] [--pids-limit N] [--memory SIZE]
                    [--cpus N.N] [--privileged] [--cap-add CAP]
                    [--cap-drop CAP] [--security-opt OPT]
                    [--runtime runc|crun] [--env|-e NAME=VALUE]
                    [--workdir|-w DIR] [--user|-u USER[:GROUP]]
                    [--entrypoint CMD] [--root DIR] [--] [CMD [ARG...]]

DESCRIPTION
    Extracts the image once into read-only lower directories (keyed by their
    sha256), gives the container a fresh upper, work and merged directory,
    mounts overlayfs at merged over every layer of the image (topmost first;
    index=off, as Docker's overlay2 does) and runs CMD as pid 1 in new mount,
    UTS, IPC, PID and network namespaces with merged as its root
    (pivot_root). CMD is an argument list, never split on spaces. The
    kernel mounts at most 500 layers: a taller image is refused.

    The image's config is used as docker run uses it: without CMD the
    image's Entrypoint + Cmd run (CMD replaces Cmd and keeps Entrypoint);
    its Env is set (HOSTNAME and TERM stay ours), it starts in its
    WorkingDir, made as root if missing, and runs as its User: root, UID,
    UID:GID or a name from the image's /etc/passwd (one line says so when
    a name cannot be found, and it runs as root). A user other than root
    keeps no effective or permitted capability, as in Docker.

    Standard input, output and error are attached; when standard
    input is a terminal the container gets a pty of its own. The container
    has a cgroup of its own (cgroup v2, or v1 with the hybrid's unified one)
    holding its limits; on cgroup v1 it can open only the standard devices.

    On exit, on Ctrl-C, SIGTERM or SIGHUP the container's processes are
    killed (through its cgroup, thawed first if anyone froze it), the
    overlay is unmounted, and upper, work, merged and the cgroup are
    removed. The lower directory stays for the next run.

    The container is confined as Docker confines its containers by default:
    root in it keeps 14 capabilities (CHOWN, DAC_OVERRIDE, FSETID, FOWNER,
    MKNOD, NET_RAW, SETGID, SETUID, SETFCAP, SETPCAP, NET_BIND_SERVICE,
    SYS_CHROOT, KILL, AUDIT_WRITE), none inheritable or ambient; Docker's
    default seccomp profile filters its system calls; /proc/kcore,
    /proc/keys and other kernel files are hidden, /proc/sys and a few more
    are read-only, /sys is read-only for good; and no device node opens
    but /dev/null, zero, full, random, urandom, tty, console and the ptys
    (every writable mount is nodev).

OPTIONS
    --image FILE   image tarball, plain or gzip, e.g. from docker export
                   (default: the busybox image built by 'npm run image');
                   a FIFO, device or directory is refused (exit 125)
    --name NAME    container id and hostname (default: 12 random hex digits)
    --keep         keep the upper directory after exit; the container is then
                   listed by 'overlay-tui ps' and removed by 'overlay-tui rm'
    --userns       run in a user namespace: root in the container is an
                   unprivileged id on the host (overlay-tui:BASE:SIZE in
                   /etc/subuid and /etc/subgid, else 1000000000:65536), and
                   the image is shown to it through idmapped mounts (Linux
                   5.12+ and a file system that has them: ext4, xfs, btrfs)
    --events FILE  record every change to the container's layers (copy-up,
                   create, modify, delete, opaque, rename) as JSON lines,
                   each with the command line typed before it (with a tty);
                   before Linux 6.5 a write to a file still for 30 s may be
                   recorded late or not at all (see 'overlay-tui watch --help')
    --pids-limit N at most N processes in the container (default 4096;
                   0 or less: no limit), as Docker's; a fork bomb stops there
    --memory SIZE  memory limit with b, k, m or g (at least 6m), swap
                   included; when it is reached the kernel kills a process
                   and overlay-tui says so in one line
    --cpus N.N     CPU time, in CPUs' worth (e.g. 0.5), as Docker's --cpus
    --privileged   no confinement at all: every capability, no seccomp, no
                   hidden paths, host devices reachable (the container's
                   root is the host's root; a warning line says so)
    --cap-add CAP  give root in the container capability CAP as well
                   (NET_ADMIN, CAP_NET_ADMIN, any case, or ALL); repeatable
    --cap-drop CAP take capability CAP away (or ALL); repeatable. An added
                   one wins over the same one dropped, as in Docker
    --security-opt OPT
                   no-new-privileges[=true|false]: no setuid program or
                   file capability raises privileges; seccomp=unconfined:
                   no system call filter; seccomp=FILE: a profile in
                   Docker's JSON form instead of the default; repeatable
    --runtime runc|crun
                   run the container through this OCI runtime, from a
                   config.json with the same confinement, instead of
                   overlay-tui's own helper (the default: the steps this
                   project shows); its state is kept under the state root;
                   not with --userns yet
    -e, --env NAME=VALUE
                   set NAME in the container's environment, over the
                   image's Env; a bare NAME takes its value from ours (left
                   out if we have none); repeatable
    -w, --workdir DIR
                   start in DIR (absolute) instead of the image's WorkingDir;
                   made as root if missing
    -u, --user USER[:GROUP]
                   run as USER (a name in the image's /etc/passwd, or a
                   UID) and GROUP (a name in its /etc/group, or a GID)
                   instead of the image's User; a name not there is refused
                   (exit 125)
    --entrypoint CMD
                   run CMD instead of the image's Entrypoint, and not its
                   Cmd: CMD ARG... then come after it ('' clears it)
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
    sudo overlay-tui run --cap-add NET_ADMIN -- ip link set lo up
    sudo overlay-tui run -u nobody -w /tmp -e GREETING=hi -- sh -c 'id; pwd; echo $GREETING'
`;

const RUN_OPTIONS = {
  ...CONTAINER_OPTIONS,
  ...PROCESS_OPTIONS,
  events: { type: 'string' },
  ...ROOT_OPTION,
  ...HELP_OPTION,
} as const;

export interface RunArgs {
  image: string;
  name?: string;
  keep: boolean;
  runtime?: RuntimeName;
  userns?: IdMap;
  events?: string;
  root: string;
  limits: ResourceLimits;
  confine: ConfineOptions;
  /** CMD (empty: the image's), --entrypoint, -e, -w, -u. */
  request: ProcessRequest;
}

export function parseRunArgs(argv: string[]): RunArgs | 'help' {
  const { ours, command } = splitCommand(argv, RUN_OPTIONS);
  const { values } = parse('run', ours, RUN_OPTIONS, { min: 0, max: 0, what: '' });
  if (values.help) return 'help';
  const proc = processArgs('run', values);
  return {
    ...containerArgs(values, 'run'),
    ...(values.events !== undefined ? { events: values.events } : {}),
    request: { ...proc, env: resolveEnvArgs(proc.env, process.env), command },
  };
}

type Launchers = {
  stdio: () => ContainerProcess;
  pty: (size: PtySize, term: string) => Promise<PtyContainerProcess>;
};

/**
 * --runtime: the runtime found (or one line why not), and its launchers,
 * whose modules load while the image and the container are made.
 */
async function openRuntimePath(
  root: string,
  name: RuntimeName,
  profile: ConfineProfile,
  limits: ResourceLimits,
): Promise<{ record: RuntimeRecord; launchers: (spec: LaunchSpec) => Promise<Launchers> }> {
  const modules = Promise.all([import('../engine/runtime/launch.js')]);
  modules.catch(() => undefined); // a failed load is reported where it is awaited
  const { openRuntime } = await import('../engine/runtime/runtime-binary.js');
  const record = await openRuntime(root, name);
  return {
    record,
    launchers: async (spec) => {
      const [launch] = await modules;
      const run = { ...spec, runtime: record, profile, limits };
      return {
        stdio: () => launch.launchRuntimeWithStdio(run),
        pty: (size, term) => launch.launchRuntimeOnPty(run, size, term),
      };
    },
  };
}

async function runInContainer(
  spec: LaunchSpec,
  launchers: ((spec: LaunchSpec) => Promise<Launchers>) | undefined,
  onStart: (helperPid: number) => void,
  onInput: ((bytes: Buffer) => void) | undefined,
): Promise<number> {
  const via = launchers ? await launchers(spec) : undefined;
  if (process.stdin.isTTY && process.stdout.isTTY) {
    const [{ launchOnPty }, { relayTerminal }] = await Promise.all([
      import('../engine/container/pty-process.js'),
      import('../engine/terminal-relay.js'),
    ]);
    const size = { cols: process.stdout.columns, rows: process.stdout.rows };
    const term = process.env.TERM ?? 'xterm-256color';
    const proc = await (via ? via.pty(size, term) : launchOnPty(spec, size, term));
    onStart(proc.pid);
    const restore = relayTerminal(proc.pty, onInput);
    try {
      return await proc.exited;
    } finally {
      restore();
    }
  }
  const proc = via ? via.stdio() : launchWithStdio(spec);
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
  const confinement = buildProfile(args.confine);
  if (confinement.privileged) process.stderr.write(`overlay-tui: ${PRIVILEGED_WARNING}\n`);
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
    // Before anything is made: a runtime that is not installed is one line.
    const runtime = args.runtime
      ? await openRuntimePath(store.root, args.runtime, confinement, args.limits)
      : undefined;
    const image = await ensureImage(store, args.image, { signal: guard.signal });
    const config = image.record.config;
    const command = containerCommand(config, args.request);
    if (command.length === 0) {
      throw usageError('run', 'missing CMD: the image has no Cmd or Entrypoint to run');
    }
    container = createContainer(store, image, {
      ...(args.name !== undefined ? { name: args.name } : {}),
      keep: args.keep,
      command,
      ...(args.userns ? { userns: args.userns } : {}),
      cgroup: { limits: args.limits, allowAllDevices: args.confine.privileged },
      confinement,
      ...(runtime ? { runtime: runtime.record } : {}),
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
        recorder = await recordEvents(
          args.events,
          paths.upper,
          state.lowers,
          () => typed.current,
          state.userns,
          state.layers,
        );
      }
      // A user name is looked up in the image as mounted, so only now.
      const { process: proc, note } = processConfig(
        config,
        args.request,
        paths.merged,
        state.userns?.size,
      );
      if (note !== undefined) process.stderr.write(`overlay-tui: ${note}\n`);
      if (!guard.receivedSignal) {
        const spec = {
          paths,
          hostname: state.id,
          command,
          process: proc,
          cgroup: state.cgroup,
          confinement,
          seccompRules: state.seccompRules,
          ...(state.userns ? { userns: state.userns } : {}),
        };
        exitCode = await runInContainer(
          spec,
          runtime?.launchers,
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
      // Read before teardown removes the cgroup that counts them.
      const oom = current.cgroup ? oomMessage(current.cgroup, current.id) : undefined;
      teardownContainer(paths, current, {
        keep: args.keep,
        ...(exitCode !== undefined ? { exitCode } : {}),
      });
      if (oom) process.stderr.write(`overlay-tui: ${oom}\n`);
    }
    return guard.exitCode ?? exitCode ?? 125;
  } catch (err) {
    // Only an interrupted import is reported this way: a failed teardown
    // must reach the user as it is.
    if (err instanceof InterruptedError && guard.exitCode !== undefined) {
      process.stderr.write(`overlay-tui: ${safeLine(err.message)} (${guard.receivedSignal})\n`);
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
