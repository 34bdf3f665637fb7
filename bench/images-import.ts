/**
 * Image import benchmark (issue 9): `overlay-tui load` of a generated
 * 8-layer, 20,000-file docker-save archive (gen-image-archive.ts) into a
 * fresh state root, against GNU tar extracting each of its layer blobs
 * into a directory of its own (`tar -xzf`, `--zstd -xf`, `-xf`), on the
 * same disk, interleaved in the same run. Target: within 1.25x.
 *
 * Ours is the whole command, Node's start-up included, as a user runs it:
 * it reads the archive, verifies every blob digest and diff_id, extracts
 * each layer once and writes the image record. tar verifies nothing. Each
 * side's CPU (user + system of the command and its children, from bash's
 * `times`) is reported beside the wall time: on a shared 2-core machine it
 * is the figure that says what the work costs.
 *
 *   node dist/bench/images-import.js [--rounds N] [--compression gzip,zstd,plain]
 */
import { loadavg } from 'node:os';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureImageArchive, type Compression } from './gen-image-archive.js';
import { interleave, progressDots, type Cmd } from './lib/measure.js';
import { cliBin } from './lib/paths.js';
import { verdict } from './lib/report.js';
import { cleanupSandboxes, makeSandbox, syncDisks } from './lib/sandbox.js';
import { ms, pairwise, ratio, summarize, spread } from './lib/stats.js';

const TAR_FLAG: Record<Compression, string> = { gzip: '-z', zstd: '--zstd', plain: '' };

/** The children's user + system time from bash's `times` (its last line). */
function childrenCpuMs(stdout: string): number {
  const line = stdout.trim().split('\n').pop() ?? '';
  const secs = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  if (secs.length !== 2) throw new Error(`cannot read the CPU time from bash's times: ${line}`);
  return ((secs[0] ?? 0) + (secs[1] ?? 0)) * 1000;
}

export interface ImportFigures {
  compression: Compression;
  markdownRow: string[];
  target: string[];
  json: object;
}

export async function benchImageImport(how: Compression, rounds: number): Promise<ImportFigures> {
  const image = ensureImageArchive(how);
  const box = makeSandbox('images-import');
  let n = 0;
  const fresh = (): string => {
    const d = join(box, `d${n++}`);
    mkdirSync(d);
    return d;
  };
  try {
    const flag = TAR_FLAG[how];
    const tarScript = [
      'set -e',
      'dest=$1; shift; i=0',
      `for b in "$@"; do i=$((i+1)); mkdir "$dest/$i"; tar ${flag} -xf "$b" -C "$dest/$i"; done`,
      'times',
    ].join('\n');
    const cmds: Cmd[] = [
      {
        label: `tar ${flag} -xf x ${image.blobs.length}`,
        prepare: () => ['bash', '-c', tarScript, 'tar-layers', fresh(), ...image.blobs],
        cleanup: syncDisks,
        metrics: (out) => ({ cpuMs: childrenCpuMs(out) }),
      },
      {
        label: 'overlay-tui load',
        prepare: () => [
          'bash',
          '-c',
          '"$@" >/dev/null; s=$?; times; exit $s',
          'load',
          process.execPath,
          cliBin,
          'load',
          '--root',
          fresh(),
          image.archive,
        ],
        cleanup: syncDisks,
        metrics: (out) => ({ cpuMs: childrenCpuMs(out) }),
      },
    ];
    const [tar, ours] = await interleave(cmds, {
      rounds,
      warmup: 1,
      onRound: progressDots(`image import (${how})`),
    });
    if (!tar || !ours) throw new Error('no series');
    const r = summarize(pairwise(ours.wall, tar.wall, (a, b) => a / b));
    const rc = summarize(
      pairwise(ours.metrics.cpuMs ?? [], tar.metrics.cpuMs ?? [], (a, b) => a / b),
    );
    const t = summarize(tar.wall);
    const o = summarize(ours.wall);
    const med = (v: number[] | undefined): string => ms(summarize(v ?? []).median);
    const mb = (b: number): string => `${(b / 1e6).toFixed(0)} MB`;
    const label = `${how}: ${image.blobs.length} layers, ${image.files.toLocaleString('en')} files, ${mb(image.dataBytes)} data, archive ${mb(image.archiveBytes)}`;
    return {
      compression: how,
      markdownRow: [
        label,
        `${ms(t.median)} (${spread(t)})`,
        `${ms(o.median)} (${spread(o)})`,
        `${ratio(r.median)} (${spread(r, ratio)})`,
        med(tar.metrics.cpuMs),
        med(ours.metrics.cpuMs),
        ratio(rc.median),
      ],
      target: [
        `image import (${how}) within 1.25x of tar -xf per layer`,
        `${ratio(r.median)} (CPU ${ratio(rc.median)})`,
        verdict(r.median, 1.25),
      ],
      json: { how, image, tar, ours, ratio: r, cpuRatio: rc },
    };
  } finally {
    cleanupSandboxes();
  }
}

export function importReport(rows: ImportFigures[], rounds: number): string {
  return [
    `### Image import (overlay-tui load vs tar per layer), ${rounds} interleaved rounds`,
    '',
    `Ratio: per-round ours/tar, median (p10–p90). Load average at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}.`,
    '',
    '| image | tar wall | load wall | ratio | tar CPU | load CPU | CPU ratio |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.markdownRow.join(' | ')} |`),
    '',
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '7' },
      compression: { type: 'string', default: 'gzip,zstd,plain' },
    },
  });
  const rounds = Number(values.rounds);
  const rows: ImportFigures[] = [];
  for (const how of values.compression.split(',') as Compression[]) {
    rows.push(await benchImageImport(how, rounds));
    process.stderr.write('\n');
  }
  process.stdout.write(importReport(rows, rounds));
}
