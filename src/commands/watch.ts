/** `overlay-tui watch`: the live stream of a running container's changes, from another terminal. */
import { UserError } from '../engine/errors.js';
import { existsSync } from 'node:fs';
import type { ChangeEvent } from '../overlay/index.js';
import { readState, type ContainerPaths } from '../engine/container/state.js';
import { registerWatcher } from '../engine/container/watchers.js';
import { isRunning } from '../engine/proc.js';
import { SignalGuard } from '../engine/signal-guard.js';
import { eventJson, eventLine } from '../engine/watch/event-format.js';
import { UpperWatcher } from '../engine/watch/upper-watcher.js';
import { HELP_OPTION, ROOT_OPTION, parse, stateRootArg } from './args.js';
import { namedContainer } from './container-arg.js';
import { prepare } from './prepare.js';
import { stdoutClosed } from './stdout-closed.js';
import { safeLine } from '../overlay/printable-path.js';

export const WATCH_HELP = `NAME
    overlay-tui watch - print a running container's changes as they happen

SYNOPSIS
    overlay-tui watch [--root DIR] [--json] NAME

DESCRIPTION
    Watches the container's upper directory and prints one event per line
    until the container stops or you press Ctrl-C:

        copy-up   a lower file or directory copied into upper (data or
                  metadata changed; the bytes the kernel copied, and the
                  file's size now)
        create    a new file or directory
        modify    a file already in upper written or changed again
        delete    a whiteout hiding a lower entry, or an upper-only entry removed
        opaque    a lower directory deleted and made again
        rename    an entry renamed (a renamed lower directory: a redirect)

    In an image of several layers, a copy-up or rename names the layer it
    came from ('from layer 3 (RUN echo hi >> /etc/passwd)'), a whiteout or
    an opaque directory the layer whose entry it hides ('over layer 1
    (...)'); with --json, as "layer": {"number", "diffId"}.

    Before Linux 6.5, a write to a file that has been still for 30 s, or was
    in upper before the watch started, may be reported late or not at all
    ('overlay-tui diff' always shows what is on disk).

    Names are shown as 'ls -b' shows them: control characters escaped (\\n,
    \\t, \\x1b), a backslash doubled, bytes that are not UTF-8 as \\xNN. With
    --json a name that is valid UTF-8 is given exactly; one that is not is
    given escaped in "path" (or "from"), with its exact bytes in base64 in
    "pathBytes" (or "fromBytes").

OPTIONS
    --json         one JSON object per line
    --root DIR     state root (default: /var/lib/overlay-tui)
    -h, --help     show this help
`;

const OPTIONS = { json: { type: 'boolean' }, ...ROOT_OPTION, ...HELP_OPTION } as const;

const POLL_MS = 50;

/** Until the container stops (its teardown says so), its owner is gone, a signal comes, or stdout's reader does. */
function stopped(
  paths: ContainerPaths,
  guard: SignalGuard,
): Promise<'stopping' | 'gone' | 'interrupted'> {
  return new Promise((resolve) => {
    const check = setInterval(() => {
      const s = readState(paths);
      const end =
        guard.receivedSignal || stdoutClosed()
          ? 'interrupted'
          : !s || !isRunning(s.owner)
            ? 'gone'
            : s.status !== 'running'
              ? 'stopping'
              : undefined;
      if (end) {
        clearInterval(check);
        resolve(end);
      }
    }, POLL_MS);
  });
}

/** ' --root DIR' when one was given, for a command line to copy. */
const rootHint = (root: string | undefined): string =>
  root === undefined ? '' : ` --root ${root}`;

export async function watchCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse('watch', argv, OPTIONS, { min: 1, max: 1, what: 'NAME' });
  if (values.help) {
    process.stdout.write(WATCH_HELP);
    return 0;
  }
  const name = positionals[0] ?? '';
  const store = prepare(['watch', ...argv], stateRootArg(values.root));
  const { paths, state, running } = namedContainer(store, name);
  const notRunning = () =>
    new UserError(
      `container "${name}" is not running: 'overlay-tui diff${rootHint(values.root)} ${name}' shows what it holds`,
    );
  if (!running) throw notRunning(); // (no watchers/ left in a stopped container)
  // Registered before the status is read again (see watchers.ts): a
  // teardown that has not begun yet will wait for this watch's last look.
  const unregister = registerWatcher(paths);
  const guard = new SignalGuard();
  try {
    const now = readState(paths);
    if (!now || now.status !== 'running' || !isRunning(now.owner)) throw notRunning();
    const watcher = new UpperWatcher({
      upperDir: paths.upper,
      lowerDirs: state.lowers,
      ...(state.userns ? { idmap: state.userns } : {}),
    });
    const print = (events: ChangeEvent[]): void => {
      if (stdoutClosed()) return;
      for (const e of events)
        process.stdout.write(
          `${values.json ? eventJson(e, state.layers) : eventLine(e, state.layers)}\n`,
        );
    };
    watcher.on('events', print);
    watcher.on('error', (err) =>
      process.stderr.write(`overlay-tui: watch: ${safeLine(err.message)}\n`),
    );
    try {
      await watcher.start();
      const end = await stopped(paths, guard);
      // The last look: changes whose notifications were still queued, and
      // copy-ups held back for a moment. Upper is still whole unless the
      // container went without the teardown's wait (its owner died).
      if (end !== 'gone' && existsSync(paths.upper)) watcher.finish();
    } finally {
      await watcher.close();
    }
  } finally {
    unregister();
    guard.dispose();
  }
  return guard.exitCode ?? 0;
}
