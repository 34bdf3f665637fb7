/**
 * The feed as lines: newest first, each group of events under the command
 * line that caused them. Pure.
 */
import type { ChangeEvent } from '../../overlay/index.js';
import { humanBytes } from '../../engine/human-bytes.js';

export type FeedLine =
  | { kind: 'command'; text: string }
  | { kind: 'event'; index: number; event: ChangeEvent };

export function feedLines(events: readonly ChangeEvent[]): FeedLine[] {
  const lines: FeedLine[] = [];
  let group: string | undefined | null = null;
  events.forEach((event, index) => {
    if (event.command !== group) {
      group = event.command;
      lines.push({
        kind: 'command',
        text: group === undefined ? '(no command line)' : `$ ${group}`,
      });
    }
    lines.push({ kind: 'event', index, event });
  });
  return lines;
}

/** `copy-up  /etc/passwd  data, 1.2 KiB` (without the time, which the pane adds). */
export function eventText(e: ChangeEvent): string {
  const what =
    e.kind === 'delete'
      ? e.deleted === 'whiteout'
        ? 'whiteout'
        : 'delete'
      : e.kind === 'create'
        ? 'new'
        : e.kind;
  const extra = [
    e.changed && e.changed !== 'none' ? e.changed : undefined,
    e.from !== undefined ? `from ${e.from}` : undefined,
    e.type === 'dir' ? 'dir' : e.bytes === undefined ? '' : humanBytes(e.bytes),
  ].filter((x) => x);
  return `${what.padEnd(8)} ${e.path}${extra.length ? `  ${extra.join(', ')}` : ''}`;
}
