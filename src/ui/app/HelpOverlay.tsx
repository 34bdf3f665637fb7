/**
 * `?`: every key, in place of the trees and the feed (of everything but the
 * status lines when the screen is stacked) until a key other than the
 * arrows and pages, which scroll it, is pressed.
 */
import { memo } from 'react';
import { Box, Text } from 'ink';
import { wrapWords } from '../inspector/inspect-model.js';

/** Every key; p is the prefix as written ("C-b", or what --prefix chose). */
function helpLines(p: string): [string, string][] {
  return [
    [`${p} o, ${p} Tab`, `move focus to the next pane (${p} Left/Up: previous)`],
    [`${p} 1 … 5`, 'focus shell, lower, upper, merged, changes'],
    [`${p} ${p}`, `send ${p} itself to the shell`],
    [
      `${p} q, q`,
      'quit: the container is stopped, unmounted and removed (asks first if the shell still runs processes: then q again quits)',
    ],
    [`${p} i, i`, 'inspector: lower and upper versions of the selected path, and why'],
    ['Enter on a file', 'open the inspector on it (Esc or i closes it)'],
    [`${p} k, K`, 'keep upper on exit (the container is stopped, not removed)'],
    [`${p} R, R`, 'restart the container with a fresh upper'],
    [`${p} ?, ?`, 'this help (↑ ↓ PgUp PgDn scroll it, any other key closes it)'],
    ['↑ ↓ PgUp PgDn', 'in the inspector: scroll the data'],
    ['Tab, S-Tab', 'next / previous pane (outside the shell)'],
    ['↑ ↓ j k', 'move the selection (the same path in all three trees)'],
    ['PgUp PgDn Home End', 'move a page, to the top, to the bottom'],
    ['→ l Enter Space', 'expand a directory'],
    ['← h', 'collapse a directory, or go to its parent'],
    ['c', 'show changes only (what upper holds, and where)'],
    [
      '[ ]',
      'image of several layers: the lower pane shows the whole stack or one layer (up / down the layer selector); a layer marks what it did to those below: A added, C changed, D deleted (whiteout), # opaque',
    ],
    ['s', 'whole stack ↔ the layer last shown'],
    ['L', 'merged and upper rows: show the layer each entry comes from (U: upper)'],
    [', .  < >', 'in the inspector: move the compared versions a and b up / down the stack'],
    ['/', 'search by name; Enter keeps it, Esc clears it'],
    ['↑ ↓ in changes', 'select an event: its path is selected in the trees'],
    ['C-c in the shell', 'goes to the shell, as in any terminal'],
  ];
}

/** One drawn line of the help: a key (or '' under a wrapped description) and text. */
export interface HelpRow {
  key: string;
  text: string;
}

/** The help laid out for a width: descriptions wrapped under their own column. */
export function helpRows(width: number, prefix: string): { keyWidth: number; rows: HelpRow[] } {
  const lines = helpLines(prefix);
  const keyWidth = Math.max(...lines.map(([k]) => k.length)) + 2;
  const textWidth = Math.max(10, width - keyWidth - 1);
  const rows: HelpRow[] = [];
  for (const [key, what] of lines) {
    const wrapped = wrapWords(what, textWidth, Number.MAX_SAFE_INTEGER);
    wrapped.forEach((text, i) => rows.push({ key: i === 0 ? key : '', text }));
  }
  return { keyWidth, rows };
}

/** How far the help can scroll at this size. */
export function helpScrollMax(width: number, height: number, prefix: string): number {
  return Math.max(0, helpRows(width, prefix).rows.length - (height - 1));
}

function HelpOverlayView({
  width,
  height,
  prefix,
  scroll = 0,
}: {
  width: number;
  height: number;
  /** The prefix key as written, e.g. "C-b". */
  prefix: string;
  scroll?: number;
}) {
  const { keyWidth, rows } = helpRows(width, prefix);
  const room = Math.max(0, height - 1);
  const top = Math.min(scroll, Math.max(0, rows.length - room));
  const shown = rows.slice(top, top + room);
  const more =
    rows.length > room
      ? `  lines ${top + 1}-${top + shown.length} of ${rows.length}, ↑↓ PgUp PgDn`
      : '';
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text inverse bold wrap="truncate">
        {` keys (any other key closes this)${more}`.padEnd(width)}
      </Text>
      {shown.map((row, i) => (
        <Text key={`${top + i}`} wrap="truncate">
          <Text bold>{` ${row.key.padEnd(keyWidth)}`}</Text>
          {row.text}
        </Text>
      ))}
    </Box>
  );
}

// Drawn again only when its own props change: the store changes for many other reasons.
export const HelpOverlay = memo(HelpOverlayView);
