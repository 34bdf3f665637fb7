/** `overlay-tui watch`: the live stream of a running container's changes, from another terminal. */
import { UserError } from '../engine/errors.js';
import { readState } from '../engine/container/state.js';
import { isRunning } from '../engine/proc.js';
import { SignalGuard } from '../engine/signal-guard.js';
import { eventLine } from '../engine/watch/event-format.js';
import { UpperWatcher } from '../engine/watch/upper-watcher.js';
import { HELP_OPTION, ROOT_OPTION, parse, stateRootArg } from './args.js';
import { namedContainer } from './container-arg.js';
import { prepare } from './prepare.js';

export const WATCH_HELP = `NAME
    overlay-tui watch - print a running container's changes as they happen

SYNOPSIS
    overlay-tui watch [--root DIR] [--json] NAME

DESCRIPTION
    Watches the container's upper directory and prints one event per line
    until the container stops or you press Ctrl-C:

        copy-up   a lower file or directory copied into upper (data or
                  metadata changed; the bytes copied)
        create    a new file or directory
        modify    a file already in upper written or changed again
        delete    a whiteout hiding a lower entry, or an upper-only entry removed
        opaque    a lower directory deleted and made again
        rename    an entry renamed (a renamed lower directory: a redirect)

OPTIONS
    --json         one JSON object per line
    --root DIR     state root (default: /var/lib/overlay-tui)
    -h, --help     show this help
`;

const OPTIONS = { json: { type: 'boolean' }, ...ROOT_OPTION, ...HELP_OPTION } as const;

export async function watchCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse('watch', argv, OPTIONS, { min: 1, max: 1, what: 'NAME' });
  if (values.help) {
    process.stdout.write(WATCH_HELP);
    return 0;
  }
  const name = positionals[0] ?? '';
  const store = prepare(['watch', ...argv], stateRootArg(values.root));
  const { paths, state, running } = namedContainer(store, name);
  if (!running)
    throw new UserError(
      `container "${name}" is not running: 'overlay-tui diff ${name}' shows what it holds`,
    );
  const watcher = new UpperWatcher({ upperDir: paths.upper, lowerDirs: state.lowers });
  watcher.on('events', (events) => {
    for (const e of events)
      process.stdout.write(values.json ? `${JSON.stringify(e)}\n` : `${eventLine(e)}\n`);
  });
  watcher.on('error', (err) => process.stderr.write(`overlay-tui: watch: ${err.message}\n`));
  const guard = new SignalGuard();
  try {
    await watcher.start();
    // Until the container stops (its record says so, or its owner is gone) or a signal comes.
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        const s = readState(paths);
        if (guard.receivedSignal || !s || s.status !== 'running' || !isRunning(s.owner)) {
          clearInterval(check);
          resolve();
        }
      }, 200);
    });
    // A full last look: it also reports copy-ups still held back for a moment.
    watcher.finish();
  } finally {
    await watcher.close();
    guard.dispose();
  }
  return guard.exitCode ?? 0;
}
