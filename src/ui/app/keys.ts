/**
 * What a key does when a pane other than the terminal has focus, and what
 * the key after the prefix (C-b) does anywhere. Works on the store's state
 * and actions only, so it is tested without a screen.
 */
import type { AppState, PaneId } from '../store/app-store.js';
import { PANE_ORDER } from '../store/app-store.js';
import { moveSelection } from '../trees/tree-keys.js';
import type { TreeRow } from '../trees/tree-rows.js';

const PANE_BY_DIGIT: Record<string, PaneId> = Object.fromEntries(
  PANE_ORDER.map((pane, i) => [String(i + 1), pane]),
);

/** The key after the prefix. Returns true if it was a command. */
export function prefixCommand(s: AppState, key: string): boolean {
  const pane = PANE_BY_DIGIT[key];
  if (pane) s.focusPane(pane);
  else if (key === 'o' || key === 'Tab' || key === 'Right' || key === 'Down') s.cycleFocus(1);
  else if (key === 'BTab' || key === 'Left' || key === 'Up') s.cycleFocus(-1);
  else if (key === 'q') s.quit();
  else if (key === '?') s.setHelp(!s.help);
  else if (key === 'c') s.setChangesOnly(!s.changesOnly);
  else if (key === 'i') s.toggleInspector();
  else if (key === 'k') s.toggleKeep();
  else if (key === 'R') s.restart();
  else return false;
  return true;
}

function searchKey(s: AppState, key: string): void {
  if (key === 'Enter') s.setSearch(s.search, false);
  else if (key === 'Escape') s.setSearch('', false);
  else if (key === 'BSpace') s.setSearch(s.search.slice(0, -1), true);
  else if ([...key].length === 1) s.setSearch(s.search + key, true);
}

const TREE_KEYS: Record<string, string> = {
  Up: 'up',
  k: 'up',
  Down: 'down',
  j: 'down',
  PageUp: 'pageup',
  PageDown: 'pagedown',
  Home: 'home',
  End: 'end',
  Left: 'left',
  h: 'left',
  Right: 'right',
  l: 'right',
  Enter: 'enter',
  Space: 'space',
};

const SCROLL_KEYS: Record<string, 'line' | 'page' | 'end'> = {
  Up: 'line',
  k: 'line',
  Down: 'line',
  j: 'line',
  PageUp: 'page',
  PageDown: 'page',
  Home: 'end',
  End: 'end',
};

/** Scrolls the help or the inspector's data; false if key does not scroll. */
function scrollKey(s: AppState, key: string, page: number, max: number): boolean {
  const kind = SCROLL_KEYS[key];
  if (!kind) return false;
  const back = key === 'Up' || key === 'k' || key === 'PageUp' || key === 'Home';
  const step = kind === 'line' ? 1 : kind === 'page' ? page : max;
  const next = Math.max(0, Math.min(max, Math.min(s.scroll, max) + (back ? -step : step)));
  if (next !== s.scroll) s.setScroll(next);
  return true;
}

/**
 * The layer keys (an image of several layers): the lower pane's layer
 * selector, the layer column, and, with the inspector open, the two
 * versions it compares. True if key was one.
 */
function layerKey(s: AppState, key: string): boolean {
  if (key === ']') s.selectLayer(1);
  else if (key === '[') s.selectLayer(-1);
  else if (key === 's') s.toggleStackView();
  else if (key === 'L') s.toggleLayerColumn();
  else if (s.inspector && (key === ',' || key === '.')) s.moveVersion('from', key === '.' ? 1 : -1);
  else if (s.inspector && (key === '<' || key === '>')) s.moveVersion('to', key === '>' ? 1 : -1);
  else return false;
  return true;
}

/**
 * A key for a tree pane or the feed (rows: the focused tree's rows;
 * scrollMax: how far the help, or the inspector's data, can scroll).
 */
export function paneKey(
  s: AppState,
  key: string,
  rows: readonly TreeRow[],
  page: number,
  scrollMax = 0,
): void {
  if (s.help) {
    // The arrows and pages scroll it; any other key closes it.
    if (!scrollKey(s, key, page, scrollMax)) s.setHelp(false);
    return;
  }
  if (s.searching) return searchKey(s, key);
  if (key === 'Tab') return s.cycleFocus(1);
  if (key === 'BTab') return s.cycleFocus(-1);
  if (key === '?') return s.setHelp(true);
  if (key === 'c') return s.setChangesOnly(!s.changesOnly);
  if (key === '/') return s.setSearch('', true);
  if (key === 'Escape' && s.search) return s.setSearch('', false);
  if (key === 'q') return s.quit();
  if (key === 'i') return s.toggleInspector();
  if (key === 'Escape' && s.inspector) return s.toggleInspector();
  // Plain k is "up" in the panes (vi keys): keep is K here, C-b k anywhere.
  if (key === 'K') return s.toggleKeep();
  if (key === 'R') return s.restart();
  if (layerKey(s, key)) return;
  if (s.focus === 'feed' && s.inspector) {
    scrollKey(s, key, page, scrollMax);
    return;
  }
  if (s.focus === 'feed') {
    if (key === 'Up' || key === 'k') s.selectEvent(s.feedIndex - 1);
    else if (key === 'Down' || key === 'j') s.selectEvent(s.feedIndex + 1);
    else if (key === 'Home') s.selectEvent(0);
    else if (key === 'End') s.selectEvent(s.events.length - 1);
    else if (key === 'Enter') s.selectEvent(s.feedIndex);
    return;
  }
  const move = TREE_KEYS[key];
  if (!move) return;
  const result = moveSelection(rows, s.selected, move, page);
  if (result.toggle !== undefined) s.toggle(result.toggle);
  if (result.selected !== s.selected) s.select(result.selected);
  // Enter on what is not a directory has nothing to expand: it opens the inspector.
  if (key !== 'Enter') return;
  const row = rows.find((r) => r.path === result.selected);
  if (row && !row.expandable) s.openInspector();
}
