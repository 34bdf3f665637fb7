/**
 * One line: image, container, mount options, pid, upper size (and whether
 * it is kept on exit); a notice or a question takes its place while there
 * is one. The key legend goes below it.
 */
import { memo } from 'react';
import { Box, Text } from 'ink';
import type { StatusInfo } from '../store/app-store.js';
import type { CgroupUsage } from '../../engine/cgroup/usage.js';
import { humanBytes } from '../../engine/human-bytes.js';
import { safeLine } from '../../overlay/printable-path.js';

export interface StatusBarProps {
  status: StatusInfo;
  upperBytes: number;
  keepUpper: boolean;
  notice?: string | undefined;
  width: number;
  usage?: CgroupUsage | undefined;
}

/** `mem 3.1 MiB/64 MiB · pids 2/4096`, and the OOM kills once there are any. */
export function usageText(u: CgroupUsage): string {
  const of = (n: string, limit: string | undefined) => (limit === undefined ? n : `${n}/${limit}`);
  const parts = [
    ...(u.memoryBytes !== undefined
      ? [
          `mem ${of(humanBytes(u.memoryBytes), u.memoryLimit !== undefined ? humanBytes(u.memoryLimit) : undefined)}`,
        ]
      : []),
    `pids ${of(String(u.pids), u.pidsLimit !== undefined ? String(u.pidsLimit) : undefined)}`,
    ...(u.oomKills > 0 ? [`OOM-killed ${u.oomKills}`] : []),
  ];
  return parts.join(' · ');
}

function StatusBarView({ status, upperBytes, keepUpper, notice, width, usage }: StatusBarProps) {
  if (notice !== undefined) {
    return (
      <Box width={width}>
        <Text inverse bold color="yellow" wrap="truncate">
          {` ${safeLine(notice)}`.padEnd(width)}
        </Text>
      </Box>
    );
  }
  const parts = [
    `image ${safeLine(status.image)}`,
    `container ${status.id}`,
    status.pid !== undefined ? `pid ${status.pid}` : undefined,
    usage ? usageText(usage) : undefined,
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

/**
 * The one-line key legend, the keys most needed first, as many as fit the
 * width whole (at 80 columns the last ones go, never help and quit); prefix
 * as written, e.g. "C-b".
 */
export function keyLegend(
  prefix: string,
  width = Number.MAX_SAFE_INTEGER,
  layered = false,
): string {
  const p = prefix;
  const items = [
    `${p} ? help`,
    `${p} q quit`,
    `${p} o focus`,
    'Tab next',
    '↑↓ move',
    '←→ fold',
    ...(layered ? ['[ ] layer', 's stack'] : []),
    'i inspect',
    'c changes only',
    '/ search',
    `${p} 1-5 pane`,
    `${p} k keep`,
    `${p} R restart`,
  ];
  let line = '';
  for (const item of items) {
    const next = line === '' ? item : `${line} · ${item}`;
    if (next.length + 1 > width) break; // +1: the leading space
    line = next;
  }
  return line;
}

function KeyLegendView({
  width,
  prefix,
  layered = false,
}: {
  width: number;
  prefix: string;
  /** An image of several layers: the layer keys too. */
  layered?: boolean;
}) {
  return (
    <Text dimColor wrap="truncate">
      {` ${keyLegend(prefix, width, layered)}`.padEnd(width)}
    </Text>
  );
}

// Drawn again only when its own props change: the store changes for many other reasons.
export const StatusBar = memo(StatusBarView);

// Drawn again only when its own props change: the store changes for many other reasons.
export const KeyLegend = memo(KeyLegendView);
