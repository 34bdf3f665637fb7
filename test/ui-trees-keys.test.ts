/**
 * moveSelection: what each key does to the selection and the expanded set
 * of a tree pane, on hand-made rows.
 */
import { describe, expect, it } from 'vitest';
import { moveSelection, type TreeKey } from '../src/ui/trees/tree-keys.js';
import type { TreeRow } from '../src/ui/trees/tree-rows.js';

function row(path: string, dir: 'open' | 'shut' | false = false): TreeRow {
  return {
    path,
    name: path.slice(path.lastIndexOf('/') + 1),
    depth: path.split('/').length - 2,
    type: dir ? 'dir' : 'file',
    expandable: dir !== false,
    expanded: dir === 'open',
    state: 'visible',
  };
}

// bin/ (shut), etc/ (open: passwd, ssl/ (open: cert)), opt/ (open, empty), profile
const rows = [
  row('/bin', 'shut'),
  row('/etc', 'open'),
  row('/etc/ssl', 'open'),
  row('/etc/ssl/cert'),
  row('/etc/passwd'),
  row('/opt', 'open'),
  row('/profile'),
];

const press = (selected: string, key: TreeKey, page?: number) =>
  moveSelection(rows, selected, key, page);

describe('moveSelection', () => {
  it('moves up and down, a page, or to either end, and stops at the ends', () => {
    expect(press('/etc', 'down')).toEqual({ selected: '/etc/ssl' });
    expect(press('/etc', 'up')).toEqual({ selected: '/bin' });
    expect(press('/bin', 'up')).toEqual({ selected: '/bin' });
    expect(press('/profile', 'down')).toEqual({ selected: '/profile' });
    expect(press('/bin', 'pagedown', 3)).toEqual({ selected: '/etc/ssl/cert' });
    expect(press('/etc/passwd', 'pageup', 3)).toEqual({ selected: '/etc' });
    expect(press('/etc', 'pagedown', 100)).toEqual({ selected: '/profile' });
    expect(press('/etc/ssl', 'home')).toEqual({ selected: '/bin' });
    expect(press('/etc/ssl', 'end')).toEqual({ selected: '/profile' });
  });

  it('left collapses an expanded directory, else goes to the parent', () => {
    expect(press('/etc/ssl', 'left')).toEqual({ selected: '/etc/ssl', toggle: '/etc/ssl' });
    expect(press('/etc/ssl/cert', 'left')).toEqual({ selected: '/etc/ssl' });
    expect(press('/etc/passwd', 'left')).toEqual({ selected: '/etc' });
    expect(press('/bin', 'left')).toEqual({ selected: '/bin' });
    expect(press('/profile', 'left')).toEqual({ selected: '/profile' });
  });

  it('right expands a directory, or enters an expanded one', () => {
    expect(press('/bin', 'right')).toEqual({ selected: '/bin', toggle: '/bin' });
    expect(press('/etc', 'right')).toEqual({ selected: '/etc/ssl' });
    // Expanded but empty: nothing to enter.
    expect(press('/opt', 'right')).toEqual({ selected: '/opt' });
    expect(press('/profile', 'right')).toEqual({ selected: '/profile' });
  });

  it('enter and space toggle a directory and do nothing on a file', () => {
    for (const key of ['enter', 'space'] as const) {
      expect(press('/bin', key)).toEqual({ selected: '/bin', toggle: '/bin' });
      expect(press('/etc', key)).toEqual({ selected: '/etc', toggle: '/etc' });
      expect(press('/etc/passwd', key)).toEqual({ selected: '/etc/passwd' });
    }
  });

  it('snaps a selection the pane does not have to its closest ancestor row, or the first', () => {
    expect(press('/etc/ssl/gone/deeper', 'down')).toEqual({ selected: '/etc/ssl' });
    expect(press('/gone', 'down')).toEqual({ selected: '/bin' });
    expect(moveSelection([], '/etc', 'down')).toEqual({ selected: '/etc' });
    expect(moveSelection(rows, '/etc', 'unknown-key')).toEqual({ selected: '/etc' });
  });
});
