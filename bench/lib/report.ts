/**
 * Output: Markdown tables on stdout (for the README and for people), and
 * the same results with every raw sample as JSON in bench/results/ (for
 * comparing runs later without re-measuring).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot, resultsDir } from './paths.js';
import { ms, spread, summarize, type Summary } from './stats.js';
import type { Series } from './measure.js';

export function markdownTable(headers: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  const rule = headers.map((h, i) => (i === 0 ? '---' : '---:'));
  return [line(headers), line(rule), ...rows.map(line)].join('\n');
}

/** The standard row: label, n, median, p10–p90, IQR. */
export function timingCells(label: string, s: Summary): string[] {
  return [label, String(s.n), ms(s.median), spread(s), `${ms(s.q1)}–${ms(s.q3)}`];
}

export const TIMING_HEADERS = ['Command', 'n', 'median', 'p10–p90', 'IQR'];

export function verdict(value: number, limit: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value <= limit ? `**met** (≤ ${limit}×)` : `**missed** (> ${limit}×)`;
}

/** A series as JSON: argv, summary and the raw samples in round order. */
export function seriesJson(s: Series): object {
  const metrics = Object.fromEntries(
    Object.entries(s.metrics).map(([k, v]) => [k, { summary: summarize(v), samples: v }]),
  );
  return {
    label: s.label,
    argv: s.argv,
    wall: { summary: summarize(s.wall), samples: s.wall },
    metrics,
  };
}

function git(args: string[]): string {
  const r = spawnSync('git', args, { cwd: repoRoot, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

/** What the figures depend on, so two result files can be compared fairly. */
export function environment(): object {
  return {
    date: new Date().toISOString(),
    node: process.version,
    kernel: release(),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    loadavg: loadavg(),
    commit: git(['rev-parse', 'HEAD']),
    // The bench measures the working tree's dist/, uncommitted changes included.
    dirty: git(['status', '--porcelain', '--', 'src']) !== '',
  };
}

export function writeResults(results: object): string {
  mkdirSync(resultsDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = join(resultsDir, `bench-${stamp}.json`);
  const text = `${JSON.stringify(results, null, 2)}\n`;
  writeFileSync(file, text);
  writeFileSync(join(resultsDir, 'latest.json'), text);
  return file;
}
