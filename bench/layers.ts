/**
 * Benchmark 3: the layer model and the live stream at the scale of issue 3
 * ("Speed and scale"), over a synthetic lower of 100,000 files in 10,000
 * directories (gen-lower.ts):
 *
 * - scan: the lower's top level (readdir + scanEntry of the root's
 *   children) and a full scanLayer, each in a process of its own
 *   (layers-scan.ts), interleaved; time in-process, peak RSS;
 * - stream: inotify watches and write-to-event latency of an UpperWatcher
 *   on a real overlay (layers-stream.ts), run twice: latency after 100
 *   changes (a young container), and watches at 0/100/1,000 changes then
 *   latency after 1,000 changes;
 * - diff: `overlay-tui diff` on a kept container with 10,000 changed
 *   paths (layers-diff.ts), interleaved with `node -e 0`.
 */
import { loadavg } from 'node:os';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { distBench } from './lib/paths.js';
import { makeSandbox } from './lib/sandbox.js';
import { interleave, progressDots } from './lib/measure.js';
import { summarize, type Summary } from './lib/stats.js';
import { seriesJson } from './lib/report.js';
import { ensureSyntheticLower } from './gen-lower.js';
import { benchStream, type StreamResult } from './layers-stream.js';
import { benchDiff, makeKeptContainer, pipeCheck } from './layers-diff.js';
import { layersMarkdown, type LayerFigures } from './layers-report.js';

export const TARGETS = {
  topMs: 300,
  fullScanMs: 2000,
  rssMB: 250,
  latencyP99Ms: 50,
  diffMs: 1000,
};

export interface LayersOptions {
  scanRounds: number;
  diffRounds: number;
  writes: number;
}

export interface LayersResult {
  markdown: string;
  json: object;
  targets: string[][];
}

/** A metric of a series as a summary (NaN-filled if the probe did not report it). */
function metric(m: Record<string, number[]>, key: string): Summary {
  return summarize(m[key] ?? []);
}

const SCAN_LABELS: Record<string, string> = {
  top: 'top level (readdir + scanEntry of the root)',
  full: 'full scanLayer',
  app: "app's first frame (UpperWatcher + loadLowerDir('/'))",
  search: "app's search over the whole image (+ loadWholeLower())",
};

async function scans(lower: string, rounds: number) {
  const probe = join(distBench, 'layers-scan.js');
  const empty = join(makeSandbox('scan'), 'upper');
  mkdirSync(empty);
  const parse = (stdout: string): Record<string, number> => {
    const r = JSON.parse(stdout) as Record<string, unknown>;
    const out: Record<string, number> = {};
    for (const k of ['ms', 'importMs', 'entries', 'maxRssKB', 'heapUsedKB'])
      if (typeof r[k] === 'number') out[k] = r[k];
    return out;
  };
  const series = await interleave(
    ['top', 'full', 'app', 'search'].map((mode) => ({
      label: SCAN_LABELS[mode] ?? mode,
      prepare: () => [process.execPath, probe, mode, lower, empty],
      metrics: parse,
    })),
    { rounds, warmup: 1, onRound: progressDots('layer scans') },
  );
  const [top, full, app, search] = series;
  if (!top || !full || !app || !search) throw new Error('missing scan series');
  return { top, full, app, search };
}

export async function benchLayers(opts: LayersOptions): Promise<LayersResult> {
  const lower = ensureSyntheticLower();
  const loadBefore = loadavg()[0] ?? Number.NaN;
  const { top, full, app, search } = await scans(lower.path, opts.scanRounds);

  process.stderr.write('stream: latency after 100 changes\n');
  const young: StreamResult = await benchStream({
    lower: lower.path,
    lowerDirs: lower.dirs,
    writes: opts.writes,
    changes: [100],
  });
  process.stderr.write('stream: watches at 0/100/1,000 changes, latency after 1,000\n');
  const grown: StreamResult = await benchStream({
    lower: lower.path,
    lowerDirs: lower.dirs,
    writes: opts.writes,
    changes: [100, 1000],
  });

  process.stderr.write('diff: building a kept container with 10,000 changed paths\n');
  const root = makeKeptContainer(lower.path);
  const diff = await benchDiff(root, opts.diffRounds);
  const pipedLines = pipeCheck(root);

  const figures: LayerFigures = {
    lower,
    load: [loadBefore, loadavg()[0] ?? Number.NaN],
    top: {
      ms: metric(top.metrics, 'ms'),
      wall: summarize(top.wall),
      rss: metric(top.metrics, 'maxRssKB'),
    },
    app: {
      ms: metric(app.metrics, 'ms'),
      wall: summarize(app.wall),
      rss: metric(app.metrics, 'maxRssKB'),
    },
    search: {
      ms: metric(search.metrics, 'ms'),
      wall: summarize(search.wall),
      rss: metric(search.metrics, 'maxRssKB'),
      entries: metric(search.metrics, 'entries').median,
    },
    full: {
      ms: metric(full.metrics, 'ms'),
      wall: summarize(full.wall),
      rss: metric(full.metrics, 'maxRssKB'),
      entries: full.metrics.entries?.[0] ?? Number.NaN,
    },
    streams: [
      { label: 'after 100 changes', result: young },
      { label: 'after 1,000 changes', result: grown },
    ],
    diff,
    pipedLines,
  };
  const { markdown, targets } = layersMarkdown(figures, TARGETS);
  return {
    markdown,
    targets,
    json: {
      lower,
      targets: TARGETS,
      scan: {
        top: seriesJson(top),
        full: seriesJson(full),
        app: seriesJson(app),
        search: seriesJson(search),
      },
      stream: { young, grown },
      diff: { series: diff.map(seriesJson), pipedLines },
    },
  };
}
