/**
 * One line per live event, for `watch` and for people reading a recorded
 * stream; and the JSON line of one event. Paths are byte strings
 * (src/overlay/byte-path.ts): shown escaped, written to JSON exactly.
 */
import type { ChangeEvent } from '../../overlay/index.js';
import { lowerPhrase, lowerRef, type StackLabels } from '../../overlay/lower-label.js';
import { printablePath, printableText, withJsonPaths } from '../../overlay/printable-path.js';
import { humanBytes } from '../human-bytes.js';

/** Local wall-clock time with milliseconds: 20:12:01.123. */
function clock(ms: number): string {
  const d = new Date(ms);
  return `${d.toTimeString().slice(0, 8)}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

function size(bytes: number | undefined): string {
  return bytes === undefined ? '' : humanBytes(bytes);
}

function details(e: ChangeEvent): string {
  switch (e.kind) {
    case 'copy-up':
      // What the kernel copied, and what the write that caused it made of it.
      return [
        e.changed === 'none' ? undefined : e.changed,
        e.type === 'dir' ? 'directory' : `${size(e.bytes ?? 0)} copied`,
        e.size === undefined ? undefined : `now ${size(e.size)}`,
      ]
        .filter(Boolean)
        .join(', ');
    case 'delete':
      return e.deleted === 'whiteout' ? 'whiteout' : 'upper only';
    case 'rename':
      return `from ${e.from === undefined ? '?' : printablePath(e.from)}`;
    case 'modify':
      return [e.changed, size(e.bytes)].filter(Boolean).join(', ');
    case 'create':
      return e.type === 'dir' ? 'directory' : e.type === 'file' ? size(e.bytes) : e.type;
    case 'opaque':
      return 'directory deleted and made again';
  }
}

/**
 * The image layer of the lower entry an event copied up or hid, when the
 * container's labels (topmost first) name it: ` from layer 3 (RUN …)` for
 * what came from it, ` over layer 3 (RUN …)` for what a whiteout or an
 * opaque directory hides.
 */
export function eventLayer(e: ChangeEvent, labels: StackLabels): string {
  const layer = lowerPhrase(labels, e.lower);
  if (!layer) return '';
  return e.kind === 'delete' || e.kind === 'opaque' ? ` over ${layer}` : ` from ${layer}`;
}

/**
 * `20:12:01.123 copy-up /etc/passwd (data, 1.2 KiB copied, now 1.3 KiB)  $ echo hi >> /etc/passwd`,
 * with the layer named after the details when the image has several:
 * `... (data, 1.2 KiB copied, now 1.3 KiB) from layer 3 (RUN echo hi >> /etc/passwd)  $ ...`.
 */
export function eventLine(e: ChangeEvent, labels?: StackLabels): string {
  const d = details(e);
  const cmd = e.command ? `  $ ${printableText(e.command)}` : '';
  const layer = eventLayer(e, labels);
  return `${clock(e.time)} ${e.kind.padEnd(7)} ${printablePath(e.path)}${d ? ` (${d})` : ''}${layer}${cmd}`;
}

/**
 * The event as one JSON line: a path that is valid UTF-8 exactly (JSON
 * escapes control characters itself); one that is not, escaped as in
 * eventLine, with its exact bytes in base64 in pathBytes (fromBytes). The
 * lower entry's image layer, when the labels are known, as
 * "layer": {"number", "diffId"} (in place of the lower's index).
 */
export function eventJson(e: ChangeEvent, labels?: StackLabels): string {
  const { lower, ...rest } = e;
  const layer = lowerRef(labels, lower);
  return JSON.stringify(withJsonPaths(layer ? { ...rest, layer } : rest, ['path', 'from']));
}
