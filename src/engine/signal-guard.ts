/**
 * Turns SIGINT, SIGTERM and SIGHUP into an orderly stop: the first one
 * aborts what is under way (an extraction) and runs the registered stop
 * action (kill the container), so that teardown runs in the normal path;
 * the exit code is then 128+N, as a shell reports it. A second signal while
 * stopping is ignored: teardown must not be cut short. Nothing the stop
 * action throws escapes the handler (it would be an uncaught exception
 * with a stack trace, and the teardown after it would not run): it is
 * reported in one line, and the normal path's teardown still follows.
 */
import { constants } from 'node:os';

const HANDLED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Runs an action from a signal or 'exit' handler, where an error would
 * escape as an uncaught exception with Node's stack trace (and, in a
 * signal handler, cut the orderly stop short): it is said in one line
 * instead, and the exit status becomes 125.
 */
export function reportingFailure(action: () => void, context?: string): void {
  try {
    action();
  } catch (err) {
    const message = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    process.stderr.write(`overlay-tui: ${context ? `${context}: ` : ''}${message}\n`);
    process.exitCode = 125;
  }
}

export class SignalGuard {
  private readonly controller = new AbortController();
  private received: NodeJS.Signals | undefined;
  private stopAction: (() => void) | undefined;
  private readonly handler = (sig: NodeJS.Signals): void => {
    if (this.received) return;
    this.received = sig;
    this.controller.abort();
    const action = this.stopAction;
    if (action) reportingFailure(action, `stopping on ${sig}`);
  };

  constructor() {
    for (const sig of HANDLED) process.on(sig, this.handler);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The signal received, if any. */
  get receivedSignal(): NodeJS.Signals | undefined {
    return this.received;
  }

  /** 128+N for the signal received, or undefined. */
  get exitCode(): number | undefined {
    return this.received ? 128 + constants.signals[this.received] : undefined;
  }

  /** What to do on a signal; runs at once if one already came. */
  onStop(action: (() => void) | undefined): void {
    this.stopAction = action;
    if (this.received && action) reportingFailure(action, `stopping on ${this.received}`);
  }

  dispose(): void {
    for (const sig of HANDLED) process.off(sig, this.handler);
  }
}
