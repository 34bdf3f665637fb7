/**
 * The screen: the shell's terminal pane, the lower, upper and merged trees,
 * the event feed (or the inspector in its place), a status bar and a key
 * legend. Reads the store; keys go to the shell as raw bytes while it has
 * focus, else to the store's actions.
 */
import { Box, Text, useStdout } from 'ink';
import { useEffect, useMemo, useState } from 'react';
import { useStore } from 'zustand';
import type { AppState, AppStore, StatusInfo } from '../store/app-store.js';
import { useRawInput } from '../input/use-raw-input.js';
import { prefixKeyName } from '../input/key-names.js';
import { DEFAULT_PREFIX } from '../input/prefix-keys.js';
import { TerminalPane } from '../terminal/TerminalPane.js';
import type { ScreenSurface } from '../terminal/screen-surface.js';
import { TreePane } from '../trees/TreePane.js';
import { Legend } from '../trees/Legend.js';
import { paneRows, type PaneKind } from '../trees/tree-rows.js';
import { computeLayout, MIN_COLS, MIN_ROWS, type Layout } from './layout.js';
import { FeedPane } from './FeedPane.js';
import { HelpOverlay, helpScrollMax } from './HelpOverlay.js';
import { KeyLegend, StatusBar } from './StatusBar.js';
import { prefixCommand } from './keys.js';
import { dispatchInput } from './input-dispatch.js';
import { memoLast } from '../memo-last.js';
import { InspectorPane, inspectorScrollMax } from '../inspector/InspectorPane.js';
import { inspectView } from '../inspector/inspect-model.js';
import { stackInspect } from '../inspector/stack-inspect.js';
import { LayerSelector } from '../layers/LayerSelector.js';
import { selectorHeight } from '../layers/stack-layers.js';
import { LAYER_LEGEND_STATES } from '../trees/row-style.js';

export interface AppProps {
  store: AppStore;
  screen: ScreenSurface;
  writeToShell: (bytes: Buffer) => void;
  /** The prefix byte (--prefix; default C-b). */
  prefix?: number;
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

/** The shell pane's title: the container, and the search being typed or kept. */
function shellTitle(s: AppState): string {
  const title = ` shell (${s.status.id})`;
  if (!s.search && !s.searching) return title;
  const cursor = s.searching ? '_' : '';
  const reading = s.wholeImage === 'reading' ? ' (reading the whole image…)' : '';
  return `${title}   search: ${s.search}${cursor}${reading}`;
}

/**
 * The help covers the trees and the feed; stacked, the shell too: at the
 * smallest size that is what leaves room for every key.
 */
function helpSize(layout: Layout | undefined): { width: number; height: number } {
  if (!layout) return { width: 0, height: 0 };
  return layout.kind === 'wide'
    ? { width: layout.feed.width, height: layout.tree.height + layout.feed.height }
    : { width: layout.width, height: layout.height - 2 };
}

/** Each pane's rows and the inspector's view, computed again only when their inputs change. */
function useDerived() {
  return useMemo(() => {
    const numbersOf = memoLast((stack: AppState['stack']) => stack.map((l) => l.number));
    // Each pane's rows depend on what it shows: the lower pane on the
    // layer chosen, the others on the layer column; a layer switch
    // flattens the lower pane only.
    const memoRows = (kind: PaneKind) =>
      memoLast(
        (
          layers: AppState['layers'],
          lowerStates: AppState['lowerStates'],
          expanded: AppState['expanded'],
          changesOnly: boolean,
          search: string,
          layerStates: AppState['layerStates'],
          stack: AppState['stack'],
          view: AppState['lowerView'] | undefined,
          column: boolean,
        ) =>
          paneRows(
            kind,
            layers,
            lowerStates,
            { expanded, changesOnly, search },
            { view: view ?? 'stack', layerStates, numbers: numbersOf(stack), column },
          ),
      );
    const rows = { lower: memoRows('lower'), upper: memoRows('upper'), merged: memoRows('merged') };
    const layered = memoLast(
      (versions: AppState['stackVersions'], pair: AppState['versionPair'], s: AppState['stack']) =>
        versions ? stackInspect(versions, pair, s) : undefined,
    );
    const view = memoLast(
      (
        inspected: AppState['inspected'],
        layers: AppState['layers'],
        lowerStates: AppState['lowerStates'],
        selected: string,
        labels: StatusInfo['layers'],
        stackPart: ReturnType<typeof layered>,
      ) =>
        inspectView(
          inspected,
          { change: layers.states.get(selected)?.change, lower: lowerStates.get(selected), labels },
          stackPart,
        ),
    );
    return {
      rows: (s: AppState, kind: PaneKind) =>
        rows[kind](
          s.layers,
          s.lowerStates,
          s.expanded,
          s.changesOnly,
          s.search,
          s.layerStates,
          s.stack,
          kind === 'lower' ? s.lowerView : undefined,
          kind !== 'lower' && s.layerColumn,
        ),
      view: (s: AppState) =>
        s.inspector
          ? view(
              s.inspected,
              s.layers,
              s.lowerStates,
              s.selected,
              s.status.layers,
              s.stack.length > 1 ? layered(s.stackVersions, s.versionPair, s.stack) : undefined,
            )
          : undefined,
    };
  }, []);
}

export function App({ store, screen, writeToShell, prefix = DEFAULT_PREFIX }: AppProps) {
  const prefixName = prefixKeyName(prefix);
  const { cols, rows } = useTerminalSize();
  const s = useStore(store);
  const derived = useDerived();
  const layout = computeLayout(cols, rows, s.inspector);
  const help = helpSize(layout);
  const view = derived.view(s);

  useRawInput(
    {
      onInput: (bytes) => {
        // Too small to draw: keys would act on panes no one can see. Only
        // the shell, if it has focus, still gets what is typed.
        if (!layout) {
          if (store.getState().focus === 'terminal') writeToShell(bytes);
          return;
        }
        // Each key meets the state the key before it left (see input-dispatch).
        dispatchInput(store, bytes, {
          rows: (st) =>
            st.focus === 'feed' || st.focus === 'terminal' ? [] : derived.rows(st, st.focus),
          page: (st) =>
            Math.max(1, (computeLayout(cols, rows, st.inspector)?.tree.height ?? 10) - 2),
          scrollMax: (st) => {
            const at = computeLayout(cols, rows, st.inspector);
            if (!at) return 0;
            if (st.help) {
              const size = helpSize(at);
              return helpScrollMax(size.width, size.height, prefixName);
            }
            const v = derived.view(st);
            return v ? inspectorScrollMax(v, at.feed.width, at.feed.height) : 0;
          },
          writeToShell,
        });
      },
      onCommand: (key) => {
        if (!layout && key !== 'q') return; // nothing on screen to act on; quitting still works
        const state = store.getState();
        if (state.quitPending && key !== 'q') state.cancelQuit();
        prefixCommand(store.getState(), key);
      },
    },
    { prefix },
  );

  if (!layout) {
    return (
      <Text>{`The terminal is ${cols}x${rows}: overlay-tui needs at least ${MIN_COLS}x${MIN_ROWS}. Enlarge it.`}</Text>
    );
  }
  const layered = s.stack.length > 1;
  const paneHeight = layout.tree.height - 1;
  const selectorLines = selectorHeight(s.stack.length, paneHeight);
  const trees = (
    <Box flexDirection="column">
      <Box>
        {TREES.map((kind) => (
          <TreePane
            key={kind}
            title={kind}
            rows={derived.rows(s, kind)}
            selected={s.selected}
            focused={s.focus === kind}
            width={layout.tree.width}
            height={paneHeight}
            column={kind !== 'lower' ? s.layerColumn : layered && s.lowerView === 'stack'}
            {...(kind === 'lower' && layered
              ? {
                  header: (
                    <LayerSelector
                      stack={s.stack}
                      view={s.lowerView}
                      width={layout.tree.width}
                      height={selectorLines}
                    />
                  ),
                  headerHeight: selectorLines,
                }
              : {})}
          />
        ))}
      </Box>
      <Legend
        width={layout.tree.width * 3}
        {...(layered && s.lowerView !== 'stack' ? { states: LAYER_LEGEND_STATES } : {})}
      />
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
      labels={s.status.layers}
      selected={s.feedIndex}
      focused={s.focus === 'feed'}
      width={layout.feed.width}
      height={layout.feed.height}
    />
  );
  const terminal = (
    <Box flexDirection="column" width={layout.terminal.width}>
      <Text inverse={s.focus === 'terminal'} bold wrap="truncate">
        {shellTitle(s).padEnd(layout.terminal.width)}
      </Text>
      <TerminalPane
        screen={screen}
        width={layout.terminal.width}
        height={layout.terminal.height}
        focused={s.focus === 'terminal'}
      />
    </Box>
  );
  const helpOverlay = (
    <HelpOverlay width={help.width} height={help.height} prefix={prefixName} scroll={s.scroll} />
  );
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
        usage={s.usage}
      />
      <KeyLegend width={layout.width} prefix={prefixName} layered={layered} />
    </Box>
  );
}
