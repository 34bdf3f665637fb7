/**
 * The one-line legend under the tree panes: each state's mark in its
 * colour, then the word for it, from the same table the panes draw with.
 */
import { memo } from 'react';
import { Box, Text } from 'ink';
import { LEGEND_STATES, ROW_STYLES } from './row-style.js';
import type { RowState } from './tree-rows.js';

export interface LegendProps {
  /** Cells available; the legend is cut (never wrapped) to fit. */
  width: number;
  /** The states explained (default: LEGEND_STATES). */
  states?: readonly RowState[];
}

/** Two spaces between items when they all fit so (a wide screen), else one: 80 columns keep every word. */
function gapFor(width: number, states: readonly RowState[]): string {
  const words = states.map((state) => 2 + ROW_STYLES[state].word.length);
  const needed = (gap: number) => 1 + words.reduce((a, b) => a + b, 0) + gap * (words.length - 1);
  return needed(2) <= width ? '  ' : ' ';
}

function LegendView({ width, states = LEGEND_STATES }: LegendProps) {
  if (width <= 0) return null;
  const gap = gapFor(width, states);
  return (
    <Box width={width} height={1} flexShrink={0}>
      <Text wrap="truncate-end">
        {states.map((state, i) => {
          const style = ROW_STYLES[state];
          return (
            <Text key={state}>
              {i === 0 ? ' ' : gap}
              <Text dimColor={style.dim === true} {...(style.color ? { color: style.color } : {})}>
                {style.mark}
              </Text>
              <Text dimColor={style.dim === true}> {style.word}</Text>
            </Text>
          );
        })}
      </Text>
    </Box>
  );
}

// Drawn again only when its own props change: the store changes for many other reasons.
export const Legend = memo(LegendView);
