/**
 * No error escapes a signal handler or an 'exit' handler with a stack
 * trace: a stop action or a teardown that fails there is one line, and
 * the exit status is 125.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { UserError } from '../src/engine/errors.js';
import { SignalGuard, reportingFailure } from '../src/engine/signal-guard.js';

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

function captureStderr(): () => string {
  let text = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  });
  return () => text;
}

it('a stop action that throws in the signal handler is one line and exit status 125', () => {
  const stderr = captureStderr();
  const guard = new SignalGuard();
  try {
    guard.onStop(() => {
      throw new UserError(
        'container x: pid 42 did not die after SIGKILL; left everything in place',
      );
    });
    expect(() => process.emit('SIGTERM', 'SIGTERM')).not.toThrow();
    expect(guard.signal.aborted).toBe(true);
    expect(stderr()).toBe(
      'overlay-tui: stopping on SIGTERM: container x: pid 42 did not die after SIGKILL; left everything in place\n',
    );
    expect(process.exitCode).toBe(125);
  } finally {
    guard.dispose();
  }
});

it('a teardown that fails in an exit handler is one line (no stack) and exit status 125', () => {
  const stderr = captureStderr();
  reportingFailure(() => {
    throw new Error('ENOSPC: no space left on device, write\n    at writeState (state.js:1:1)');
  });
  expect(stderr()).toBe('overlay-tui: ENOSPC: no space left on device, write\n');
  expect(process.exitCode).toBe(125);
});
