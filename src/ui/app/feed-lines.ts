/**
 * The feed as lines: newest first, each group of events under the command
 * line that caused them. Pure.
 */
import { lowerPhrase, type ChangeEvent, type StackLabels } from '../../overlay/index.js';
import { humanBytes } from '../../engine/human-bytes.js';
import { printablePath } from '../../overlay/printable-path.js';

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

/** `from layer 3 (RUN …)`, short: the feed's rows are one line of a narrow pane. */
function layerWords(e: ChangeEvent, labels: StackLabels): string | undefined {
  const layer = lowerPhrase(labels, e.lower, 30);
  if (!layer) return undefined;
  return e.kind === 'delete' || e.kind === 'opaque' ? `over ${layer}` : `from ${layer}`;
}

/**
 * What a copy-up or a new or changed file weighs: a copy-up's bytes are what
 * it copied (not the size now, which watch shows too), a file's the size now.
 */
function amount(e: ChangeEvent): string {
  if (e.type === 'dir') return 'dir';
  if (e.bytes === undefined) return '';
  return e.kind === 'copy-up' ? `${humanBytes(e.bytes)} copied` : humanBytes(e.bytes);
}

/**
 * `copy-up  /etc/passwd  data, 1.2 KiB copied` (without the time, which the
 * pane adds); in an image of several layers, `..., from layer 3 (RUN …)`
 * (or `over layer 3` for what a whiteout or an opaque directory hides).
 */
export function eventText(e: ChangeEvent, labels?: StackLabels): string {
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
    e.from !== undefined ? `from ${printablePath(e.from)}` : undefined,
    amount(e),
    layerWords(e, labels),
  ].filter((x) => x);
  return `${what.padEnd(8)} ${printablePath(e.path)}${extra.length ? `  ${extra.join(', ')}` : ''}`;
}
