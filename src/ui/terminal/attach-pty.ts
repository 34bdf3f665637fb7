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

// 16 KB / 4 KB (so that a key's echo would queue behind less) measured no
// better than this in interleaved runs during a flood (key echo p99
// 91–131 ms against 79–115 ms): xterm parses faster than the writer writes.
const HIGH_WATER = 256 * 1024;
const LOW_WATER = 32 * 1024;

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
