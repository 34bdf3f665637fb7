/** The event feed: newest first, grouped under the command that caused them. */
import { Box, Text } from 'ink';
import { memo, useMemo } from 'react';
import type { ChangeEvent, StackLabels } from '../../overlay/index.js';
import { eventText, feedLines } from './feed-lines.js';

export interface FeedPaneProps {
  events: readonly ChangeEvent[];
  /** The container's layers, topmost first: the rows name the layer a copy-up came from. */
  labels?: StackLabels;
  selected: number;
  focused: boolean;
  width: number;
  height: number;
}

const KIND_COLOR: Record<string, string> = {
  'copy-up': 'yellow',
  create: 'green',
  modify: 'cyan',
  delete: 'red',
  opaque: 'magenta',
  rename: 'blue',
};

function clock(ms: number): string {
  return new Date(ms).toTimeString().slice(0, 8);
}

function FeedPaneView({ events, labels, selected, focused, width, height }: FeedPaneProps) {
  const lines = useMemo(() => feedLines(events), [events]);
  const rows = height - 1;
  const at = lines.findIndex((l) => l.kind === 'event' && l.index === selected);
  const start = Math.max(0, Math.min(at - Math.floor(rows / 2), lines.length - rows));
  const visible = lines.slice(start, start + rows);
  const title = ` changes (${events.length})`;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text inverse={focused} bold wrap="truncate">
        {title.padEnd(width)}
      </Text>
      {visible.length === 0 ? (
        <Text dimColor wrap="truncate">
          {' type in the shell: copy-ups, new files and whiteouts appear here'}
        </Text>
      ) : null}
      {visible.map((line, i) =>
        line.kind === 'command' ? (
          <Text key={`c${start + i}`} bold wrap="truncate">
            {` ${line.text}`}
          </Text>
        ) : (
          <Text
            key={`e${line.index}`}
            wrap="truncate"
            inverse={focused && line.index === selected}
            color={KIND_COLOR[line.event.kind] ?? 'white'}
          >
            {`   ${clock(line.event.time)} ${eventText(line.event, labels)}`}
          </Text>
        ),
      )}
    </Box>
  );
}

// Drawn again only when its own props change: the store changes for many other reasons.
export const FeedPane = memo(FeedPaneView);
