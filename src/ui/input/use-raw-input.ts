/**
 * The Ink hook for the app's raw keyboard input: reads stdin's 'data'
 * (Ink's useInput parses keys and loses the exact bytes the shell needs)
 * and splits it with the prefix key. While active it holds raw mode on
 * through Ink's reference count: Ink turns raw mode off, and the terminal
 * back to line mode with Ctrl-C as SIGINT, as soon as no useInput is
 * active, which is exactly the case while the terminal pane has focus.
 */
import { useEffect, useRef } from 'react';
import { useStdin } from 'ink';
import { listenRawInput, type RawInputHandlers, type RawInputOptions } from './raw-input.js';

export interface UseRawInputOptions extends RawInputOptions {
  /** Listen only while true (default true). */
  isActive?: boolean;
}

export function useRawInput(handlers: RawInputHandlers, options: UseRawInputOptions = {}): void {
  const { stdin, setRawMode, isRawModeSupported } = useStdin();
  const { isActive = true, prefix, escapeTimeoutMs } = options;
  // The latest handlers without re-subscribing (and losing a pending
  // prefix) every time the caller renders new closures.
  const latest = useRef(handlers);
  useEffect(() => {
    latest.current = handlers;
  });

  useEffect(() => {
    if (!isActive) return;
    if (isRawModeSupported) setRawMode(true);
    const stop = listenRawInput(
      stdin,
      {
        onInput: (bytes) => latest.current.onInput(bytes),
        onCommand: (key, bytes) => latest.current.onCommand(key, bytes),
      },
      {
        ...(prefix === undefined ? {} : { prefix }),
        ...(escapeTimeoutMs === undefined ? {} : { escapeTimeoutMs }),
      },
    );
    return () => {
      stop();
      if (isRawModeSupported) setRawMode(false);
    };
  }, [stdin, setRawMode, isRawModeSupported, isActive, prefix, escapeTimeoutMs]);
}
