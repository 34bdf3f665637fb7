/**
 * Splits raw stdin bytes into bytes for the focused terminal and prefix
 * commands, like tmux: the prefix byte (default Ctrl-b) followed by one key
 * is a command for the app; the prefix twice sends one literal prefix byte.
 * Every other byte is passed through exactly as read (arrows, Home/End,
 * Ctrl and Alt keys, pastes), so the shell sees what a real terminal sends.
 *
 * Pure: no timers and no I/O. Chunks may split anywhere, also inside the
 * key after the prefix; a lone Escape after the prefix can only be told
 * from the start of an arrow key by time, so the caller calls flush() when
 * `awaiting === 'key'` stays true for a moment (see raw-input.ts).
 */
import { keyName, keyStatus } from './key-names.js';

export const DEFAULT_PREFIX = 0x02; // Ctrl-b, as in tmux

export type PrefixEvent =
  | { type: 'input'; bytes: Buffer }
  | { type: 'command'; key: string; bytes: Buffer };

const ESC = 0x1b;
const PASTE_START = Buffer.from('\x1b[200~', 'latin1');
const PASTE_END = Buffer.from('\x1b[201~', 'latin1');

export class PrefixKeyMachine {
  readonly prefix: number;
  /** Bytes of the key after the prefix; undefined when no prefix is pending. */
  private key: number[] | undefined;
  /** Inside a bracketed paste the prefix byte is text, not a command. */
  private inPaste = false;
  private markerMatched = 0;

  constructor(prefix: number = DEFAULT_PREFIX) {
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > 0x7f || prefix === ESC) {
      throw new RangeError(`prefix must be an ASCII byte other than Escape, got ${prefix}`);
    }
    this.prefix = prefix;
  }

  /** 'prefix': the prefix was read, 'key': part of the key after it was read. */
  get awaiting(): 'none' | 'prefix' | 'key' {
    if (this.key === undefined) return 'none';
    return this.key.length === 0 ? 'prefix' : 'key';
  }

  feed(chunk: Uint8Array): PrefixEvent[] {
    const out = new Output();
    let runStart = 0; // start of the pass-through bytes not yet output
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i] ?? 0;
      if (this.key === undefined) {
        if (byte !== this.prefix || this.inPaste || chunk[i - 1] === ESC) {
          // ESC then the prefix in one read is Alt+prefix: the shell's key.
          this.trackPaste(byte);
          continue;
        }
        out.input(chunk.subarray(runStart, i));
        this.key = [];
        this.markerMatched = 0;
        continue;
      }
      if (this.key.length === 0 && byte === this.prefix) {
        out.input(Buffer.of(byte));
        this.key = undefined;
        runStart = i + 1;
        continue;
      }
      this.key.push(byte);
      const status = keyStatus(Uint8Array.from(this.key));
      if (status === 'incomplete') continue;
      if (status === 'complete') {
        out.command(this.key);
        this.key = undefined;
        runStart = i + 1;
        continue;
      }
      // The last byte is not part of the key: the key ends before it and
      // the byte is read again as ordinary input (it may be the prefix).
      this.key.pop();
      out.command(this.key);
      this.key = undefined;
      runStart = i;
      i--;
    }
    if (this.key === undefined) out.input(chunk.subarray(runStart));
    return out.events;
  }

  /**
   * Ends a key that is still incomplete after the prefix (a lone Escape, or
   * Alt+[ which looks like the start of an arrow key) and emits it as is.
   */
  flush(): PrefixEvent[] {
    if (this.key === undefined || this.key.length === 0) return [];
    const out = new Output();
    out.command(this.key);
    this.key = undefined;
    return out.events;
  }

  /** Follows bracketed-paste markers in the pass-through bytes. */
  private trackPaste(byte: number): void {
    const marker = this.inPaste ? PASTE_END : PASTE_START;
    if (byte === marker[this.markerMatched]) {
      this.markerMatched++;
      if (this.markerMatched === marker.length) {
        this.inPaste = !this.inPaste;
        this.markerMatched = 0;
      }
      return;
    }
    // ESC occurs only first in a marker, so a mismatch restarts the match.
    this.markerMatched = byte === ESC ? 1 : 0;
  }
}

/** Collects events, merging adjacent pass-through bytes into one buffer. */
class Output {
  readonly events: PrefixEvent[] = [];

  input(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const last = this.events[this.events.length - 1];
    if (last?.type === 'input') {
      last.bytes = Buffer.concat([last.bytes, bytes]);
    } else {
      // A copy: the caller's chunk may be reused once feed() returns.
      this.events.push({ type: 'input', bytes: Buffer.from(bytes) });
    }
  }

  command(key: number[]): void {
    const bytes = Buffer.from(key);
    this.events.push({ type: 'command', key: keyName(bytes), bytes });
  }
}
