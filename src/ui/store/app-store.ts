/**
 * The UI's one store (zustand). Engine events come in through its actions;
 * components only read it and call actions. The terminal emulator's buffer
 * is not here (it lives in TerminalScreen, outside React and the store).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { parentPath, pathParts, type ChangeEvent, type LowerState } from '../../overlay/index.js';
import type { ClassifiedLayers } from '../../engine/layers/classify-container.js';
import type { LayerLabel } from '../../overlay/layer-label.js';
import type { Versions } from '../../engine/layers/read-versions.js';
import type { CgroupUsage } from '../../engine/cgroup/usage.js';
import { humanBytes } from '../../engine/human-bytes.js';
import { stackFor, type StackLayer } from '../layers/stack-layers.js';
import type { StackVersion } from '../layers/stack-versions.js';
import {
  layerSlice,
  layerStatesOf,
  stackVersionsPatch,
  type LayerSliceState,
} from './layer-slice.js';

export type PaneId = 'terminal' | 'lower' | 'upper' | 'merged' | 'feed';
export const PANE_ORDER: readonly PaneId[] = ['terminal', 'lower', 'upper', 'merged', 'feed'];

export interface StatusInfo {
  image: string;
  id: string;
  mountOptions: string;
  pid?: number;
  /** The image's layers, topmost first (as the lowers), for naming them; absent in older records. */
  layers?: readonly LayerLabel[];
}

/** What the app asks of the engine; the store calls it, components never do. */
export interface EngineActions {
  loadLowerDir(path: string): void;
  /** Several directories at once: one reclassification for all. */
  loadLowerDirs?(paths: readonly string[]): void;
  quit(): void;
  /** The lower and upper versions of a path, for the inspector (file I/O). */
  readVersions?(path: string): Versions;
  /** Every version of a path down the stack, upper first (file I/O; several layers). */
  readStackVersions?(path: string): StackVersion[];
  /** Processes in the container besides its shell (pid 1). */
  otherProcesses?(): number;
  /** Kill, unmount, remove, and start again with a fresh upper; calls reset() when done. */
  restart?(): void;
  /** Records "keep upper on exit" where teardown (and crash recovery) reads it. */
  setKeep?(on: boolean): void;
  /** Loads every lower directory (search looks through the whole image); calls wholeImageRead() when done. */
  loadWholeLower?(): void;
}

/** How long a notice that only reports something stays in the status bar. */
const NOTICE_MS = 4000;

/** The feed keeps this many events, newest first. */
const FEED_LIMIT = 1000;

export interface AppState extends LayerSliceState {
  layers: ClassifiedLayers;
  /** Topmost lower layer's entries by path: visible, shadowed or hidden. */
  lowerStates: ReadonlyMap<string, LowerState>;
  events: readonly ChangeEvent[];
  focus: PaneId;
  selected: string;
  /** Selected event in the feed (index into events). */
  feedIndex: number;
  expanded: ReadonlySet<string>;
  changesOnly: boolean;
  search: string;
  searching: boolean;
  /** How much of the image search can see: what was expanded, or, once asked for, all of it. */
  wholeImage: 'unread' | 'reading' | 'read';
  help: boolean;
  /** Lines the help or the inspector's data is scrolled by; 0 whenever either opens or the path changes. */
  scroll: number;
  status: StatusInfo;
  upperBytes: number;
  exited?: number;
  /** The inspector is shown in place of the feed, for the selected path. */
  inspector: boolean;
  /** The selected path's versions, read when the inspector is shown. */
  inspected?: Versions | undefined;
  /** Keep upper (stop, not remove, the container) when the app exits. */
  keepUpper: boolean;
  /** One line for the status bar in place of the status: a question or what just happened. */
  notice?: string | undefined;
  /** The first quit asked because the shell still runs processes; another quit quits. */
  quitPending: boolean;
  restarting: boolean;
  /** The container's memory and pids, from its cgroup (polled about once a second). */
  usage?: CgroupUsage | undefined;

  setLayers(layers: ClassifiedLayers): void;
  addEvents(events: ChangeEvent[]): void;
  focusPane(pane: PaneId): void;
  cycleFocus(step: 1 | -1): void;
  select(path: string): void;
  selectEvent(index: number): void;
  toggle(path: string): void;
  setChangesOnly(on: boolean): void;
  setSearch(text: string, searching: boolean): void;
  wholeImageRead(): void;
  setHelp(on: boolean): void;
  setScroll(lines: number): void;
  /** Asks first (quitPending) when the shell still runs other processes. */
  quit(): void;
  cancelQuit(): void;
  toggleInspector(): void;
  openInspector(): void;
  toggleKeep(): void;
  restart(): void;
  /** After a restart: the new container's layers and status, everything else as at start. */
  reset(layers: ClassifiedLayers, status: StatusInfo): void;
  setNotice(text: string | undefined): void;
  /** A new reading of the cgroup; a new OOM kill is also said in the status bar. */
  setUsage(usage: CgroupUsage | undefined): void;
}

function upperBytes(layers: ClassifiedLayers): number {
  let total = 0;
  for (const { entry } of layers.states.values()) if (entry.type === 'file') total += entry.size;
  return total;
}

/** The lower states: the topmost layer's (the single-layer pane) and every layer's. */
function lowerStatesOf(layers: ClassifiedLayers) {
  const layerStates = layerStatesOf(layers);
  return { layerStates, lowerStates: layerStates[0] ?? new Map<string, LowerState>() };
}

export type AppStore = StoreApi<AppState>;

/** What a container's layers set in the state, at start and after a restart. */
function fresh(layers: ClassifiedLayers) {
  return {
    layers,
    ...lowerStatesOf(layers),
    upperBytes: upperBytes(layers),
    events: [],
    selected: '/',
    feedIndex: 0,
    expanded: new Set(['/']),
    scroll: 0,
    wholeImage: 'unread' as const,
  };
}

/** The inspector's data is read again whenever what it shows may have changed. */
function inspectPatch(
  s: AppState,
  engine: EngineActions,
  path = s.selected,
): Partial<Pick<AppState, 'inspected' | 'stackVersions' | 'versionPair'>> {
  if (!s.inspector) return {};
  return { inspected: engine.readVersions?.(path), ...stackVersionsPatch(s, engine, path) };
}

/** A notice that only reports something goes away by itself; a question stays. */
function flash(set: StoreApi<AppState>['setState'], get: () => AppState, text: string): void {
  set({ notice: text });
  setTimeout(() => {
    if (get().notice === text) set({ notice: undefined });
  }, NOTICE_MS).unref();
}

export function createAppStore(
  layers: ClassifiedLayers,
  status: StatusInfo,
  engine: EngineActions,
  options: {
    keepUpper?: boolean;
    /** The lowers' labels, topmost first (an image of several layers). */
    stack?: readonly StackLayer[] | undefined;
  } = {},
): AppStore {
  const stack = stackFor(options.stack, layers.view.stack.lowers.length);
  return createStore<AppState>()((set, get) => ({
    ...fresh(layers),
    stack,
    lowerView: 'stack',
    lastLayer: 0,
    layerColumn: stack.length > 1,
    versionPair: { from: 1, to: 0 },
    ...layerSlice(set, get),
    focus: 'terminal',
    changesOnly: false,
    search: '',
    searching: false,
    help: false,
    scroll: 0,
    status,
    inspector: false,
    keepUpper: options.keepUpper ?? false,
    quitPending: false,
    restarting: false,

    setLayers: (next) =>
      set({
        layers: next,
        ...lowerStatesOf(next),
        upperBytes: upperBytes(next),
        ...inspectPatch(get(), engine),
      }),
    // Newest first. On the newest, the feed follows what comes (as tail -f);
    // on an older event, that event stays selected as new ones arrive above.
    addEvents: (events) =>
      set((s) => {
        const all = [...[...events].reverse(), ...s.events].slice(0, FEED_LIMIT);
        if (s.feedIndex === 0) return { events: all };
        return { events: all, feedIndex: Math.min(s.feedIndex + events.length, all.length - 1) };
      }),
    focusPane: (pane) => set({ focus: pane }),
    cycleFocus: (step) => {
      const i = PANE_ORDER.indexOf(get().focus);
      const next = PANE_ORDER[(i + step + PANE_ORDER.length) % PANE_ORDER.length] ?? 'terminal';
      set({ focus: next });
    },
    select: (path) =>
      set({
        selected: path,
        ...(path === get().selected ? {} : { scroll: 0 }),
        ...inspectPatch(get(), engine, path),
      }),
    selectEvent: (index) => {
      const events = get().events;
      const i = Math.max(0, Math.min(index, events.length - 1));
      const event = events[i];
      if (!event) return;
      // Show the event's path in the trees: expand its ancestors.
      const expanded = new Set(get().expanded);
      const parts = pathParts(event.path);
      for (let n = 0; n < parts.length; n++) {
        const dir = `/${parts.slice(0, n).join('/')}`;
        if (!expanded.has(dir)) {
          expanded.add(dir);
          engine.loadLowerDir(dir);
        }
      }
      set({
        feedIndex: i,
        selected: event.path,
        ...(event.path === get().selected ? {} : { scroll: 0 }),
        expanded,
        ...inspectPatch(get(), engine, event.path),
      });
    },
    toggle: (path) => {
      const expanded = new Set(get().expanded);
      if (expanded.has(path)) expanded.delete(path);
      else {
        expanded.add(path);
        engine.loadLowerDir(path);
      }
      set({ expanded });
    },
    setChangesOnly: (on) => {
      if (!on) return set({ changesOnly: false });
      // Open the way to every change: a list of closed directories would
      // hide the very changes asked for.
      const expanded = new Set(get().expanded);
      const opened: string[] = [];
      for (const { path } of get().layers.changes) {
        for (let dir = parentPath(path); dir !== '/'; dir = parentPath(dir)) {
          if (expanded.has(dir)) continue;
          expanded.add(dir);
          opened.push(dir);
        }
      }
      set({ changesOnly: true, expanded });
      if (opened.length === 0) return;
      if (engine.loadLowerDirs) engine.loadLowerDirs(opened);
      else for (const dir of opened) engine.loadLowerDir(dir);
    },
    setSearch: (text, searching) => {
      // The first search reads the rest of the image, in the background.
      const read = searching && get().wholeImage === 'unread' && engine.loadWholeLower;
      set({ search: text, searching, ...(read ? { wholeImage: 'reading' as const } : {}) });
      if (read) engine.loadWholeLower?.();
    },
    wholeImageRead: () => set({ wholeImage: 'read' }),
    setHelp: (on) => set({ help: on, scroll: 0 }),
    setScroll: (lines) => set({ scroll: Math.max(0, lines) }),
    quit: () => {
      const others = get().quitPending ? 0 : (engine.otherProcesses?.() ?? 0);
      if (others === 0) return engine.quit();
      const s = others === 1 ? '' : 'es';
      set({
        quitPending: true,
        notice: `the shell still runs ${others} process${s}: press q again to quit (any other key: stay)`,
      });
    },
    cancelQuit: () => set({ quitPending: false, notice: undefined }),
    toggleInspector: () => {
      const inspector = !get().inspector;
      set({ inspector, scroll: 0, ...inspectPatch({ ...get(), inspector }, engine) });
    },
    openInspector: () =>
      set({ inspector: true, scroll: 0, ...inspectPatch({ ...get(), inspector: true }, engine) }),
    toggleKeep: () => {
      const on = !get().keepUpper;
      engine.setKeep?.(on);
      set({ keepUpper: on });
      flash(
        set,
        get,
        on
          ? 'upper will be kept on exit: see overlay-tui ps, remove it with overlay-tui rm'
          : 'upper will be removed on exit',
      );
    },
    restart: () => {
      if (get().restarting || !engine.restart) return;
      set({ restarting: true, notice: 'restarting with a fresh upper…' });
      engine.restart();
    },
    reset: (next, nextStatus) => {
      set({ ...fresh(next), status: nextStatus, restarting: false });
      set(inspectPatch(get(), engine));
      flash(set, get, `restarted: container ${nextStatus.id}, with a fresh upper`);
    },
    setNotice: (text) => (text === undefined ? set({ notice: undefined }) : flash(set, get, text)),
    setUsage: (usage) => {
      const last = get().usage;
      const before = last?.oomKills ?? 0;
      // Unchanged (an idle shell, or no cgroup to read): no new state, so
      // nothing is drawn again.
      if (usage === last || (usage && last && JSON.stringify(usage) === JSON.stringify(last)))
        return;
      set({ usage });
      if (usage && usage.oomKills > before) {
        const limit =
          usage.memoryLimit !== undefined ? ` (limit ${humanBytes(usage.memoryLimit)})` : '';
        flash(set, get, `out of memory: the kernel killed a process in the container${limit}`);
      }
    },
  }));
}
