/**
 * Drives the full-screen app as a person does, for the UI benchmarks: in a
 * real pty (node-pty), its screen parsed by a real terminal emulator, the
 * project's own TerminalScreen over @xterm/headless (as
 * test/support/app-driver.ts does). TerminalScreen lives in src/, outside
 * the bench's rootDir, so it is bundled from src/ by esbuild into
 * dist/bench/ at run time (packages stay external) and imported from there.
 *
 * Unlike the test driver, which polls every 20 ms, a wait here is checked
 * each time the emulator has parsed a chunk of the app's output, and the
 * time recorded is that moment: the harness adds the emulator's parse
 * (xterm defers it with a 0 ms timer) and one viewport read.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { IPty } from 'node-pty';
import { cliBin, distBench, repoRoot } from './lib/paths.js';

/** The part of src/ui/terminal/terminal-screen.ts used here. */
interface ScreenLike {
  write(data: string, onParsed?: () => void): void;
  onReply(cb: (data: string) => void): () => void;
  snapshot(): { lines: { text: string }[][] };
  dispose(): void;
}
type ScreenCtor = new (o: { cols: number; rows: number; scrollback: number }) => ScreenLike;

let screenCtor: Promise<ScreenCtor> | undefined;

async function bundleScreen(): Promise<ScreenCtor> {
  const { build } = await import('esbuild');
  const outfile = join(distBench, 'ui-vendor', 'terminal-screen.js');
  await build({
    entryPoints: [join(repoRoot, 'src', 'ui', 'terminal', 'terminal-screen.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  const mod = (await import(pathToFileURL(outfile).href)) as { TerminalScreen?: ScreenCtor };
  if (typeof mod.TerminalScreen !== 'function') throw new Error(`${outfile}: no TerminalScreen`);
  return mod.TerminalScreen;
}

const SYNC_START = '\x1b[?2026h';

export const COLS = 200;
export const ROWS = 50;
/** The shell pane's width in the wide layout (src/ui/app/layout.ts: 42 % of the columns). */
export const PANE_COLS = Math.floor(COLS * 0.42);
/** Its rows: the frame is ROWS - 1 high, less status bar, key legend and the pane's title. */
export const PANE_ROWS = ROWS - 4;

export interface Exit {
  code: number;
  at: number;
}

/** A screen row's shell-pane part (its left PANE_COLS columns), trailing blanks dropped. */
export const paneText = (line: string): string => line.slice(0, PANE_COLS).trimEnd();

type Check = (lines: string[]) => boolean;

interface Waiter {
  check: Check;
  resolve: (at: number) => void;
}

const live = new Set<AppSession>();

export class AppSession {
  readonly t0: number;
  /** performance.now() of the first byte the app wrote, and bytes written so far. */
  firstByteAt = Number.NaN;
  bytesIn = 0;
  /** Frames ink has written so far (each starts with a synchronized-update mark). */
  frames = 0;
  readonly exited: Promise<Exit>;
  private waiters: Waiter[] = [];
  private done = false;

  private constructor(
    readonly pty: IPty,
    private readonly screen: ScreenLike,
    t0: number,
  ) {
    this.t0 = t0;
    live.add(this);
    pty.onData((d) => {
      if (this.bytesIn === 0) this.firstByteAt = performance.now();
      this.bytesIn += d.length;
      this.frames += d.split(SYNC_START).length - 1;
      screen.write(d, () => this.checkWaiters());
    });
    screen.onReply((r) => this.type(r));
    this.exited = new Promise((resolve) =>
      pty.onExit(({ exitCode }) => {
        this.done = true;
        live.delete(this);
        resolve({ code: exitCode, at: performance.now() });
      }),
    );
  }

  /**
   * Starts `overlay-tui ARGS` (no command: the app) at 200x50, CI=0,
   * TERM=xterm-256color. nodeArgs go before the script (Node 20 refuses
   * --cpu-prof in NODE_OPTIONS); cli replaces bin/overlay-tui.js (another build).
   */
  static async start(
    args: string[],
    opts: { nodeArgs?: string[]; cli?: string } = {},
  ): Promise<AppSession> {
    screenCtor ??= bundleScreen();
    const Screen = await screenCtor;
    const { spawn } = await import('node-pty');
    const screen = new Screen({ cols: COLS, rows: ROWS, scrollback: 0 });
    const t0 = performance.now();
    const pty = spawn(process.execPath, [...(opts.nodeArgs ?? []), opts.cli ?? cliBin, ...args], {
      cols: COLS,
      rows: ROWS,
      env: { ...process.env, CI: '0', TERM: 'xterm-256color' },
    });
    return new AppSession(pty, screen, t0);
  }

  get pid(): number {
    return this.pty.pid;
  }

  lines(): string[] {
    return this.screen.snapshot().lines.map((runs) => runs.map((r) => r.text).join(''));
  }

  type(text: string): void {
    if (!this.done) this.pty.write(text);
  }

  /** Resolves with performance.now() at the first parsed output after which check holds. */
  waitFor(check: Check, timeoutMs: number, what: string): Promise<number> {
    if (check(this.lines())) return Promise.resolve(performance.now());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        check,
        resolve: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new Error(`screen never showed ${what} in ${timeoutMs} ms:\n${this.lines().join('\n')}`),
        );
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  waitForText(re: RegExp, timeoutMs = 10_000): Promise<number> {
    return this.waitFor((lines) => re.test(lines.join('\n')), timeoutMs, String(re));
  }

  /** Clears the shell's screen; returns once a fresh prompt sits below `tag` at the top. */
  async clear(tag: string): Promise<void> {
    this.type(`clear; echo ${tag}\r`);
    await this.waitFor(
      (l) => paneText(l[1] ?? '') === tag && paneText(l[2] ?? '') === '/ #',
      5000,
      `a shell cleared (${tag})`,
    );
  }

  /** Types `exit`, waits for the app's own exit; kills it if it does not come. */
  async exit(timeoutMs = 10_000): Promise<Exit> {
    this.type('exit\r');
    const timer = setTimeout(() => this.kill(), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
      this.screen.dispose();
    }
  }

  /** SIGTERM (the app tears down on it), SIGKILL 5 s later if it is still there. */
  kill(): void {
    if (this.done) return;
    process.stderr.write(`bench: app ${this.pid} did not exit, stopping it\n`);
    const signal = (sig: NodeJS.Signals): void => {
      try {
        if (!this.done) process.kill(this.pid, sig);
      } catch {
        /* already gone */
      }
    };
    signal('SIGTERM');
    setTimeout(() => signal('SIGKILL'), 5000).unref();
  }

  private checkWaiters(): void {
    if (this.waiters.length === 0) return;
    const at = performance.now();
    const lines = this.lines();
    const hit = this.waiters.filter((w) => w.check(lines));
    if (hit.length === 0) return;
    this.waiters = this.waiters.filter((w) => !hit.includes(w));
    for (const w of hit) w.resolve(at);
  }
}

/** Kills any app still running (after an error) and waits for it to go. */
export async function killLiveApps(): Promise<number> {
  const left = [...live];
  for (const s of left) s.kill();
  await Promise.all(left.map((s) => s.exited));
  return left.length;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
