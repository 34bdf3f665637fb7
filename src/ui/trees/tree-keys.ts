/**
 * What a key does in a tree pane, as a pure function of the rows and the
 * selected path: the new selection, and which directory to expand or
 * collapse (the caller owns the expanded set and loads what it expands).
 */
import { parentPath } from '../../overlay/index.js';
import type { TreeRow } from './tree-rows.js';

export type TreeKey =
  | 'up'
  | 'down'
  | 'pageup'
  | 'pagedown'
  | 'home'
  | 'end'
  | 'left'
  | 'right'
  | 'enter'
  | 'space';

export interface TreeMove {
  selected: string;
  /** A directory to expand or collapse (toggle its place in the expanded set). */
  toggle?: string;
}

/** The selected path's closest ancestor among the rows, else the first row. */
function nearest(rows: readonly TreeRow[], selected: string): string {
  const paths = new Set(rows.map((r) => r.path));
  for (let p = parentPath(selected); p !== '/'; p = parentPath(p)) if (paths.has(p)) return p;
  return rows[0]?.path ?? selected;
}

/**
 * `key` is one of TreeKey; any other string changes nothing (the app's key
 * table maps keys to names as plain strings). `page`: rows per page.
 * A selection that is not among the rows (collapsed or filtered away, or
 * selected in another pane that has it) snaps, on any key, to its closest
 * ancestor that is a row, else to the first row.
 */
export function moveSelection(
  rows: readonly TreeRow[],
  selected: string,
  key: TreeKey | (string & {}),
  page = 10,
): TreeMove {
  const last = rows.length - 1;
  if (last < 0) return { selected };
  const index = rows.findIndex((r) => r.path === selected);
  const row = rows[index];
  if (!row) return { selected: nearest(rows, selected) };
  const to = (i: number): TreeMove => ({
    selected: rows[Math.max(0, Math.min(last, i))]?.path ?? selected,
  });
  switch (key) {
    case 'up':
      return to(index - 1);
    case 'down':
      return to(index + 1);
    case 'pageup':
      return to(index - Math.max(1, page));
    case 'pagedown':
      return to(index + Math.max(1, page));
    case 'home':
      return to(0);
    case 'end':
      return to(last);
    case 'left': {
      if (row.expandable && row.expanded) return { selected, toggle: selected };
      // Ancestors of a row are always rows too; a top-level row stays put.
      const parent = parentPath(selected);
      return { selected: rows.some((r) => r.path === parent) ? parent : selected };
    }
    case 'right': {
      if (!row.expandable) return { selected };
      if (!row.expanded) return { selected, toggle: selected };
      const child = rows[index + 1];
      return { selected: child && child.depth > row.depth ? child.path : selected };
    }
    case 'enter':
    case 'space':
      // The Enter and Space expand and collapse: a toggle.
      return row.expandable ? { selected, toggle: selected } : { selected };
    default:
      return { selected };
  }
}
