/** `?`: every key, in place of the trees and the feed until a key is pressed. */
import { Box, Text } from 'ink';

export const HELP_LINES: [string, string][] = [
  ['C-b o, C-b Tab', 'move focus to the next pane (C-b Left/Up: previous)'],
  ['C-b 1 … 5', 'focus shell, lower, upper, merged, changes'],
  ['C-b C-b', 'send C-b itself to the shell'],
  ['C-b q, q', 'quit: the container is stopped, unmounted and removed (asks first if'],
  ['', '  the shell still runs processes: then q again quits)'],
  ['C-b i, i', 'inspector: lower and upper versions of the selected path, and why'],
  ['Enter on a file', 'open the inspector on it (Esc or i closes it)'],
  ['C-b k, K', 'keep upper on exit (the container is stopped, not removed)'],
  ['C-b R, R', 'restart the container with a fresh upper'],
  ['C-b ?, ?', 'this help (any key closes it)'],
  ['Tab, S-Tab', 'next / previous pane (outside the shell)'],
  ['↑ ↓ j k', 'move the selection (the same path in all three trees)'],
  ['PgUp PgDn Home End', 'move a page, to the top, to the bottom'],
  ['→ l Enter Space', 'expand a directory'],
  ['← h', 'collapse a directory, or go to its parent'],
  ['c', 'show changes only (what upper holds, and where)'],
  ['/', 'search by name; Enter keeps it, Esc clears it'],
  ['↑ ↓ in changes', 'select an event: its path is selected in the trees'],
  ['C-c in the shell', 'goes to the shell, as in any terminal'],
];

export function HelpOverlay({ width, height }: { width: number; height: number }) {
  const keyWidth = Math.max(...HELP_LINES.map(([k]) => k.length)) + 2;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text inverse bold wrap="truncate">
        {' keys'.padEnd(width)}
      </Text>
      {HELP_LINES.slice(0, height - 1).map(([key, what]) => (
        <Text key={`${key}:${what}`} wrap="truncate">
          <Text bold>{` ${key.padEnd(keyWidth)}`}</Text>
          {what}
        </Text>
      ))}
    </Box>
  );
}
