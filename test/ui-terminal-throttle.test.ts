import { describe, expect, it } from 'vitest';
import { FrameThrottle, type Clock } from '../src/ui/terminal/frame-throttle.js';

/** A clock the test moves by hand. */
function fakeClock() {
  let now = 0;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 0;
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      timers.push({ at: now + ms, fn, id: ++nextId });
      return nextId;
    },
    clearTimeout: (id) => {
      timers = timers.filter((t) => t.id !== id);
    },
  };
  const advance = (ms: number): void => {
    const end = now + ms;
    for (;;) {
      const due = timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      timers = timers.filter((t) => t !== due);
      now = due.at;
      due.fn();
    }
    now = end;
  };
  return { clock, advance, pending: () => timers.length };
}

describe('FrameThrottle', () => {
  it('fires at once after a quiet period', () => {
    const { clock } = fakeClock();
    let fired = 0;
    const throttle = new FrameThrottle(() => fired++, 33, clock);
    throttle.schedule();
    expect(fired).toBe(1);
  });

  it('coalesces a burst into one trailing call per interval', () => {
    const { clock, advance } = fakeClock();
    const times: number[] = [];
    const throttle = new FrameThrottle(() => times.push(clock.now()), 33, clock);
    // A change every millisecond for one second.
    for (let t = 0; t < 1000; t++) {
      throttle.schedule();
      advance(1);
    }
    advance(100);
    expect(times.length).toBeLessThanOrEqual(Math.ceil(1000 / 33) + 1);
    // ...and no fewer: a steady stream of changes is a steady ~30 frames a second.
    expect(times.length).toBeGreaterThanOrEqual(Math.floor(1000 / 33));
    for (let i = 1; i < times.length; i++) {
      expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(33);
      expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeLessThanOrEqual(34);
    }
    // The last change (at t=999) was followed by a frame.
    expect(times.at(-1)).toBeGreaterThanOrEqual(999);
  });

  it('never loses the trailing call', () => {
    const { clock, advance, pending } = fakeClock();
    let fired = 0;
    const throttle = new FrameThrottle(() => fired++, 33, clock);
    throttle.schedule(); // fires now
    advance(5);
    throttle.schedule(); // too soon: scheduled for t=33
    throttle.schedule(); // already scheduled
    expect(fired).toBe(1);
    expect(pending()).toBe(1);
    advance(28);
    expect(fired).toBe(2);
  });

  it('drops a pending call on cancel', () => {
    const { clock, advance } = fakeClock();
    let fired = 0;
    const throttle = new FrameThrottle(() => fired++, 33, clock);
    throttle.schedule();
    throttle.schedule();
    throttle.cancel();
    advance(100);
    expect(fired).toBe(1);
  });
});
