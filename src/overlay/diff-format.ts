/**
 * `docker diff` letters and the overlay reason for each upper entry. Pure.
 *
 *   A  added: the path is in upper only
 *   C  changed: the path is in both upper and a lower (directories too)
 *   D  deleted: a whiteout hides the lower path
 */
import type { UpperChange } from './classify-upper.js';
import { lowerPhrase, lowerRef, type StackLabels } from './lower-label.js';
import { printablePath, withJsonPaths } from './printable-path.js';

export type DiffLetter = 'A' | 'C' | 'D';

export function diffLetter(c: UpperChange): DiffLetter {
  if (c.kind === 'whiteout') return 'D';
  return c.lower?.path === c.path ? 'C' : 'A';
}

/** `metadata (mode, owner)`, or undefined when no metadata of the entry's own changed. */
function metadataChange(c: UpperChange): string | undefined {
  const ch = c.changes;
  if (!ch) return undefined;
  // A directory's mtime moves with every entry added or removed in it: not
  // a change of its own.
  const times = ch.mtime && c.type !== 'dir';
  const meta = [ch.mode && 'mode', ch.owner && 'owner', times && 'times'].filter(Boolean);
  return meta.length > 0 ? `metadata (${meta.join(', ')})` : undefined;
}

function copyUpReason(c: UpperChange): string {
  const ch = c.changes;
  const meta = metadataChange(c);
  // A directory is copied up for whatever changed under it; say so, and
  // what changed on it too (chmod, chown) when something did.
  if (c.type === 'dir') return `copy-up: directory${meta ? `, ${meta}` : ''}`;
  if (!ch) return 'copy-up';
  if (ch.data === 'changed') return 'copy-up: data';
  if (ch.data === 'unknown') return 'copy-up: data (same size, written)';
  return `copy-up: ${meta ?? 'unchanged'}`;
}

/**
 * One short reason, in overlayfs's terms, naming the image layer of the
 * lower entry involved when the labels say which (lower-label.ts).
 */
function diffReason(c: UpperChange, labels: StackLabels): string {
  const layer = lowerPhrase(labels, c.lower?.layer);
  const from = layer ? `, from ${layer}` : '';
  const over = layer ? ` over ${layer}` : '';
  switch (c.kind) {
    case 'whiteout':
      return `whiteout${over}`;
    case 'opaque':
      return `opaque (deleted and made again)${over}`;
    case 'redirected':
      return `redirect: ${c.redirect === undefined ? '?' : printablePath(c.redirect)}${from}`;
    case 'metacopy':
      return `metacopy (data still in lower)${from}`;
    case 'copied-up':
      return copyUpReason(c) + (c.opaque ? ', opaque' : '') + from;
    case 'new':
      if (c.originPath !== undefined) return `new: a copy of lower ${printablePath(c.originPath)}`;
      if (c.lower)
        return layer
          ? `new: replaces a ${c.lower.type} of ${layer}`
          : `new: replaces a lower ${c.lower.type}`;
      return 'new';
  }
}

/**
 * `C /etc/passwd   copy-up: data`, the path escaped (printable-path.ts): one
 * line whatever the name; with the container's labels (topmost first) and
 * more than one layer, `..., from layer 3 (RUN echo hi >> /etc/passwd)`.
 */
export function diffLine(c: UpperChange, labels?: StackLabels): string {
  return `${diffLetter(c)} ${printablePath(c.path)}   ${diffReason(c, labels)}`;
}

/**
 * The entry for `diff --json`: its letter and classification, paths as
 * withJsonPaths writes them; the lower entry's image layer (number and
 * diffId) when the labels are known.
 */
export function diffJson(c: UpperChange, labels?: StackLabels): object {
  const row = withJsonPaths({ letter: diffLetter(c), ...c }, ['path', 'redirect', 'originPath']);
  if (!c.lower) return row;
  const ref = lowerRef(labels, c.lower.layer);
  const lower = withJsonPaths(c.lower, ['path']);
  return { ...row, lower: ref ? { ...lower, number: ref.number, diffId: ref.diffId } : lower };
}
