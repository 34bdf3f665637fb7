/**
 * The events an UpperWatcher emits until `done` says enough (or ms pass):
 * what a test of the live stream waits for.
 */
import type { UpperWatcher } from '../../src/engine/watch/upper-watcher.js';
import type { ChangeEvent } from '../../src/overlay/index.js';

export function collectEvents(
  w: UpperWatcher,
  done: (all: ChangeEvent[]) => boolean,
  ms = 1000,
): Promise<ChangeEvent[]> {
  const all: ChangeEvent[] = [];
  return new Promise((resolve) => {
    const end = (): void => {
      clearTimeout(timer);
      w.off('events', listen);
      resolve(all);
    };
    const listen = (events: ChangeEvent[]): void => {
      all.push(...events);
      if (done(all)) end();
    };
    const timer = setTimeout(end, ms);
    w.on('events', listen);
  });
}
