/**
 * Draws a terminal emulator's viewport (a ScreenSurface): one Ink row per terminal row, one
 * nested <Text> per styled run. Re-renders only when the screen publishes
 * a frame (throttled there), never per byte of output.
 *
 * The pane's size is the terminal's size: it resizes the screen to
 * width x height (attachPty passes that on to the pty). Until the resize
 * lands it clips or pads, so it always covers exactly width x height.
 */
import { memo, useEffect, useSyncExternalStore } from 'react';
import { Box, Text } from 'ink';
import type { TextProps } from 'ink';
import type { ScreenSurface } from './screen-surface.js';
import type { CellRun } from './snapshot.js';

export interface TerminalPaneProps {
  screen: ScreenSurface;
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

/** A run that draws nothing but default blanks (Ink's screen starts out as spaces). */
function isPlainBlank(run: CellRun, showCursor: boolean): boolean {
  return (
    run.bg === undefined &&
    !run.inverse &&
    !run.underline &&
    !run.strikethrough &&
    !(showCursor && run.cursor) &&
    run.text.trim() === ''
  );
}

/**
 * The row without its trailing default blanks: Ink re-reads every character
 * it is given on every frame, and a shell's lines are mostly blank.
 */
export function visibleRuns(runs: readonly CellRun[], showCursor: boolean): readonly CellRun[] {
  let end = runs.length;
  while (end > 0 && isPlainBlank(runs[end - 1] as CellRun, showCursor)) end--;
  return end === runs.length ? runs : runs.slice(0, end);
}

function TerminalPaneView({ screen, width, height, focused }: TerminalPaneProps) {
  const frame = useSyncExternalStore(screen.onFrame, screen.getFrame);
  const showCursor = focused && frame.cursor.visible;

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
            {visibleRuns(runs, showCursor).map((run, i) => (
              <Text key={i} {...runProps(run, showCursor)}>
                {run.text}
              </Text>
            ))}
          </Text>
        </Box>
      ))}
    </Box>
  );
}

// Drawn again only when its own props change: the store changes for many other reasons.
export const TerminalPane = memo(TerminalPaneView);
