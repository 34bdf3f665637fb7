/**
 * What the terminal pane, attachPty and the app session need of a terminal
 * emulator: feed it output, hear its replies, resize it, and read its
 * frames. TerminalScreen (xterm) is the one there is; the pane and the pty
 * wiring depend on no more than this.
 */
import type { ScreenSnapshot } from './snapshot.js';

export interface ScreenSurface {
  readonly cols: number;
  readonly rows: number;
  /** Output from the pty; onParsed runs once it has been parsed (flow control). */
  write(data: string, onParsed?: () => void): void;
  /** Bytes the emulator answers terminal queries with, for the pty. */
  onReply(cb: (data: string) => void): () => void;
  resize(cols: number, rows: number): void;
  onResize(cb: (cols: number, rows: number) => void): () => void;
  /** Clears the screen and every mode, for a new shell. */
  reset(): void;
  /** useSyncExternalStore's subscribe: called at most ~30 times a second. */
  readonly onFrame: (cb: () => void) => () => void;
  /** useSyncExternalStore's getSnapshot: the same object until the next frame. */
  readonly getFrame: () => ScreenSnapshot;
  dispose(): void;
}

/** Sizes as the emulator takes them: whole cells, at least 2 columns and 1 row. */
export function clampSize(cols: number, rows: number): { cols: number; rows: number } {
  return { cols: Math.max(2, Math.floor(cols)), rows: Math.max(1, Math.floor(rows)) };
}

export type Listener<T extends unknown[]> = (...args: T) => void;

/** Adds cb to set; the returned function takes it out again. */
export function subscribe<T extends unknown[]>(set: Set<Listener<T>>, cb: Listener<T>): () => void {
  set.add(cb);
  return () => {
    set.delete(cb);
  };
}
