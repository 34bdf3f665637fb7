/**
 * Turns a burst of "something changed" calls into at most one callback per
 * interval: the first change after a quiet period fires at once (a keystroke
 * echo is not delayed), later ones are coalesced into one trailing call at
 * the end of the interval, so the last change is never lost.
 */

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class FrameThrottle {
  private lastFire = -Infinity;
  private timer: unknown = undefined;

  constructor(
    private readonly fire: () => void,
    private readonly intervalMs: number,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Something changed: fire now, or once the interval since the last fire has passed. */
  schedule(): void {
    if (this.timer !== undefined) return;
    const wait = this.lastFire + this.intervalMs - this.clock.now();
    if (wait <= 0) {
      this.run();
      return;
    }
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, wait);
  }

  /** Drops a pending trailing call (on dispose). */
  cancel(): void {
    if (this.timer === undefined) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private run(): void {
    this.lastFire = this.clock.now();
    this.fire();
  }
}
