/**
 * `run --events FILE`: the live stream of a headless run, as JSON lines.
 * The file is written as events come, and completed by a full rescan
 * before the container's upper directory is removed.
 */
import type { IdMap } from '../../overlay/id-map.js';
import type { StackLabels } from '../../overlay/lower-label.js';
import { closeSync, openSync, writeSync } from 'node:fs';
import { UserError, errnoCode } from '../errors.js';
import { eventJson } from './event-format.js';
import { UpperWatcher } from './upper-watcher.js';
import { safeLine } from '../../overlay/printable-path.js';

export interface EventRecorder {
  /** Records what is still unreported and closes the file. */
  stop(): Promise<void>;
}

export async function recordEvents(
  file: string,
  upperDir: string,
  lowerDirs: readonly string[],
  currentCommand?: () => string | undefined,
  idmap?: IdMap,
  /** The container's layers, topmost first: each event carries its layer (event-format.ts). */
  labels?: StackLabels,
): Promise<EventRecorder> {
  let fd: number;
  try {
    fd = openSync(file, 'w', 0o644);
  } catch (err) {
    throw new UserError(`cannot write the events file ${file} (${errnoCode(err) ?? String(err)})`);
  }
  const watcher = new UpperWatcher({
    upperDir,
    lowerDirs,
    ...(currentCommand ? { currentCommand } : {}),
    ...(idmap ? { idmap } : {}),
  });
  watcher.on('events', (events) => {
    writeSync(fd, events.map((e) => `${eventJson(e, labels)}\n`).join(''));
  });
  watcher.on('error', (err) =>
    process.stderr.write(`overlay-tui: events: ${safeLine(err.message)}\n`),
  );
  await watcher.start();
  return {
    async stop() {
      watcher.finish();
      await watcher.close();
      closeSync(fd);
    },
  };
}
