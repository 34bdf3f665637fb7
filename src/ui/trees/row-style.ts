/**
 * How each row state looks: a one-cell mark and a colour. Defined once so
 * that the panes and the legend can never disagree; shadowed and hidden are
 * dimmed instead of coloured, because they are what the merged view no
 * longer shows.
 */
import type { RowState } from './tree-rows.js';

export interface RowStyle {
  /** One terminal cell, so that every row's name starts in the same column. */
  mark: string;
  /** An Ink colour name; absent: the terminal's default. */
  color?: string;
  dim?: boolean;
  /** The word the legend uses (the words). */
  word: string;
}

export const ROW_STYLES: Readonly<Record<RowState, RowStyle>> = {
  new: { mark: '+', color: 'green', word: 'new' },
  'copied-up': { mark: '^', color: 'yellow', word: 'copied-up' },
  metadata: { mark: '~', color: 'cyan', word: 'metadata' },
  whiteout: { mark: '✗', color: 'red', word: 'whiteout' },
  opaque: { mark: '#', color: 'magenta', word: 'opaque' },
  redirect: { mark: '→', color: 'blue', word: 'redirect' },
  metacopy: { mark: '%', color: 'cyan', word: 'metacopy' },
  shadowed: { mark: '-', dim: true, word: 'shadowed' },
  hidden: { mark: '·', dim: true, word: 'hidden' },
  visible: { mark: ' ', word: 'visible' },
  'from-upper': { mark: '*', color: 'white', word: 'from upper' },
  'from-lower': { mark: ' ', word: 'from lower' },
  // docker diff's letters, for one layer of several.
  added: { mark: 'A', color: 'green', word: 'added' },
  changed: { mark: 'C', color: 'yellow', word: 'changed' },
  deleted: { mark: 'D', color: 'red', word: 'deleted' },
};

/** The states the legend explains, in the order. */
export const LEGEND_STATES: readonly RowState[] = [
  'new',
  'copied-up',
  'metadata',
  'whiteout',
  'opaque',
  'redirect',
  'shadowed',
  'hidden',
];

/** With one layer of several in the lower pane: what that layer did, after upper's states. */
export const LAYER_LEGEND_STATES: readonly RowState[] = [
  'new',
  'copied-up',
  'metadata',
  'whiteout',
  'opaque',
  'redirect',
  'added',
  'changed',
  'deleted',
  'shadowed',
  'hidden',
];
