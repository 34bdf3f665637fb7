/**
 * The layer code under test, loaded at run time from dist/ (as
 * import-only.ts loads the importer), so the bench measures the same
 * esbuild output the CLI runs and does not compile src/ into dist/bench.
 * The build must list these modules as entries (see bench/LAYERS.md).
 * Only the shapes the benchmarks use are declared here.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

export interface LayerEntry {
  name: string;
  type: string;
  size: number;
  children?: Map<string, LayerEntry>;
}

export interface OverlayModule {
  scanEntry(abs: string, name: string): LayerEntry | undefined;
  scanLayer(dir: string, opts?: { onEntry?: (path: string, e: LayerEntry) => void }): LayerEntry;
  /** Every entry of a merged view, from its root. */
  walkMerged(root: unknown): Iterable<unknown>;
}

export interface ChangeEvent {
  kind: string;
  path: string;
  type: string;
}

export interface UpperWatcherLike {
  start(): Promise<void>;
  close(): Promise<void>;
  flush(): ChangeEvent[];
  on(event: 'events', cb: (events: ChangeEvent[]) => void): unknown;
  on(event: 'error', cb: (err: Error) => void): unknown;
  readonly current: { states: Map<string, unknown>; view: { root: unknown } };
  /** Lists a lower directory whole and reclassifies (the app's tree pane; since 3ce4d0e). */
  loadLowerDir?(path: string): void;
  /** Every lower directory, in slices, then one reclassification (search; since this change). */
  loadWholeLower?(): Promise<void>;
}

export interface WatchModule {
  UpperWatcher: new (opts: { upperDir: string; lowerDirs: readonly string[] }) => UpperWatcherLike;
}

/** dist path -> the src file it is built from (for the error message). */
export const LAYER_ENTRIES: Record<string, string> = {
  'overlay/index.js': 'src/overlay/index.ts',
  'engine/layers/lower-loader.js': 'src/engine/layers/lower-loader.ts',
  'engine/layers/classify-container.js': 'src/engine/layers/classify-container.ts',
  'engine/watch/upper-watcher.js': 'src/engine/watch/upper-watcher.ts',
};

/**
 * Fails early, with the fix, if the build does not emit the layer modules,
 * or if they are older than the CLI (a build that failed half-way).
 */
export function checkLayerEntries(): void {
  const fix =
    `add ${Object.values(LAYER_ENTRIES).join(' ')} to the esbuild entries of ` +
    'scripts/build.sh (see bench/LAYERS.md), then npm run build';
  const cli = statSync(join(repoRoot, 'dist', 'cli.js')).mtimeMs;
  for (const js of Object.keys(LAYER_ENTRIES)) {
    const file = join(repoRoot, 'dist', js);
    if (!existsSync(file)) throw new Error(`${file} is missing: ${fix}`);
    // One build writes every output within a second or two.
    if (statSync(file).mtimeMs < cli - 60_000)
      throw new Error(`${file} is older than dist/cli.js (another build's): ${fix}`);
  }
}

async function load<T>(rel: string, fn: string): Promise<T> {
  const url = new URL(`../../${rel}`, import.meta.url).href;
  const mod = (await import(url)) as Record<string, unknown>;
  if (typeof mod[fn] !== 'function') throw new Error(`dist/${rel} has no ${fn}: npm run build`);
  return mod as T;
}

export const loadOverlay = (): Promise<OverlayModule> => load('overlay/index.js', 'scanLayer');
export const loadWatch = (): Promise<WatchModule> =>
  load('engine/watch/upper-watcher.js', 'UpperWatcher');

/** inotify watches held by a process: one "inotify wd:" line per watch in its fdinfo. */
export function inotifyWatches(pid: number | 'self' = 'self'): number {
  let n = 0;
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    try {
      const info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
      for (const line of info.split('\n')) if (line.startsWith('inotify wd:')) n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}
