/**
 * Extraction progress on stderr ("layer 3/7 (RUN echo hi): 1,204 entries,
 * 12 MiB (40%)", the label the caller's), only when stderr is a terminal, redrawn in
 * place at most ten times a second and erased when done.
 */
import { fstatSync } from 'node:fs';
import type { ExtractProgress } from './extract.js';
import { humanBytes } from '../human-bytes.js';

export interface ProgressLine {
  update(p: ExtractProgress, inputRead: number): void;
  done(): void;
}

/**
 * process.stderr is made on first use, and for a pipe that costs more than
 * a millisecond (a first import takes tens): a terminal is a character
 * device, so anything else needs no stream at all.
 */
function stderrIfTerminal(): NodeJS.WriteStream | undefined {
  try {
    if (!fstatSync(2).isCharacterDevice()) return undefined;
  } catch {
    return undefined;
  }
  return process.stderr.isTTY ? process.stderr : undefined;
}

export function progressLine(
  label: string,
  inputSize: number,
  out?: NodeJS.WriteStream,
): ProgressLine {
  const stream = out ?? stderrIfTerminal();
  if (!stream?.isTTY) return { update() {}, done() {} };
  let last = 0;
  let drawn = false;
  return {
    update(p, inputRead) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const pct = inputSize > 0 ? Math.min(100, Math.floor((inputRead / inputSize) * 100)) : 0;
      stream.write(
        `\r\x1b[K${label}: ${p.entries.toLocaleString('en-US')} entries, ${humanBytes(p.bytes)} (${pct}%)`,
      );
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
