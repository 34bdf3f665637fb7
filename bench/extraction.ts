/**
 * Benchmark 2: first-run extraction of an image, ours against GNU tar.
 *
 * Interleaved, each into a fresh destination (synced to disk after the
 * run, untimed; all removed when the series ends): `tar -xf FILE -C DIR` as root, and
 * import-only.js (ensureImage from the compiled engine on a fresh state
 * root). The figure for the target is ensureImage's own time, which is what
 * a first run adds to a warm one; the whole import-only process (plus Node
 * start-up) is shown beside it. For the default image the real CLI is also
 * measured on a fresh and on a warm root, as a cross-check.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cliBin, importOnlyJs } from './lib/paths.js';
import { interleave, progressDots, type Cmd, type Series } from './lib/measure.js';
import { makeSandbox, syncDisks } from './lib/sandbox.js';
import { compareWithTar, type TreeCheck } from './lib/tree-compare.js';
import { ms, pairwise, ratio, spread, summarize, type Summary } from './lib/stats.js';
import { markdownTable, seriesJson, TIMING_HEADERS, timingCells, verdict } from './lib/report.js';

export const TARGET_RATIO = 1.25;

export interface ImageUnderTest {
  label: string;
  file: string;
  rounds: number;
  /** Also time `overlay-tui run -- true` on a fresh and on a warm root. */
  cliCrossCheck: boolean;
  details?: object;
}

export interface ExtractionResult {
  markdown: string;
  json: object;
  /** Rows for the summary of targets: what, measured, verdict. */
  targets: string[][];
}

function parseImportLine(stdout: string): Record<string, number> {
  const r = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
  return { importMs: Number(r.importMs), hashMs: Number(r.hashMs), entries: Number(r.entries) };
}

export async function benchExtraction(img: ImageUnderTest): Promise<ExtractionResult> {
  const box = makeSandbox('extract');
  const check = compareWithTar(img.file, box);
  // Destinations are kept until the whole series is done, not removed after
  // each run: this ext4 has no journal, and then its inode allocator skips
  // every inode freed in the last 5 s (300 s while the inode table is dirty;
  // ext4 recently_deleted()), which made a run right after `rm -rf` of the
  // previous 7,000-file tree up to 5× slower. Each run is synced (untimed)
  // so that its writeback does not land in the next run's time.
  let n = 0;
  const made: string[] = [];
  const fresh = (): string => {
    const dir = join(box, `d${n++}`);
    made.push(dir);
    return dir;
  };
  const removeAll = (): void => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    syncDisks();
  };
  const cmds: Cmd[] = [
    {
      label: 'tar -xf FILE -C DIR',
      prepare: () => {
        const dest = fresh();
        mkdirSync(dest);
        return ['tar', '-xf', img.file, '-C', dest];
      },
      cleanup: syncDisks,
    },
    {
      label: 'import-only.js (whole process)',
      prepare: () => [process.execPath, importOnlyJs, fresh(), img.file],
      cleanup: syncDisks,
      metrics: parseImportLine,
    },
  ];
  if (img.cliCrossCheck) {
    const cliRun = (root: string): string[] => [
      ...[process.execPath, cliBin, 'run', '--root', root],
      ...['--image', img.file, '--', 'true'],
    ];
    const warmRoot = join(box, 'warm');
    const [file, ...args] = cliRun(warmRoot);
    const warm = spawnSync(file ?? '', args, { encoding: 'utf8' });
    if (warm.status !== 0) throw new Error(`warm-up CLI run failed: ${warm.stderr}`);
    cmds.push(
      {
        label: 'overlay-tui run -- true, fresh root',
        prepare: () => cliRun(fresh()),
        cleanup: syncDisks,
      },
      { label: 'overlay-tui run -- true, warm root', prepare: () => cliRun(warmRoot) },
    );
  }
  // The check above just deleted a tree: let its inodes age out (see above).
  await sleep(6000);
  let series: Series[];
  try {
    series = await interleave(cmds, {
      rounds: img.rounds,
      warmup: 1,
      onRound: progressDots(`extract ${img.label}`),
    });
  } finally {
    removeAll();
  }
  return analyse(img, series, check);
}

function metric(s: Series, key: string): number[] {
  return s.metrics[key] ?? [];
}

function analyse(img: ImageUnderTest, series: Series[], check: TreeCheck): ExtractionResult {
  const [tar, proc, cold, warm] = series;
  if (!tar || !proc) throw new Error('missing series');
  const sTar = summarize(tar.wall);
  const sImport = summarize(metric(proc, 'importMs'));
  const sHash = summarize(metric(proc, 'hashMs'));
  const sProc = summarize(proc.wall);
  const row = (label: string, s: Summary): string[] => [
    ...timingCells(label, s),
    ratio(s.median / sTar.median),
  ];
  const rows = [
    row(tar.label, sTar),
    row('ours: ensureImage, in process', sImport),
    row('… of which: sha256 of the file alone', sHash),
    row(proc.label, sProc),
  ];
  let coldMinusWarm: number | undefined;
  if (cold && warm) {
    const sCold = summarize(cold.wall);
    const sWarm = summarize(warm.wall);
    coldMinusWarm = sCold.median - sWarm.median;
    const paired = summarize(pairwise(cold.wall, warm.wall, (c, w) => c - w));
    rows.push(row(cold.label, sCold), row(warm.label, sWarm), [
      'fresh − warm (median difference; per-round spread)',
      String(paired.n),
      ms(coldMinusWarm),
      spread(paired),
      `${ms(paired.q1)}–${ms(paired.q3)}`,
      ratio(coldMinusWarm / sTar.median),
    ]);
  }
  const importRatio = sImport.median / sTar.median;
  const pairedRatio = summarize(pairwise(metric(proc, 'importMs'), tar.wall, (o, t) => o / t));
  const procRatio = summarize(pairwise(proc.wall, tar.wall, (o, t) => o / t));
  const derived = markdownTable(
    ['Derived figure', 'value', 'per-round p10–p90', 'target'],
    [
      [
        'ours (ensureImage) ÷ tar, medians',
        ratio(importRatio),
        spread(pairedRatio, ratio),
        verdict(importRatio, TARGET_RATIO),
      ],
      [
        'ours (whole process, with Node start-up) ÷ tar',
        ratio(sProc.median / sTar.median),
        spread(procRatio, ratio),
        '',
      ],
    ],
  );
  const same = check.identical
    ? `same tree as tar's (${check.entries} entries: types, modes, owners, sizes, link targets, mtimes)`
    : `**differs from tar's**: ${check.differences.join('; ')}`;
  const markdown = [
    `### First-run extraction: ${img.label} (${sTar.n} interleaved rounds, 1 warm-up dropped)`,
    '',
    `Result check: ${same}.`,
    '',
    markdownTable([...TIMING_HEADERS, '× tar'], rows),
    '',
    derived,
  ].join('\n');
  return {
    markdown,
    targets: [
      [
        `first-run extraction ≤ 1.25× tar: ${img.label}`,
        `${ms(sImport.median)} vs ${ms(sTar.median)} = ${ratio(importRatio)}`,
        verdict(importRatio, TARGET_RATIO),
      ],
    ],
    json: {
      image: { label: img.label, file: img.file, ...img.details },
      check,
      series: series.map(seriesJson),
      importRatio,
      pairedRatio,
      processRatio: procRatio,
      coldMinusWarmMs: coldMinusWarm,
      target: TARGET_RATIO,
      met: importRatio <= TARGET_RATIO,
    },
  };
}
