/**
 * One line: image, container, mount options, pid, upper size (and whether
 * it is kept on exit); a notice or a question takes its place while there
 * is one. The key legend goes below it.
 */
import { memo } from 'react';
import { Box, Text } from 'ink';
import type { StatusInfo } from '../store/app-store.js';
import { humanBytes } from '../../engine/human-bytes.js';

export interface StatusBarProps {
  status: StatusInfo;
  upperBytes: number;
  keepUpper: boolean;
  notice?: string | undefined;
  width: number;
}

function StatusBarView({ status, upperBytes, keepUpper, notice, width }: StatusBarProps) {
  if (notice !== undefined) {
    return (
      <Box width={width}>
        <Text inverse bold color="yellow" wrap="truncate">
          {` ${notice}`.padEnd(width)}
        </Text>
      </Box>
    );
  }
  const parts = [
    `image ${status.image}`,
    `container ${status.id}`,
    status.pid !== undefined ? `pid ${status.pid}` : undefined,
    `upper ${humanBytes(upperBytes)}${keepUpper ? ' (kept on exit)' : ''}`,
    `overlay ${status.mountOptions}`,
  ].filter((p) => p !== undefined);
  return (
    <Box width={width}>
      <Text inverse wrap="truncate">
        {` ${parts.join('  ·  ')}`.padEnd(width)}
      </Text>
    </Box>
  );
}

/** The one-line key legend; prefix as written, e.g. "C-b". */
export function keyLegend(prefix: string): string {
  const p = prefix;
  return `${p} o focus · ${p} 1-5 pane · Tab next · ↑↓ move · ←→ fold · i inspect · c changes only · / search · ? help · ${p} k keep · ${p} R restart · ${p} q quit`;
}

function KeyLegendView({ width, prefix }: { width: number; prefix: string }) {
  return (
    <Text dimColor wrap="truncate">
      {` ${keyLegend(prefix)}`.padEnd(width)}
    </Text>
  );
}

// Drawn again only when its own props change: the store changes for many other reasons.
export const StatusBar = memo(StatusBarView);

// Drawn again only when its own props change: the store changes for many other reasons.
export const KeyLegend = memo(KeyLegendView);
