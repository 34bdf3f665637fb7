/**
 * Feeds a stream's raw 'data' chunks through a PrefixKeyMachine and calls
 * back with terminal bytes and prefix commands, in the order they were
 * typed (a command can change where the bytes after it should go). Owns
 * the one timer the pure machine needs: a lone Escape after the prefix.
 */
import type { EventEmitter } from 'node:events';
import { PrefixKeyMachine, type PrefixEvent } from './prefix-keys.js';

export interface RawInputHandlers {
  /** Bytes for the focused pane, exactly as typed. */
  onInput(bytes: Buffer): void;
  /** A key pressed after the prefix, named as key-names.ts does ("o", "Up", "C-o"). */
  onCommand(key: string, bytes: Buffer): void;
}

export interface RawInputOptions {
  /** The prefix byte (default Ctrl-b); see parsePrefixKey. */
  prefix?: number;
  /** How long an Escape after the prefix waits to become an arrow key (default 50 ms). */
  escapeTimeoutMs?: number;
}

function dispatch(events: PrefixEvent[], handlers: RawInputHandlers): void {
  for (const event of events) {
    if (event.type === 'input') handlers.onInput(event.bytes);
    else handlers.onCommand(event.key, event.bytes);
  }
}

/**
 * Listens to `stream`'s 'data' events until the returned function is called.
 * Chunks may be strings: Ink calls stdin.setEncoding('utf8') whenever it
 * toggles raw mode, after which 'data' carries decoded text. Re-encoding
 * gives back the typed bytes for all valid UTF-8 input.
 */
export function listenRawInput(
  stream: EventEmitter,
  handlers: RawInputHandlers,
  options: RawInputOptions = {},
): () => void {
  const machine = new PrefixKeyMachine(options.prefix);
  const escapeTimeoutMs = options.escapeTimeoutMs ?? 50;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const onData = (chunk: Buffer | string): void => {
    clearTimeout(timer);
    timer = undefined;
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    dispatch(machine.feed(bytes), handlers);
    if (machine.awaiting === 'key') {
      timer = setTimeout(() => {
        timer = undefined;
        dispatch(machine.flush(), handlers);
      }, escapeTimeoutMs);
    }
  };

  stream.on('data', onData);
  return () => {
    clearTimeout(timer);
    stream.off('data', onData);
  };
}
