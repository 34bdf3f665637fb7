/**
 * `overlay-tui` with no command: the full-screen app. Everything that can
 * fail on the user's input (no terminal, too small, not root, bad image) is
 * checked before the screen changes; the container is then made as `run`
 * makes it, its shell runs on a pty drawn by the terminal pane, and the
 * upper watcher feeds the store (app-session.ts, which also restarts it).
 * Teardown runs on every way out, keeping upper if the user asked to.
 */
import { oomMessage } from '../engine/cgroup/index.js';
import { UserError } from '../engine/errors.js';
import { ensureImage } from '../engine/image/store.js';
import { SignalGuard, reportingFailure } from '../engine/signal-guard.js';
import { prepare } from '../commands/prepare.js';
import { computeLayout, MIN_COLS, MIN_ROWS } from './app/layout.js';
import { createAppStore } from './store/app-store.js';
import { TerminalScreen } from './terminal/terminal-screen.js';
import { AppSession } from './app-session.js';
import type { IdMap } from '../overlay/id-map.js';
import type { ResourceLimits } from '../engine/confine/types.js';
import {
  buildProfile,
  PRIVILEGED_WARNING,
  type ConfineOptions,
} from '../engine/confine/profile.js';
import type { RuntimeName } from '../engine/runtime/runtime-record.js';

export interface AppArgs {
  image: string;
  name?: string;
  keep: boolean;
  userns?: IdMap;
  runtime?: RuntimeName;
  root: string;
  confine: ConfineOptions;
  argv: string[];
  limits?: ResourceLimits;
  /** The prefix byte (--prefix); default C-b. */
  prefix?: number;
}

const ALT_SCREEN_ON = '\x1b[?1049h\x1b[H';
const ALT_SCREEN_OFF = '\x1b[?1049l';

/**
 * Colour is half of what the trees say. chalk (inside Ink) draws none as
 * soon as a CI variable is set, even CI=0, which is how Ink is told to draw
 * at all under CI; on a terminal, the terminal decides. NO_COLOR, an
 * explicit FORCE_COLOR and TERM=dumb still win. Before Ink is imported.
 */
function colourForTerminal(env: NodeJS.ProcessEnv): void {
  if (env.FORCE_COLOR !== undefined || env.NO_COLOR !== undefined) return;
  const term = env.TERM ?? '';
  if (term === '' || term === 'dumb') return;
  const truecolor = env.COLORTERM === 'truecolor' || env.COLORTERM === '24bit';
  env.FORCE_COLOR = truecolor ? '3' : term.includes('256') ? '2' : '1';
}

/**
 * The shell could not start, or ended as one that could not (125 setup,
 * 126 not executable, 127 not found): what it said went to its pane, gone
 * with the full screen. One line on the real terminal says it again.
 */
async function sayWhyShellEnded(screen: TerminalScreen, code: number): Promise<void> {
  await new Promise<void>((resolve) => screen.write('', resolve)); // all output parsed
  const lines = screen
    .snapshot()
    .lines.map((runs) =>
      runs
        .map((r) => r.text)
        .join('')
        .trim(),
    )
    .filter((l) => l !== '');
  const last = lines.at(-1);
  process.stderr.write(
    `overlay-tui: the container's shell exited with ${code}${last ? `: ${last}` : ''}\n`,
  );
}

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
  const confinement = buildProfile(args.confine);
  // Said before the screen opens (it is there again when the app ends) and in the status bar.
  if (confinement.privileged) process.stderr.write(`overlay-tui: ${PRIVILEGED_WARNING}\n`);
  const guard = new SignalGuard();
  let session: AppSession | undefined;
  const onExit = (): void => reportingFailure(() => session?.teardown());
  process.on('exit', onExit);
  try {
    const runtime = args.runtime
      ? await (
          await import('../engine/runtime/runtime-binary.js')
        ).openRuntime(store.root, args.runtime)
      : undefined;
    const image = await ensureImage(store, args.image, { signal: guard.signal });
    session = new AppSession(
      store,
      image,
      {
        ...(args.name !== undefined ? { name: args.name } : {}),
        keep: args.keep,
        ...(args.userns ? { userns: args.userns } : {}),
        ...(args.limits ? { limits: args.limits } : {}),
        confinement,
        ...(runtime ? { runtime } : {}),
      },
      guard,
    );
    session.create(args.name);
    let exitCode: number | undefined;
    try {
      exitCode = await showApp(
        session,
        image.record.tags[0] ?? image.record.source,
        size,
        args.prefix,
      );
    } finally {
      // What the user chose last (C-b k) decides whether upper is kept.
      session.teardown(exitCode);
    }
    return guard.exitCode ?? exitCode ?? 125;
  } finally {
    process.off('exit', onExit);
    guard.dispose();
  }
}

async function showApp(
  session: AppSession,
  imageSource: string,
  size: { cols: number; rows: number },
  prefix: number | undefined,
): Promise<number> {
  const layout = computeLayout(size.cols, size.rows);
  if (!layout) throw new UserError('the terminal became too small');
  const screen = new TerminalScreen({ cols: layout.terminal.width, rows: layout.terminal.height });
  let stopUsage = (): void => {};
  try {
    const layers = await session.startShell(screen);
    const appStore = createAppStore(
      layers,
      session.status(imageSource),
      {
        loadLowerDir: (path) => session.loadLowerDir(path),
        loadLowerDirs: (paths) => session.loadLowerDirs(paths),
        loadWholeLower: () => {
          const container = session.container;
          void session.loadWholeLower().then(() => {
            // Not for a container restarted meanwhile: its image is read anew.
            if (session.container === container) appStore.getState().wholeImageRead();
          });
        },
        quit: () => session.quit(),
        readVersions: (path) => session.readVersions(path),
        readStackVersions: (path) => session.readStackVersions(path),
        otherProcesses: () => session.otherProcesses(),
        setKeep: (on) => session.setKeep(on),
        restart: () => {
          void session.restart(screen).then((next) => {
            if (next) appStore.getState().reset(next, session.status(imageSource));
          });
        },
      },
      { keepUpper: session.keep, stack: session.stackLayers() },
    );
    // The status bar's memory and pids; a new OOM kill is said there too.
    appStore.getState().setUsage(session.usage());
    const usageTimer = setInterval(() => appStore.getState().setUsage(session.usage()), 1000);
    usageTimer.unref();
    stopUsage = () => clearInterval(usageTimer);
    session.sink = {
      state: (next) => appStore.getState().setLayers(next),
      events: (events) => appStore.getState().addEvents(events),
      error: (message) => appStore.getState().setNotice(message),
    };
    if (session.confinement.privileged) appStore.getState().setNotice(PRIVILEGED_WARNING);
    if (session.processNote !== undefined) appStore.getState().setNotice(session.processNote);
    colourForTerminal(process.env);
    const [{ render }, { App }] = await Promise.all([import('ink'), import('./app/App.js')]);
    process.stdout.write(ALT_SCREEN_ON);
    const ink = render(
      <App
        store={appStore}
        screen={screen}
        writeToShell={(bytes) => session.writeToShell(bytes)}
        {...(prefix !== undefined ? { prefix } : {})}
      />,
      {
        exitOnCtrlC: false,
        patchConsole: false,
        // The terminal pane already limits itself to ~30 frames a second
        // (FrameThrottle); ink's own throttle at the same rate, out of step
        // with ours, added up to a frame's wait to every change shown.
        maxFps: 60,
      },
    );
    let code: number | undefined;
    try {
      code = await session.ended;
      return code;
    } finally {
      ink.unmount();
      process.stdout.write(ALT_SCREEN_OFF);
      if (code !== undefined && code >= 125 && code <= 127) await sayWhyShellEnded(screen, code);
      // The status bar said so, but it is gone with the screen: an OOM kill
      // (often of the shell itself) is left on the terminal in one line.
      const state = session.container?.state;
      const oom = state?.cgroup ? oomMessage(state.cgroup, state.id) : undefined;
      if (oom) process.stderr.write(`overlay-tui: ${oom}\n`);
    }
  } finally {
    stopUsage();
    await session.stopShell();
    screen.dispose();
  }
}
