/**
 * `overlay-tui` with no command: the full-screen app. Everything that can
 * fail on the user's input (no terminal, too small, not root, bad image) is
 * checked before the screen changes; the container is then made as `run`
 * makes it, its shell runs on a pty drawn by the terminal pane, and the
 * upper watcher feeds the store. Teardown runs on every way out.
 */
import { UserError } from '../engine/errors.js';
import { ensureImage } from '../engine/image/store.js';
import { createContainer, type Container } from '../engine/container/create.js';
import { launchOnPty } from '../engine/container/pty-process.js';
import { killContainer, teardownContainer } from '../engine/container/teardown.js';
import { readState } from '../engine/container/state.js';
import { SignalGuard } from '../engine/signal-guard.js';
import { UpperWatcher } from '../engine/watch/upper-watcher.js';
import { CommandLineTracker } from '../engine/watch/command-line.js';
import { prepare } from '../commands/prepare.js';
import { computeLayout, MIN_COLS, MIN_ROWS } from './app/layout.js';
import { createAppStore } from './store/app-store.js';
import { TerminalScreen } from './terminal/terminal-screen.js';
import { attachPty } from './terminal/attach-pty.js';

export interface AppArgs {
  image: string;
  name?: string;
  keep: boolean;
  root: string;
  argv: string[];
}

const ALT_SCREEN_ON = '\x1b[?1049h\x1b[H';
const ALT_SCREEN_OFF = '\x1b[?1049l';

function checkTerminal(): { cols: number; rows: number } {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UserError(
      "overlay-tui's screen needs a terminal: for scripts and pipes use 'overlay-tui run -- CMD'",
      2,
    );
  }
  const cols = process.stdout.columns;
  const rows = process.stdout.rows;
  if (!computeLayout(cols, rows)) {
    throw new UserError(
      `the terminal is ${cols}x${rows}, overlay-tui needs at least ${MIN_COLS}x${MIN_ROWS}: enlarge it, or use 'overlay-tui run -- sh'`,
      2,
    );
  }
  return { cols, rows };
}

export async function runApp(args: AppArgs): Promise<number> {
  const size = checkTerminal();
  const store = prepare(args.argv, args.root);
  const guard = new SignalGuard();
  let container: Container | undefined;
  const onExit = (): void => {
    if (container)
      teardownContainer(container.paths, readState(container.paths), { keep: args.keep });
  };
  process.on('exit', onExit);
  try {
    const image = await ensureImage(store, args.image, { signal: guard.signal });
    container = createContainer(store, image, {
      ...(args.name !== undefined ? { name: args.name } : {}),
      keep: args.keep,
      command: ['/bin/sh'],
    });
    const { paths, state } = container;
    let exitCode: number | undefined;
    try {
      exitCode = await showApp(paths, state, image.record.source, size, guard);
    } finally {
      const current = readState(paths) ?? state;
      container = undefined;
      teardownContainer(paths, current, {
        keep: args.keep,
        ...(exitCode !== undefined ? { exitCode } : {}),
      });
    }
    return guard.exitCode ?? exitCode ?? 125;
  } finally {
    process.off('exit', onExit);
    guard.dispose();
  }
}

async function showApp(
  paths: Container['paths'],
  state: Container['state'],
  imageSource: string,
  size: { cols: number; rows: number },
  guard: SignalGuard,
): Promise<number> {
  const layout = computeLayout(size.cols, size.rows);
  if (!layout) throw new UserError('the terminal became too small');
  const typed = new CommandLineTracker();
  const watcher = new UpperWatcher({
    upperDir: paths.upper,
    lowerDirs: state.lowers,
    currentCommand: () => typed.current,
  });
  await watcher.start();
  watcher.loadLowerDir('/'); // the top level is shown expanded
  const screen = new TerminalScreen({ cols: layout.terminal.width, rows: layout.terminal.height });
  const spec = { paths, hostname: state.id, command: ['/bin/sh'] };
  const proc = await launchOnPty(
    spec,
    { cols: layout.terminal.width, rows: layout.terminal.height },
    'xterm-256color',
  );
  const stop = (): void => {
    try {
      process.kill(proc.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    killContainer(paths, undefined);
  };
  guard.onStop(stop);
  const detach = attachPty(proc.pty, screen);
  const appStore = createAppStore(
    watcher.current,
    {
      image: imageSource.split('/').pop() ?? imageSource,
      id: state.id,
      mountOptions: ['index=off', ...state.mountOptions.filter((o) => o !== 'index=off')].join(','),
      pid: proc.pid,
    },
    { loadLowerDir: (path) => watcher.loadLowerDir(path), quit: stop },
  );
  watcher.on('state', (layers) => appStore.getState().setLayers(layers));
  watcher.on('events', (events) => appStore.getState().addEvents(events));
  const [{ render }, { App }] = await Promise.all([import('ink'), import('./app/App.js')]);
  process.stdout.write(ALT_SCREEN_ON);
  const ink = render(
    <App
      store={appStore}
      screen={screen}
      writeToShell={(bytes) => {
        proc.pty.write(bytes);
        typed.feed(bytes);
      }}
    />,
    { exitOnCtrlC: false, patchConsole: false },
  );
  try {
    return await proc.exited;
  } finally {
    guard.onStop(undefined);
    ink.unmount();
    process.stdout.write(ALT_SCREEN_OFF);
    detach();
    await watcher.close();
  }
}
