/**
 * Wires a pty (node-pty's IPty, or anything shaped like it) to a
 * ScreenSurface: output -> emulator, emulator replies -> pty, emulator
 * resizes -> pty. Output is flow-controlled: while xterm has more than
 * HIGH_WATER bytes unparsed the pty is paused, so a flood (`yes`) is held
 * back by the kernel instead of piling up in memory and starving key input.
 */
import type { ScreenSurface } from './screen-surface.js';

/** The part of node-pty's IPty used here. */
export interface PtyLike {
  onData(cb: (data: string) => void): { dispose(): void };
  write(data: string): void;
  resize(cols: number, rows: number): void;
  pause(): void;
  resume(): void;
}

// A key's echo waits behind what is queued: at the ~2.5 MB/s xterm parses
// here, 64 KB is ~25 ms. The kernel holds the rest (the writer blocks).
const HIGH_WATER = 16 * 1024;
const LOW_WATER = 4 * 1024;

export function attachPty(pty: PtyLike, screen: ScreenSurface): () => void {
  let pending = 0;
  let paused = false;
  let attached = true;
  // node-pty throws when a pty that has exited is written to or resized;
  // the exit itself is reported through onExit, so these are ignored.
  const safely = (fn: () => void): void => {
    try {
      fn();
    } catch {
      /* the pty has gone */
    }
  };

  const output = pty.onData((data) => {
    pending += data.length;
    if (!paused && pending > HIGH_WATER) {
      paused = true;
      safely(() => pty.pause());
    }
    screen.write(data, () => {
      pending -= data.length;
      if (paused && attached && pending < LOW_WATER) {
        paused = false;
        safely(() => pty.resume());
      }
    });
  });
  const replies = screen.onReply((data) => safely(() => pty.write(data)));
  const resizes = screen.onResize((cols, rows) => safely(() => pty.resize(cols, rows)));
  safely(() => pty.resize(screen.cols, screen.rows));

  return () => {
    attached = false;
    output.dispose();
    replies();
    resizes();
    if (paused) safely(() => pty.resume());
  };
}
