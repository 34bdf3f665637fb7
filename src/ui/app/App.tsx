/**
 * The screen: the shell's terminal pane, the lower, upper and merged trees,
 * the event feed (or the inspector in its place), a status bar and a key
 * legend. Reads the store; keys go to the shell as raw bytes while it has
 * focus, else to the store's actions.
 */
import { Box, Text, useStdout } from 'ink';
import { useEffect, useMemo, useState } from 'react';
import { useStore } from 'zustand';
import type { AppStore } from '../store/app-store.js';
import { useRawInput } from '../input/use-raw-input.js';
import { splitKeys } from '../input/split-keys.js';
import { TerminalPane } from '../terminal/TerminalPane.js';
import type { ScreenSurface } from '../terminal/screen-surface.js';
import { TreePane } from '../trees/TreePane.js';
import { Legend } from '../trees/Legend.js';
import { paneRows, type PaneKind } from '../trees/tree-rows.js';
import { computeLayout, MIN_COLS, MIN_ROWS } from './layout.js';
import { FeedPane } from './FeedPane.js';
import { HelpOverlay, helpScrollMax } from './HelpOverlay.js';
import { KeyLegend, StatusBar } from './StatusBar.js';
import { paneKey, prefixCommand } from './keys.js';
import { InspectorPane, inspectorScrollMax } from '../inspector/InspectorPane.js';
import { inspectView } from '../inspector/inspect-model.js';

export interface AppProps {
  store: AppStore;
  screen: ScreenSurface;
  writeToShell: (bytes: Buffer) => void;
}

function useTerminalSize(): { cols: number; rows: number } {
  const { stdout } = useStdout();
  const [size, setSize] = useState({ cols: stdout.columns, rows: stdout.rows });
  useEffect(() => {
    const onResize = () => setSize({ cols: stdout.columns, rows: stdout.rows });
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

const TREES: PaneKind[] = ['lower', 'upper', 'merged'];

export function App({ store, screen, writeToShell }: AppProps) {
  const { cols, rows } = useTerminalSize();
  const s = useStore(store);
  const layout = computeLayout(cols, rows, s.inspector);
  const opts = useMemo(
    () => ({ expanded: s.expanded, changesOnly: s.changesOnly, search: s.search }),
    [s.expanded, s.changesOnly, s.search],
  );
  const treeRows = useMemo(
    () => Object.fromEntries(TREES.map((k) => [k, paneRows(k, s.layers, s.lowerStates, opts)])),
    [s.layers, s.lowerStates, opts],
  ) as Record<PaneKind, ReturnType<typeof paneRows>>;

  // The help covers the trees and the feed; stacked, the shell too: at the
  // smallest size that is what leaves room for every key.
  const help = !layout
    ? { width: 0, height: 0 }
    : layout.kind === 'wide'
      ? { width: layout.feed.width, height: layout.tree.height + layout.feed.height }
      : { width: layout.width, height: layout.height - 2 };

  const view = useMemo(
    () =>
      s.inspector
        ? inspectView(s.inspected, {
            change: s.layers.states.get(s.selected)?.change,
            lower: s.lowerStates.get(s.selected),
          })
        : undefined,
    [s.inspector, s.inspected, s.layers, s.lowerStates, s.selected],
  );

  useRawInput({
    onInput: (bytes) => {
      const state = store.getState();
      if (state.quitPending) {
        // The question "press q again to quit" takes the next key, wherever focus is.
        if (splitKeys(bytes)[0] === 'q') return state.quit();
        state.cancelQuit();
      }
      if (state.focus === 'terminal' && !state.help) return writeToShell(bytes);
      const focusedRows =
        state.focus === 'feed' || state.focus === 'terminal' ? [] : treeRows[state.focus];
      const page = Math.max(1, (layout?.tree.height ?? 10) - 2);
      const scrollMax = !layout
        ? 0
        : state.help
          ? helpScrollMax(help.width, help.height)
          : view
            ? inspectorScrollMax(view, layout.feed.width, layout.feed.height)
            : 0;
      for (const key of splitKeys(bytes))
        paneKey(store.getState(), key, focusedRows, page, scrollMax);
    },
    onCommand: (key) => {
      const state = store.getState();
      if (state.quitPending && key !== 'q') state.cancelQuit();
      prefixCommand(store.getState(), key);
    },
  });

  if (!layout) {
    return (
      <Text>{`The terminal is ${cols}x${rows}: overlay-tui needs at least ${MIN_COLS}x${MIN_ROWS}. Enlarge it.`}</Text>
    );
  }
  const trees = (
    <Box flexDirection="column">
      <Box>
        {TREES.map((kind) => (
          <TreePane
            key={kind}
            title={kind}
            rows={treeRows[kind]}
            selected={s.selected}
            focused={s.focus === kind}
            width={layout.tree.width}
            height={layout.tree.height - 1}
          />
        ))}
      </Box>
      <Legend width={layout.tree.width * 3} />
    </Box>
  );
  const feed = view ? (
    <InspectorPane
      path={s.selected}
      view={view}
      scroll={s.scroll}
      focused={s.focus === 'feed'}
      width={layout.feed.width}
      height={layout.feed.height}
    />
  ) : (
    <FeedPane
      events={s.events}
      selected={s.feedIndex}
      focused={s.focus === 'feed'}
      width={layout.feed.width}
      height={layout.feed.height}
    />
  );
  const terminal = (
    <Box flexDirection="column" width={layout.terminal.width}>
      <Text inverse={s.focus === 'terminal'} bold wrap="truncate">
        {` shell (${s.status.id})${s.search ? `   search: ${s.search}${s.searching ? '_' : ''}` : ''}`.padEnd(
          layout.terminal.width,
        )}
      </Text>
      <TerminalPane
        screen={screen}
        width={layout.terminal.width}
        height={layout.terminal.height}
        focused={s.focus === 'terminal'}
      />
    </Box>
  );
  const helpOverlay = <HelpOverlay width={help.width} height={help.height} scroll={s.scroll} />;
  const right = s.help ? (
    helpOverlay
  ) : (
    <Box flexDirection="column">
      {trees}
      {feed}
    </Box>
  );
  return (
    <Box flexDirection="column" width={layout.width} height={layout.height}>
      {layout.kind === 'wide' ? (
        <Box>
          {terminal}
          {right}
        </Box>
      ) : s.help ? (
        helpOverlay
      ) : (
        <Box flexDirection="column">
          {terminal}
          {right}
        </Box>
      )}
      <StatusBar
        status={s.status}
        upperBytes={s.upperBytes}
        keepUpper={s.keepUpper}
        notice={s.notice}
        width={layout.width}
      />
      <KeyLegend width={layout.width} />
    </Box>
  );
}
