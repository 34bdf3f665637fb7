/**
 * Benchmark: the layer stack in the app (issue 9, "Benchmark"): with a
 * 20-layer, 100,000-file image (gen-layers.ts), the app's screen from
 * nothing to the top level drawn, a layer switch (a key in the lower
 * pane) to the frame that shows it, p99 < 100 ms, the top level < 300 ms,
 * RSS < 300 MB.
 *
 * In one process of its own (its RSS is the figure): the engine's watcher
 * over the layer directories and an empty upper (what the app runs on,
 * without a container: the container's shell is not what is measured),
 * the app's store, and <App> rendered by Ink into a terminal-sized fake
 * stdout with the app's render options. A switch is timed from the key
 * written to stdin to the first frame Ink writes that holds the new
 * layer's selector line. The app's modules are bundled from src/ by
 * esbuild (as ui-driver.ts bundles TerminalScreen), packages external:
 * Ink without the CLI bundle's frame-cache patch (scripts/bundle-cli.mjs),
 * so each frame costs here somewhat more than in the app.
 *
 * Beside each round of switches, the same number of plain selection moves
 * (j, k in the lower pane): what any key costs to reach the screen on this
 * machine at that moment (Ink's frame), the base a switch adds to. And the
 * lower pane's rows alone, on the CPU, for every view of the selector.
 *
 *   node dist/bench/ui-layers.js [--layers 20] [--files 100000] [--switches 200] [--json]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { distBench, repoRoot } from './lib/paths.js';
import { quantile } from './lib/stats.js';
import { syntheticLayers } from './gen-layers.js';

const COLS = 200;
const ROWS = 50;

/** The parts of the bundled app used here. */
interface AppModules {
  UpperWatcher: new (o: { upperDir: string; lowerDirs: readonly string[] }) => {
    start(): Promise<void>;
    close(): Promise<void>;
    loadLowerDir(path: string): void;
    loadWholeLower(): Promise<void>;
    on(event: 'state', cb: (layers: unknown) => void): unknown;
    readonly current: unknown;
  };
  createAppStore(layers: unknown, status: object, engine: object, options: object): AppStore;
  App: unknown;
  TerminalScreen: new (o: { cols: number; rows: number }) => { dispose(): void };
  render: (tree: unknown, options: object) => { unmount(): void };
  createElement: (type: unknown, props: object) => unknown;
  paneRows: (kind: 'lower', ...args: unknown[]) => unknown[];
}
interface AppStore {
  getState(): {
    focusPane(p: string): void;
    toggle(path: string): void;
    select(path: string): void;
    setLayers(l: unknown): void;
    lowerView: 'stack' | number;
    layers: unknown;
    lowerStates: unknown;
    layerStates: unknown;
    expanded: unknown;
  };
}

const BUNDLE = join(distBench, 'ui-vendor', 'ui-layers-app.js');

async function bundleApp(): Promise<void> {
  const { build } = await import('esbuild');
  const outfile = BUNDLE;
  await build({
    stdin: {
      contents: [
        "export { UpperWatcher } from './engine/watch/upper-watcher.ts';",
        "export { createAppStore } from './ui/store/app-store.ts';",
        "export { App } from './ui/app/App.tsx';",
        "export { TerminalScreen } from './ui/terminal/terminal-screen.ts';",
        "export { render } from 'ink';",
        "export { createElement } from 'react';",
        "export { paneRows } from './ui/trees/tree-rows.ts';",
      ].join('\n'),
      resolveDir: join(repoRoot, 'src'),
      loader: 'ts',
      sourcefile: 'ui-layers-entry.ts',
    },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    jsx: 'automatic',
    logLevel: 'warning',
  });
}

/** A terminal as Ink sees one: frames written are checked against what is awaited. */
class FakeStdout extends EventEmitter {
  readonly isTTY = true;
  readonly columns = COLS;
  readonly rows = ROWS;
  private waiting: { text: string; resolve: (at: number) => void } | undefined;
  last = '';
  write = (frame: string): boolean => {
    this.last = frame;
    const w = this.waiting;
    if (w && frame.includes(w.text)) {
      this.waiting = undefined;
      w.resolve(performance.now());
    }
    return true;
  };
  /** The time of the first frame holding text (written from now on). */
  next(text: string, ms = 10_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no frame showed ${text} in ${ms} ms`)), ms);
      this.waiting = {
        text,
        resolve: (at) => {
          clearTimeout(t);
          resolve(at);
        },
      };
    });
  }
}

class FakeStdin extends EventEmitter {
  readonly isTTY = true;
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
  read(): null {
    return null;
  }
  press(key: string): void {
    this.emit('data', Buffer.from(key));
  }
}

interface Stats {
  label: string;
  n: number;
  median: number;
  p99: number;
  max: number;
}

export interface UiLayersFigures {
  layers: number;
  files: number;
  /** Watcher start, the top level loaded, the store made: the engine's part. */
  engineMs: number;
  /** From the watcher's start to the first frame (Ink's first render included). */
  topLevelMs: number;
  /** Every layer read into the tree (what search needs before it can find anything). */
  wholeImageMs: number;
  /** Then the lower pane's rows for a search over the whole stack, CPU. */
  searchRowsMs: number;
  rounds: {
    label: string;
    switches: Stats;
    moves: Stats;
    /** The lower pane's rows for each view, CPU only. */
    rows: Stats;
    rssMB: number;
  }[];
  maxRssMB: number;
}

function stats(label: string, ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  return {
    label,
    n: s.length,
    median: quantile(s, 0.5),
    p99: quantile(s, 0.99),
    max: s.at(-1) ?? Number.NaN,
  };
}

/** The selector line of a view, as the frame holds it. */
function selectorText(view: 'stack' | number, layers: number): string {
  return view === 'stack' ? '▸all whole stack' : `▸${String(layers - view).padStart(3)} RUN`;
}

/** Runs in a process of its own (its RSS is the figure): see the module's comment. */
async function child(
  lowers: string[],
  files: number,
  count: number,
  searchFor: string,
): Promise<UiLayersFigures> {
  // As the app sets it (src/commands/app.ts) before React loads: its
  // development build is several times slower.
  process.env.NODE_ENV ??= 'production';
  const m = (await import(pathToFileURL(BUNDLE).href)) as AppModules;
  const upperDir = mkdtempSync(join(tmpdir(), 'ovt-bench-upper-'));
  const stdout = new FakeStdout();
  const stdin = new FakeStdin();
  const started = performance.now();
  const watcher = new m.UpperWatcher({ upperDir, lowerDirs: lowers });
  try {
    await watcher.start();
    watcher.loadLowerDir('/');
    const n = lowers.length;
    const stack = lowers.map((_, i) => ({
      number: n - i,
      diffId: '',
      createdBy: `/bin/sh -c make layer ${n - i}`,
      entries: Math.round(files / n),
    }));
    const store = m.createAppStore(
      watcher.current,
      { image: 'synthetic', id: 'bench', mountOptions: '' },
      {
        loadLowerDir: (p: string) => watcher.loadLowerDir(p),
        loadLowerDirs: (ps: string[]) => ps.forEach((p) => watcher.loadLowerDir(p)),
        quit: () => undefined,
      },
      { stack },
    );
    const engineMs = performance.now() - started;
    watcher.on('state', (l) => store.getState().setLayers(l));
    const screen = new m.TerminalScreen({ cols: 84, rows: 45 });
    const first = stdout.next('whole stack');
    const ink = m.render(m.createElement(m.App, { store, screen, writeToShell: () => undefined }), {
      stdout,
      stdin,
      exitOnCtrlC: false,
      patchConsole: false,
      maxFps: 60,
    });
    const topLevelMs = (await first) - started;
    store.getState().focusPane('lower');
    const rounds: UiLayersFigures['rounds'] = [];
    const round = async (label: string) => {
      const switches: number[] = [];
      const moves: number[] = [];
      // Every layer has /etc and /usr after it: j and k move between them.
      store.getState().select('/etc');
      await new Promise((r) => setTimeout(r, 50));
      for (let i = 0; i < count; i++) {
        // Down the stack to the bottom layer, then back up, and again.
        const at = store.getState().lowerView;
        const down = Math.floor(i / n) % 2 === 0;
        const idx = at === 'stack' ? -1 : at;
        const key = (down && idx < n - 1) || idx < 0 ? ']' : '[';
        const next = key === ']' ? idx + 1 : idx - 1;
        const shown = stdout.next(selectorText(next < 0 ? 'stack' : next, n));
        const t = performance.now();
        stdin.press(key);
        switches.push((await shown) - t);
        // A plain move: any frame after the key is its frame.
        const moved = stdout.next('');
        const u = performance.now();
        stdin.press(i % 2 === 0 ? 'j' : 'k');
        moves.push((await moved) - u);
      }
      const rows: number[] = [];
      const st = store.getState();
      for (const view of ['stack' as const, ...lowers.map((_, i) => i)]) {
        const t = performance.now();
        m.paneRows(
          'lower',
          st.layers,
          st.lowerStates,
          { expanded: st.expanded, changesOnly: false, search: '' },
          { view, layerStates: st.layerStates, numbers: stack.map((l) => l.number), column: false },
        );
        rows.push(performance.now() - t);
      }
      rounds.push({
        label,
        switches: stats('switch', switches),
        moves: stats('move', moves),
        rows: stats('rows', rows),
        rssMB: process.memoryUsage().rss / 2 ** 20,
      });
    };
    await round('top level loaded');
    // Two directories open: /usr/share lists every layer's packages.
    for (const dir of ['/usr', '/usr/share']) store.getState().toggle(dir);
    await new Promise((r) => setTimeout(r, 50));
    await round('/usr/share open (1,000 packages)');
    // Search's reading of the whole image: every layer loaded.
    const w0 = performance.now();
    await watcher.loadWholeLower();
    const wholeImageMs = performance.now() - w0;
    // A search over all of it: the lower pane's rows for a name in the top layer.
    const s0 = performance.now();
    const st = store.getState();
    m.paneRows(
      'lower',
      st.layers,
      st.lowerStates,
      { expanded: st.expanded, changesOnly: false, search: searchFor },
      {
        view: 'stack',
        layerStates: st.layerStates,
        numbers: stack.map((l) => l.number),
        column: false,
      },
    );
    const searchRowsMs = performance.now() - s0;
    await new Promise((r) => setTimeout(r, 50));
    await round('whole image loaded, /usr/share open');
    const maxRssMB = process.resourceUsage().maxRSS / 1024;
    ink.unmount();
    screen.dispose();
    return { layers: n, files, engineMs, topLevelMs, wholeImageMs, searchRowsMs, rounds, maxRssMB };
  } finally {
    await watcher.close();
    rmSync(upperDir, { recursive: true, force: true });
  }
}

export async function benchUiLayers(opts: {
  layers: number;
  files: number;
  switches: number;
  /** Layer directories, top first, instead of gen-layers.ts's synthetic image. */
  lowers?: string[];
  /** What the search looks for (default: a package of the synthetic image). */
  searchFor?: string;
}): Promise<UiLayersFigures> {
  const image = opts.lowers
    ? { lowers: opts.lowers, files: opts.files }
    : syntheticLayers(opts.layers, opts.files);
  await bundleApp();
  const arg = JSON.stringify({
    lowers: image.lowers,
    files: image.files,
    count: opts.switches,
    searchFor: opts.searchFor ?? 'pkg-1',
  });
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', arg], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`the measuring process failed (${r.status ?? r.signal})`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as UiLayersFigures;
}

export function uiLayersReport(f: UiLayersFigures): string {
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  const st = (s: Stats) => `median ${ms(s.median)}, p99 ${ms(s.p99)}, max ${ms(s.max)}`;
  const lines = [
    `## The layer stack in the app (${f.layers} layers, ${f.files.toLocaleString('en')} files)`,
    '',
    `| figure | value | target |`,
    `|---|---|---|`,
    `| engine: watcher started, top level loaded, store made | ${ms(f.engineMs)} | |`,
    `| top level on screen (watcher start to first frame) | ${ms(f.topLevelMs)} | < 300 ms |`,
    `| whole image read into the tree (what search waits for) | ${ms(f.wholeImageMs)} | |`,
    `| then a search's rows over the whole stack, CPU | ${ms(f.searchRowsMs)} | |`,
    ...f.rounds.flatMap((r) => [
      `| ${r.label}: layer switch to screen (n=${r.switches.n}) | ${st(r.switches)} | p99 < 100 ms |`,
      `| ${r.label}: a plain move (j/k) to screen, the base | ${st(r.moves)} | |`,
      `| ${r.label}: the lower pane's rows per view, CPU (n=${r.rows.n}) | ${st(r.rows)} | |`,
      `| ${r.label}: RSS | ${r.rssMB.toFixed(0)} MB | < 300 MB |`,
    ]),
    `| peak RSS | ${f.maxRssMB.toFixed(0)} MB | < 300 MB |`,
    '',
  ];
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      layers: { type: 'string', default: '20' },
      files: { type: 'string', default: '100000' },
      switches: { type: 'string', default: '200' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.child !== undefined) {
    const o = JSON.parse(values.child) as {
      lowers: string[];
      files: number;
      count: number;
      searchFor: string;
    };
    process.stdout.write(
      `${JSON.stringify(await child(o.lowers, o.files, o.count, o.searchFor))}\n`,
    );
    process.exit(0);
  }
  const figures = await benchUiLayers({
    layers: Number(values.layers),
    files: Number(values.files),
    switches: Number(values.switches),
  });
  process.stdout.write(values.json ? `${JSON.stringify(figures)}\n` : uiLayersReport(figures));
  process.exit(0);
}
