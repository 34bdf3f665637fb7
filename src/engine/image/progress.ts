/**
 * Extraction progress on stderr, only when stderr is a terminal, redrawn in
 * place at most ten times a second and erased when done.
 */
import type { ExtractProgress } from './extract.js';

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

export interface ProgressLine {
  update(p: ExtractProgress, inputRead: number): void;
  done(): void;
}

export function progressLine(
  label: string,
  inputSize: number,
  stream = process.stderr,
): ProgressLine {
  if (!stream.isTTY) return { update() {}, done() {} };
  let last = 0;
  let drawn = false;
  return {
    update(p, inputRead) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const pct = inputSize > 0 ? Math.min(100, Math.floor((inputRead / inputSize) * 100)) : 0;
      stream.write(`\r\x1b[Kextracting ${label}: ${p.entries} entries, ${mb(p.bytes)} (${pct}%)`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
