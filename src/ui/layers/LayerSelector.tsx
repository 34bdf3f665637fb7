/**
 * The layer selector at the top of the lower pane: the whole stack and
 * each layer (number, created_by, entries, size), the chosen one marked,
 * a window of `height` lines around it. Draws what it is given.
 */
import { memo } from 'react';
import { Box, Text } from 'ink';
import { fitCells, printable } from '../trees/row-layout.js';
import { selectorWindow, type LowerView, type StackLayer } from './stack-layers.js';

export interface LayerSelectorProps {
  stack: readonly StackLayer[];
  view: LowerView;
  width: number;
  height: number;
}

function LayerSelectorView({ stack, view, width, height }: LayerSelectorProps) {
  if (height <= 0 || width <= 0) return null;
  const lines = selectorWindow(stack, view, height);
  return (
    <Box flexDirection="column" width={width} height={height} flexShrink={0}>
      {lines.map((line, i) => (
        <Text key={`l${i}`} wrap="truncate-end" bold={line.current} dimColor={!line.current}>
          {fitCells(`${line.current ? '▸' : ' '}${printable(line.text)}`, width - 1)}{' '}
        </Text>
      ))}
    </Box>
  );
}

// Drawn again only when its own props change: the store changes for many other reasons.
export const LayerSelector = memo(LayerSelectorView);
