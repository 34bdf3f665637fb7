/**
 * The layer report (what `overlay-tui layers` computes) on a generated
 * 1,000,000-file, 20-layer image (gen-layered.ts): wall time and peak RSS
 * of a fresh process that reports every layer, several rounds. Targets
 * (issue 9): under 15 s, peak RSS well under 1 GB. The page cache is
 * warm after the first round (the first is shown apart): dropping it
 * would slow every other process on a shared machine.
 *
 *   node dist/bench/layer-report-scale.js [--rounds N]
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureLayeredImage, type LayeredImageDirs } from './gen-layered.js';
import { repoRoot } from './lib/paths.js';

interface ChildResult {
  ms: number;
  /** User + system CPU time of the report: what it costs whatever else the machine runs. */
  cpuMs: number;
  maxRssMB: number;
  entries: number;
  sizeBytes: number;
  wastedBytes: number;
  efficiency: number;
}

interface ReportModule {
  reportLayers(
    layers: { dir: string; label: { number: number; diffId: string; createdBy: string } }[],
  ): {
    layers: { entries: number }[];
    total: { sizeBytes: number; wastedBytes: number; efficiency: number };
  };
}

/** In the child: one report of the whole image, timed. */
async function child(metaJson: string): Promise<void> {
  const meta = JSON.parse(metaJson) as LayeredImageDirs;
  const url = pathToFileURL(join(repoRoot, 'dist', 'engine', 'layers', 'layer-report.js')).href;
  const mod = (await import(url)) as ReportModule;
  const layers = meta.dirs.map((dir, i) => ({
    dir,
    label: { number: i + 1, diffId: `sha256:${i}`, createdBy: '' },
  }));
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const r = mod.reportLayers(layers);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const out: ChildResult = {
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    entries: r.layers.reduce((s, l) => s + l.entries, 0),
    ...r.total,
  };
  process.stdout.write(JSON.stringify(out));
}

function main(): void {
  const { values } = parseArgs({
    options: { rounds: { type: 'string', default: '4' }, child: { type: 'string' } },
  });
  if (values.child !== undefined) {
    void child(values.child);
    return;
  }
  const meta = ensureLayeredImage();
  const rounds = Number(values.rounds);
  const rows: ChildResult[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    const r = spawnSync(
      process.execPath,
      [process.argv[1] ?? '', '--child', JSON.stringify(meta)],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    if (r.status !== 0) throw new Error(`report child failed (${r.status})`);
    const res = JSON.parse(r.stdout) as ChildResult;
    rows.push(res);
    process.stderr.write(
      `round ${i + 1}: ${(res.ms / 1000).toFixed(2)} s in report (${(res.cpuMs / 1000).toFixed(2)} s CPU), ${((performance.now() - t0) / 1000).toFixed(2)} s process, ${res.maxRssMB.toFixed(0)} MB peak RSS\n`,
    );
  }
  const first = rows[0];
  const warm = rows
    .slice(1)
    .map((r) => r.ms)
    .sort((a, b) => a - b);
  const mid = Math.floor(warm.length / 2);
  const median =
    warm.length === 0
      ? (first?.ms ?? 0)
      : warm.length % 2 === 1
        ? (warm[mid] ?? 0)
        : ((warm[mid - 1] ?? 0) + (warm[mid] ?? 0)) / 2;
  const cpu = rows.map((r) => r.cpuMs);
  const rss = Math.max(...rows.map((r) => r.maxRssMB));
  process.stdout.write(
    [
      `## Layer report at scale (${meta.version})`,
      '',
      `${meta.files.toLocaleString('en')} files in ${meta.dirs.length} layers, ${meta.whiteouts} whiteouts; ${first?.entries.toLocaleString('en')} layer entries reported`,
      '',
      '| | value | target |',
      '|---|---|---|',
      `| first round (cache as found) | ${((first?.ms ?? 0) / 1000).toFixed(2)} s | < 15 s |`,
      `| warm, median of ${warm.length} | ${(median / 1000).toFixed(2)} s | < 15 s |`,
      `| CPU time (user + system), min–max of rounds | ${(Math.min(...cpu) / 1000).toFixed(2)}–${(Math.max(...cpu) / 1000).toFixed(2)} s | what the wall time comes to on an idle machine |`,
      `| load average (1 min) at the end | ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores | |`,
      `| peak RSS (max of rounds) | ${rss.toFixed(0)} MB | < 1 GB |`,
      `| size / wasted | ${((first?.sizeBytes ?? 0) / 2 ** 20).toFixed(0)} MiB / ${((first?.wastedBytes ?? 0) / 2 ** 20).toFixed(0)} MiB (efficiency ${((first?.efficiency ?? 0) * 100).toFixed(1)} %) | |`,
      '',
    ].join('\n'),
  );
}

main();
