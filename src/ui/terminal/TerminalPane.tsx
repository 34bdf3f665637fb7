/**
 * Draws a TerminalScreen's viewport: one Ink row per terminal row, one
 * nested <Text> per styled run. Re-renders only when the screen publishes
 * a frame (throttled there), never per byte of output.
 *
 * The pane's size is the terminal's size: it resizes the screen to
 * width x height (attachPty passes that on to the pty). Until the resize
 * lands it clips or pads, so it always covers exactly width x height.
 */
import { useEffect, useSyncExternalStore } from 'react';
import { Box, Text } from 'ink';
import type { TextProps } from 'ink';
import type { TerminalScreen } from './terminal-screen.js';
import type { CellRun } from './snapshot.js';

export interface TerminalPaneProps {
  screen: TerminalScreen;
  width: number;
  height: number;
  /** The cursor is drawn (as an inverted cell) only while the pane has focus. */
  focused: boolean;
}

function runProps(run: CellRun, showCursor: boolean): TextProps {
  const props: TextProps = {
    bold: run.bold,
    dimColor: run.dim,
    italic: run.italic,
    underline: run.underline,
    strikethrough: run.strikethrough,
    // A block cursor is the cell with foreground and background swapped.
    inverse: run.inverse !== (showCursor && run.cursor),
  };
  return {
    ...props,
    ...(run.fg === undefined ? {} : { color: run.fg }),
    ...(run.bg === undefined ? {} : { backgroundColor: run.bg }),
  };
}

export function TerminalPane({ screen, width, height, focused }: TerminalPaneProps) {
  const frame = useSyncExternalStore(screen.onFrame, screen.getFrame);

  useEffect(() => {
    screen.resize(width, height);
  }, [screen, width, height]);

  return (
    <Box width={width} height={height} flexDirection="column" flexShrink={0}>
      {frame.lines.slice(0, height).map((runs, y) => (
        // Rows have no identity beyond their position.
        <Box key={y} width={frame.cols} height={1} flexShrink={0}>
          {/* truncate, not wrap: should a glyph's width differ between xterm
              and Ink's string-width, the row still stays one line high. */}
          <Text wrap="truncate-end">
            {runs.map((run, i) => (
              <Text key={i} {...runProps(run, focused && frame.cursor.visible)}>
                {run.text}
              </Text>
            ))}
          </Text>
        </Box>
      ))}
    </Box>
  );
}
