/**
 * Drives the full-screen app as a person does: in a real pty, its screen
 * read by a real terminal emulator (our TerminalScreen over @xterm/headless).
 */
import type { IPty } from 'node-pty';
import { TerminalScreen } from '../../src/ui/terminal/terminal-screen.js';
import { CLI } from './paths.js';

export interface AppSession {
  pty: IPty;
  screen: TerminalScreen;
  exited: Promise<number>;
  text(): string;
  type(text: string): void;
  /** Waits until the screen matches, or throws with the screen after ms. */
  waitFor(pattern: RegExp | string, ms?: number): Promise<number>;
  /** The text of one tree pane (lower, upper, merged): its columns, below its title. */
  pane(title: TreeTitle): string;
  /** waitFor on one tree pane's text only. */
  waitForPane(title: TreeTitle, pattern: RegExp, ms?: number): Promise<number>;
  /** The terminal resized, as a person drags its window: the pty (SIGWINCH) and our emulator. */
  resize(cols: number, rows: number): void;
}

export type TreeTitle = 'lower' | 'upper' | 'merged';
const TITLE = (t: string) => new RegExp(` ${t} +(\\d+|-)/\\d+ `);

/** The columns of pane title in the screen's lines, from its title to the next pane's. */
function paneOf(lines: string[], title: TreeTitle): string {
  const row = lines.findIndex((l) => TITLE(title).test(l));
  const line = lines[row];
  if (row < 0 || line === undefined) return '';
  const start = line.search(TITLE(title));
  const starts = (['lower', 'upper', 'merged'] as const)
    .map((t) => line.search(TITLE(t)))
    .filter((at) => at > start);
  const end = starts.length > 0 ? Math.min(...starts) : line.length;
  // Down to the legend under the trees (the feed is below it).
  const legend = lines.findIndex((l, i) => i > row && /\+ new +\^ copied-up/.test(l));
  return lines
    .slice(row, legend < 0 ? undefined : legend)
    .map((l) => l.slice(start, end))
    .join('\n');
}

export async function startApp(args: string[], cols = 200, rows = 50): Promise<AppSession> {
  const { spawn } = await import('node-pty');
  const screen = new TerminalScreen({ cols, rows, scrollback: 0 });
  // CI=0: under CI=true ink draws nothing until it exits.
  const pty = spawn(process.execPath, [CLI, ...args], {
    cols,
    rows,
    env: { ...process.env, CI: '0', TERM: 'xterm-256color' },
  });
  pty.onData((d) => screen.write(d));
  screen.onReply((r) => pty.write(r));
  const exited = new Promise<number>((resolve) => pty.onExit(({ exitCode }) => resolve(exitCode)));
  const text = () =>
    screen
      .snapshot()
      .lines.map((runs) => runs.map((r) => r.text).join(''))
      .join('\n');
  const until = async (what: () => string, re: RegExp, ms: number): Promise<number> => {
    const start = Date.now();
    while (Date.now() - start < ms) {
      if (re.test(what())) return Date.now() - start;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`screen never showed ${re} in ${ms} ms:\n${text()}`);
  };
  const pane = (title: TreeTitle) => paneOf(text().split('\n'), title);
  return {
    pty,
    screen,
    exited,
    text,
    type: (t) => pty.write(t),
    waitFor: (pattern, ms = 5000) =>
      until(
        text,
        typeof pattern === 'string'
          ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          : pattern,
        ms,
      ),
    pane,
    waitForPane: (title, re, ms = 5000) => until(() => pane(title), re, ms),
    resize: (c, r) => {
      screen.resize(c, r);
      pty.resize(c, r);
    },
  };
}
