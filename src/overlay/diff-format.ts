/**
 * `docker diff` letters and the overlay reason for each upper entry. Pure.
 *
 *   A  added: the path is in upper only
 *   C  changed: the path is in both upper and a lower (directories too)
 *   D  deleted: a whiteout hides the lower path
 */
import type { UpperChange } from './classify-upper.js';
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

/** One short reason, in overlayfs's terms. */
function diffReason(c: UpperChange): string {
  switch (c.kind) {
    case 'whiteout':
      return 'whiteout';
    case 'opaque':
      return 'opaque (deleted and made again)';
    case 'redirected':
      return `redirect: ${c.redirect === undefined ? '?' : printablePath(c.redirect)}`;
    case 'metacopy':
      return 'metacopy (data still in lower)';
    case 'copied-up':
      return copyUpReason(c) + (c.opaque ? ', opaque' : '');
    case 'new':
      if (c.originPath !== undefined) return `new: a copy of lower ${printablePath(c.originPath)}`;
      if (c.lower) return `new: replaces a lower ${c.lower.type}`;
      return 'new';
  }
}

/** `C /etc/passwd   copy-up: data`, the path escaped (printable-path.ts): one line whatever the name. */
export function diffLine(c: UpperChange): string {
  return `${diffLetter(c)} ${printablePath(c.path)}   ${diffReason(c)}`;
}

/** The entry for `diff --json`: its letter and classification, paths as withJsonPaths writes them. */
export function diffJson(c: UpperChange): object {
  const row = withJsonPaths({ letter: diffLetter(c), ...c }, ['path', 'redirect', 'originPath']);
  return c.lower ? { ...row, lower: withJsonPaths(c.lower, ['path']) } : row;
}
