/**
 * The layer benchmarks as Markdown: tables for the scans, the watches, the
 * latency runs and diff, and the rows of the summary of targets (absolute
 * limits, unlike the ratio targets of the other benchmarks).
 */
import { markdownTable, timingCells, TIMING_HEADERS } from './lib/report.js';
import { ms, pairwise, quantile, spread, summarize, type Summary } from './lib/stats.js';
import type { Series } from './lib/measure.js';
import type { SyntheticLower } from './gen-lower.js';
import type { StreamResult } from './layers-stream.js';

export interface LayerFigures {
  lower: SyntheticLower;
  /** 1-minute load average before and after: the watcher is CPU-bound, so latency follows it. */
  load: [number, number];
  top: { ms: Summary; wall: Summary; rss: Summary };
  app: { ms: Summary; wall: Summary; rss: Summary };
  full: { ms: Summary; wall: Summary; rss: Summary; entries: number };
  /** The app's path to searching the whole image; entries: the merged view's. */
  search: { ms: Summary; wall: Summary; rss: Summary; entries: number };
  streams: { label: string; result: StreamResult }[];
  diff: Series[];
  pipedLines: number;
}

export interface LayerTargets {
  topMs: number;
  fullScanMs: number;
  rssMB: number;
  latencyP99Ms: number;
  diffMs: number;
}

const mb = (kb: number): string => (Number.isFinite(kb) ? `${(kb / 1024).toFixed(0)} MB` : 'n/a');
const int = (n: number): string => n.toLocaleString('en-US');

function below(value: number, limit: number, f: (v: number) => string = ms): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value < limit ? `**met** (< ${f(limit)})` : `**missed** (≥ ${f(limit)})`;
}

function p(values: readonly number[], q: number): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    q,
  );
}

function scanTable(f: LayerFigures): string {
  const row = (label: string, x: LayerFigures['top']): string[] => [
    ...timingCells(label, x.ms),
    ms(x.wall.median),
    `${mb(x.rss.median)} (max ${mb(x.rss.max)})`,
  ];
  return markdownTable(
    [...TIMING_HEADERS, 'process wall', 'peak RSS'],
    [
      row("top level: readdir + scanEntry of the root's children", f.top),
      row(`full scanLayer (${int(f.full.entries)} entries)`, f.full),
      row("the app's first frame: UpperWatcher (empty upper) + loadLowerDir('/')", f.app),
      row(
        `the app's search over the whole image: + loadWholeLower() (${int(f.search.entries)} merged entries)`,
        f.search,
      ),
    ],
  );
}

function watchTable(r: StreamResult): string {
  return markdownTable(
    ['Moment', 'changes made', 'upper paths', 'inotify watches'],
    r.watches.map((w) => [w.label, int(w.changes), int(w.upperPaths), int(w.watches)]),
  );
}

function latencyRow(label: string, r: StreamResult): string[] {
  const all = r.latency.map((l) => l.ms);
  const before = r.watches.at(-2)?.upperPaths ?? Number.NaN;
  const after = r.watches.at(-1)?.upperPaths ?? Number.NaN;
  const flushes = summarize(r.flushMs);
  return [
    label,
    `${int(before)} → ${int(after)}`,
    `${all.length} (${r.missed.length} missed)`,
    ms(p(all, 0.5)),
    ms(p(all, 0.9)),
    ms(p(all, 0.99)),
    ms(p(all, 1)),
    `${flushes.n}, ${ms(flushes.median)} (max ${ms(flushes.max)})`,
    `${((100 * r.flushMs.reduce((a, b) => a + b, 0)) / ((all.length + r.missed.length) * r.spacingMs)).toFixed(0)}%`,
    `${(100 * r.eventLoopUtilization).toFixed(0)}%`,
    mb(r.watcherMaxRssKB),
  ];
}

function byKind(r: StreamResult): string {
  const kinds = ['create', 'copy-up', 'rewrite'] as const;
  return kinds
    .map((k) => {
      const v = r.latency.filter((l) => l.kind === k).map((l) => l.ms);
      return `${k} ${ms(p(v, 0.5))} / ${ms(p(v, 0.99))}`;
    })
    .join('; ');
}

/** Nothing is missed (issue 3): the watcher's final state against a walk of upper. */
function missedLine(label: string, r: StreamResult): string {
  const { missing, stale } = r.stateVsDisk;
  const head = `Run ${label}: ${r.unseen.length} change(s) without an event after 5 s; at the end, `;
  if (missing.length === 0 && stale.length === 0)
    return `${head}the watcher's state matches upper on disk.`;
  return (
    `**${head}${missing.length} upper path(s) missing from the watcher's state` +
    `${missing.length > 0 ? ` (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''})` : ''}, ` +
    `${stale.length} held that are gone.**`
  );
}

export function layersMarkdown(
  f: LayerFigures,
  t: LayerTargets,
): { markdown: string; targets: string[][] } {
  const [diff, node] = f.diff;
  if (!diff || !node) throw new Error('missing diff series');
  const sDiff = summarize(diff.wall);
  const lines = diff.metrics.lines?.[0] ?? Number.NaN;
  const letter = (l: string): string => int(diff.metrics[l]?.[0] ?? Number.NaN);
  const own = summarize(pairwise(diff.wall, node.wall, (a, b) => a - b));
  const grown = f.streams.at(-1)?.result;
  if (!grown) throw new Error('missing stream runs');
  const spacing = grown.spacingMs.toFixed(1);
  const markdown = [
    `### Layers at scale (lower: ${int(f.lower.files)} files in ${int(f.lower.dirs)} directories, ${f.lower.version})`,
    '',
    `1-minute load average ${f.load[0].toFixed(2)} before, ${f.load[1].toFixed(2)} after.`,
    '',
    `**Scans** (${f.top.ms.n} interleaved rounds, each in a fresh process, warm page cache; ` +
      'time in-process, without Node start-up)',
    '',
    scanTable(f),
    '',
    '**inotify watches** of the watching process (UpperWatcher on a real overlay over that lower; ' +
      'each change in a directory of its own, half new files, half appends that copy a lower file up)',
    '',
    watchTable(grown),
    '',
    `**Event latency**: write through merged (one every ${spacing} ms, cycling: new file, ` +
      'copy-up by append, rewrite of a file already in upper) → its first event in the ' +
      "watcher's 'events' callback (another process, same clock)",
    '',
    markdownTable(
      [
        'Run',
        'upper paths',
        'writes',
        'p50',
        'p90',
        'p99',
        'max',
        'flushes, median (max)',
        'time in flush',
        'watcher busy',
        'watcher peak RSS',
      ],
      f.streams.map((s) => latencyRow(s.label, s.result)),
    ),
    '',
    ...f.streams.map((s) => `p50 / p99 by kind, ${s.label}: ${byKind(s.result)}.`),
    '',
    ...f.streams.map((s) => missedLine(s.label, s.result)),
    '',
    `**diff** on a kept container with ${int(lines)} changed paths (A ${letter('A')}, ` +
      `C ${letter('C')}, D ${letter('D')}); stdout to a file; ${sDiff.n} interleaved rounds`,
    '',
    markdownTable(
      [...TIMING_HEADERS, 'CPU (user + sys)'],
      [diff, node].map((x) => [
        ...timingCells(x.label, summarize(x.wall)),
        ms(summarize(x.metrics.cpuMs ?? []).median),
      ]),
    ),
    '',
    `diff − node -e 0, per round: median ${ms(own.median)}, p10–p90 ${spread(own)}.`,
    f.pipedLines === lines
      ? `Through a pipe (\`diff NAME | wc -l\`): all ${int(lines)} lines.`
      : `**Through a pipe (\`diff NAME | wc -l\`): only ${int(f.pipedLines)} of ${int(lines)} lines** ` +
        '(the CLI exits before the pipe has taken its output).',
  ].join('\n');
  const young = f.streams[0]?.result;
  const p99 = (r: StreamResult | undefined): number => p(r?.latency.map((l) => l.ms) ?? [], 0.99);
  const w = grown.watches;
  // Few watches on an empty upper, then at most one per upper path (one per upper directory).
  const watchesOk =
    (w[0]?.watches ?? Infinity) <= 10 && w.every((x) => x.watches <= 1.1 * x.upperPaths + 10);
  const targets = [
    [
      'top level ready',
      `${ms(f.top.ms.median)} (the app's path: ${ms(f.app.ms.median)})`,
      below(Math.max(f.top.ms.median, f.app.ms.median), t.topMs),
    ],
    ['full scan of the lower', ms(f.full.ms.median), below(f.full.ms.median, t.fullScanMs)],
    [
      "the whole image ready for search (the app's path)",
      ms(f.search.ms.median),
      below(f.search.ms.median, t.fullScanMs),
    ],
    [
      'peak RSS: full scan / whole-image search process',
      `${mb(f.full.rss.max)} / ${mb(f.search.rss.max)}`,
      below(Math.max(f.full.rss.max, f.search.rss.max), t.rssMB * 1024, mb),
    ],
    [
      'inotify watches grow with the changed paths, not the image',
      `${w.map((x) => int(x.watches)).join(' → ')} (upper paths ${w.map((x) => int(x.upperPaths)).join(' → ')}; lower ${int(f.lower.dirs)} dirs)`,
      watchesOk ? '**met**' : '**missed**',
    ],
    ...[young, grown].map((r, i) => [
      `event latency p99, ${f.streams[i]?.label ?? ''}`,
      ms(p99(r)),
      below(p99(r), t.latencyP99Ms),
    ]),
    [
      'nothing missed: watcher state = upper on disk, every write has its event',
      f.streams
        .map((s) => `${s.result.stateVsDisk.missing.length + s.result.missed.length} missed`)
        .join(', '),
      f.streams.every(
        (s) =>
          s.result.stateVsDisk.missing.length + s.result.stateVsDisk.stale.length === 0 &&
          s.result.missed.length === 0,
      )
        ? '**met**'
        : '**missed**',
    ],
    [
      `diff, ${int(lines)} changed paths`,
      `${ms(sDiff.median)} (CPU ${ms(summarize(diff.metrics.cpuMs ?? []).median)})`,
      below(sDiff.median, t.diffMs),
    ],
  ];
  return { markdown, targets };
}
