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
  return {
    pty,
    screen,
    exited,
    text,
    type: (t) => pty.write(t),
    async waitFor(pattern, ms = 5000) {
      const start = Date.now();
      const re =
        typeof pattern === 'string'
          ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          : pattern;
      while (Date.now() - start < ms) {
        if (re.test(text())) return Date.now() - start;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`screen never showed ${re}:\n${text()}`);
    },
  };
}
