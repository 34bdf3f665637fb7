/**
 * The terminal UI section of the report: Markdown tables, the rows for the
 * summary of targets, and every raw sample as JSON.
 */
import { markdownTable } from './lib/report.js';
import { ms, pairwise, quantile, summarize } from './lib/stats.js';
import type { LaunchSeries } from './ui-launch.js';
import type { FeedSeries } from './ui-feed.js';
import type { FloodStats } from './ui-flood.js';
import type { IdleWindow } from './ui-idle.js';

export const UI_TARGETS = { launchMedianMs: 700, feedP99Ms: 100, keyP99Ms: 100, idlePct: 1 };

export interface UiFigures {
  launch: LaunchSeries;
  feed: FeedSeries;
  quietKeys: number[];
  floodKeys: number[];
  flood: FloodStats;
  idle: { label: string; settle: IdleWindow; idle: IdleWindow; whole: IdleWindow }[];
  exitCode: number;
  context: object;
}

const HEADERS = ['Measure', 'n', 'median', 'p90', 'p99', 'p10–p90', 'IQR', 'max'];

const p = (xs: readonly number[], q: number): number =>
  quantile(
    [...xs].sort((a, b) => a - b),
    q,
  );

function cells(label: string, xs: readonly number[]): string[] {
  const s = summarize(xs);
  return [
    label,
    String(s.n),
    ms(s.median),
    ms(s.p90),
    ms(p(xs, 0.99)),
    `${ms(s.p10)}–${ms(s.p90)}`,
    `${ms(s.q1)}–${ms(s.q3)}`,
    ms(s.max),
  ];
}

function check(value: number, limit: number, unit: string): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value < limit ? `**met** (< ${limit}${unit})` : `**missed** (≥ ${limit}${unit})`;
}

const pct = (v: number): string => `${v.toFixed(2)} %`;
const rate = (v: number): string =>
  v >= 1e6 ? `${(v / 1e6).toFixed(1)} M` : v >= 1e3 ? `${(v / 1e3).toFixed(0)} k` : v.toFixed(0);

export function uiReport(f: UiFigures): { markdown: string; json: object; targets: string[][] } {
  const L = f.launch;
  const launchMedian = summarize(L.prompt).median;
  const feedP99 = p(f.feed.feed, 0.99);
  const keyP99 = p(f.floodKeys, 0.99);
  const idle = f.idle[0]?.idle;
  const idlePct = idle ? idle.appTicksPct : Number.NaN;
  const launch = markdownTable(HEADERS, [
    cells('**app: spawn → prompt `/ # ` on screen**', L.prompt),
    cells('app: spawn → first byte written', L.firstByte),
    cells('app: spawn → first frame (pane titles)', L.firstFrame),
    cells('app: `exit` typed → process exited', L.exit),
    cells('`node -e 0`', L.node),
    cells('`overlay-tui run -- true` (headless)', L.headless),
    cells(
      'per round: app prompt − node -e 0',
      pairwise(L.prompt, L.node, (a, b) => a - b),
    ),
    cells(
      'per round: app prompt − headless run',
      pairwise(L.prompt, L.headless, (a, b) => a - b),
    ),
  ]);
  const latency = markdownTable(HEADERS, [
    cells('**write: Enter → `new /etc/fN` in the feed**', f.feed.feed),
    cells('reference: Enter → next shell prompt on screen', f.feed.prompt),
    cells('**key → echo on screen, during the flood**', f.floodKeys),
    cells('reference: key → echo, quiet prompt', f.quietKeys),
  ]);
  const idleTable = markdownTable(
    ['Window', 'wall', 'app (stat ticks)', 'app (schedstat)', 'helper + shell', 'bytes drawn'],
    f.idle.flatMap((w) =>
      [
        [`${w.label}: first ${ms(w.settle.wallMs)}`, w.settle],
        [`**${w.label}: the ${ms(w.idle.wallMs)} after**`, w.idle],
        [`${w.label}: all ${ms(w.whole.wallMs)}`, w.whole],
      ].map(([label, x]) => {
        const v = x as IdleWindow;
        return [
          label as string,
          ms(v.wallMs),
          pct(v.appTicksPct),
          pct(v.appSchedPct),
          pct(v.childrenPct),
          String(v.bytesOut),
        ];
      }),
    ),
  );
  const fl = f.flood;
  const floodLine =
    `Flood while the keys were typed (${ms(fl.wallMs)}): ${rate(fl.linesPerS)} lines/s ` +
    `(${rate(fl.floodBytesPerS)}B/s) parsed by the app; it drew ${fl.appFramesPerS.toFixed(1)} ` +
    `frames/s (${rate(fl.appBytesPerS)}B/s to its terminal).`;
  const markdown = [
    `### Terminal UI (\`overlay-tui\` in a ${'200×50'} pty, CI=0, TERM=xterm-256color, screen parsed by @xterm/headless)`,
    '',
    `Launch: ${L.prompt.length} interleaved rounds (2 warm-up rounds dropped), warm image; ` +
      'each app round ends with `exit` typed and its exit awaited.',
    '',
    launch,
    '',
    'Latencies, one app session (times end when our emulator has parsed a screen that shows it; nothing subtracted):',
    '',
    latency,
    '',
    floodLine,
    '',
    'Idle CPU of the app (% of one core); "bytes drawn" is what the app wrote to its terminal:',
    '',
    idleTable,
  ].join('\n');
  const targets = [
    [
      'UI launch to prompt, median < 700 ms',
      ms(launchMedian),
      check(launchMedian, UI_TARGETS.launchMedianMs, ' ms'),
    ],
    ['UI write → feed on screen, p99 < 100 ms', ms(feedP99), check(feedP99, 100, ' ms')],
    ['UI key → echo during a flood, p99 < 100 ms', ms(keyP99), check(keyP99, 100, ' ms')],
    ['UI idle CPU < 1 % of a core', pct(idlePct), check(idlePct, UI_TARGETS.idlePct, ' %')],
  ];
  const series = (xs: number[]) => ({ summary: summarize(xs), p99: p(xs, 0.99), samples: xs });
  const json = {
    context: f.context,
    targets: UI_TARGETS,
    launch: Object.fromEntries(Object.entries(L).map(([k, v]) => [k, series(v)])),
    feed: { feed: series(f.feed.feed), prompt: series(f.feed.prompt) },
    keys: { quiet: series(f.quietKeys), flood: series(f.floodKeys), floodStats: f.flood },
    idle: f.idle,
    exitCode: f.exitCode,
  };
  return { markdown, json, targets };
}
