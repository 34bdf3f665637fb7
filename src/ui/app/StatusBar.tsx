/** One line: image, container, mount options, pid, upper size; and the key legend below it. */
import { Box, Text } from 'ink';
import type { StatusInfo } from '../store/app-store.js';
import { humanSize } from './feed-lines.js';

export function StatusBar({
  status,
  upperBytes,
  width,
}: {
  status: StatusInfo;
  upperBytes: number;
  width: number;
}) {
  const parts = [
    `image ${status.image}`,
    `container ${status.id}`,
    status.pid !== undefined ? `pid ${status.pid}` : undefined,
    `upper ${humanSize(upperBytes)}`,
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

export const KEY_LEGEND =
  'C-b o focus · C-b 1-5 pane · Tab next · ↑↓ move · ←→ fold · c changes only · / search · ? help · C-b q quit';

export function KeyLegend({ width }: { width: number }) {
  return (
    <Text dimColor wrap="truncate">
      {` ${KEY_LEGEND}`.padEnd(width)}
    </Text>
  );
}
