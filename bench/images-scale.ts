/**
 * Images at the scale where dive fails (issue 9): gen-layered.ts's
 * 1,000,000-file, 20-layer image. Targets: the app's top level on screen
 * < 500 ms, the whole image searchable < 10 s, peak RSS < 1 GB, and
 * `overlay-tui layers` < 15 s.
 *
 * The app is driven as ui-layers.ts drives it (the app's store and <App>
 * in Ink, over the engine's watcher on the layer directories), a process
 * of its own. `overlay-tui layers` is the real command, a fresh process
 * per round, on a state root that holds the image as a load would have
 * left it: layers/<hex>/{layer.json,diff/} with each diff/ a read-only
 * bind mount of a generated layer directory (a load of 1,000,000 files
 * takes minutes and gigabytes: the layers command reads only diff/ and
 * the records, so this measures the same work). The diff_ids are made up
 * (sha256 of the layer's name): `layers` does not re-hash stored layers.
 * Mounts are removed in `finally`.
 *
 *   node dist/bench/images-scale.js [--rounds N] [--switches N]
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureLayeredImage, type LayeredImageDirs } from './gen-layered.js';
import { cliBin } from './lib/paths.js';
import { verdict } from './lib/report.js';
import { cleanupSandboxes, makeSandbox } from './lib/sandbox.js';
import { summarize } from './lib/stats.js';
import { benchUiLayers, type UiLayersFigures } from './ui-layers.js';

const TAG = 'bench-1m:latest';

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error?.message}`);
}

/** A state root holding the image, its layers bind-mounted read-only; returns the mount points. */
function storeOf(root: string, image: LayeredImageDirs): string[] {
  const now = new Date().toISOString();
  const diffIds = image.dirs.map(
    (d, i) =>
      `sha256:${createHash('sha256')
        .update(`${image.version} layer ${i + 1} ${d}`)
        .digest('hex')}`,
  );
  for (const sub of ['layers', 'images', 'containers']) mkdirSync(join(root, sub), { mode: 0o700 });
  const mounts: string[] = [];
  image.dirs.forEach((dir, i) => {
    const hex = (diffIds[i] ?? '').slice(7);
    const layer = join(root, 'layers', hex);
    mkdirSync(join(layer, 'diff'), { recursive: true, mode: 0o755 });
    writeFileSync(
      join(layer, 'layer.json'),
      JSON.stringify({
        diffId: diffIds[i],
        tarSize: 0,
        entries: 0,
        bytes: 0,
        whiteouts: 0,
        opaques: 0,
        skipped: [],
        importedAt: now,
      }),
      { mode: 0o644 },
    );
    const diff = join(layer, 'diff');
    sh('mount', ['--bind', dir, diff]);
    mounts.push(diff);
    sh('mount', ['-o', 'remount,bind,ro', diff]);
  });
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: image.dirs.map((_, i) => ({ created_by: `/bin/sh -c make layer ${i + 1}` })),
    }),
  );
  const id = createHash('sha256').update(config).digest('hex');
  const imageDir = join(root, 'images', id);
  mkdirSync(imageDir, { mode: 0o755 });
  writeFileSync(join(imageDir, 'config.json'), config, { mode: 0o644 });
  writeFileSync(
    join(imageDir, 'image.json'),
    JSON.stringify({
      id,
      tags: [TAG],
      layers: diffIds,
      config: {
        history: image.dirs.map((_, i) => ({
          createdBy: `/bin/sh -c make layer ${i + 1}`,
          emptyLayer: false,
        })),
        architecture: 'amd64',
        os: 'linux',
      },
      source: image.version,
      form: 'oci-layout',
      importedAt: now,
    }),
    { mode: 0o644 },
  );
  return mounts;
}

interface LayersRound {
  ms: number;
  cpuMs: number;
  maxRssMB: number;
}

/** `overlay-tui layers` once, under /usr/bin/time: wall, CPU and peak RSS. */
function layersOnce(root: string): LayersRound {
  const t0 = performance.now();
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', '%U %S %M', process.execPath, cliBin, 'layers', '--root', root, TAG],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`overlay-tui layers failed: ${r.stderr.trim()}`);
  if (!/wasted/i.test(r.stdout))
    throw new Error(`overlay-tui layers printed no report: ${r.stdout}`);
  const [user = 0, sys = 0, rssKB = 0] = (r.stderr.trim().split('\n').at(-1) ?? '')
    .split(' ')
    .map(Number);
  return { ms, cpuMs: (user + sys) * 1000, maxRssMB: rssKB / 1024 };
}

export interface ScaleFigures {
  image: LayeredImageDirs;
  ui: UiLayersFigures;
  layers: LayersRound[];
  loadavg: number[];
  markdown: string;
  targets: string[][];
}

export async function benchImagesScale(rounds: number, switches: number): Promise<ScaleFigures> {
  const image = ensureLayeredImage();
  process.stderr.write('images at scale: the app on the 1M-file image\n');
  const ui = await benchUiLayers({
    layers: image.dirs.length,
    files: image.files,
    switches,
    lowers: [...image.dirs].reverse(),
    searchFor: `n${image.dirs.length}-215`,
  });
  const box = makeSandbox('images-scale');
  const layers: LayersRound[] = [];
  try {
    const root = join(box, 'root');
    mkdirSync(root, { mode: 0o700 });
    storeOf(root, image);
    for (let i = 0; i < rounds; i++) {
      layers.push(layersOnce(root));
      process.stderr.write(`layers round ${i + 1}: ${(layers.at(-1)?.ms ?? 0).toFixed(0)} ms\n`);
    }
  } finally {
    // Unmounts every bind under the sandbox, then removes it.
    cleanupSandboxes();
  }
  const s = (v: number): string => `${(v / 1000).toFixed(2)} s`;
  const wall = summarize(layers.map((l) => l.ms));
  const cpu = summarize(layers.map((l) => l.cpuMs));
  const layersRss = Math.max(...layers.map((l) => l.maxRssMB));
  const la = loadavg();
  const targets = [
    [
      '1M files: app top level on screen < 500 ms',
      `${ui.topLevelMs.toFixed(0)} ms`,
      verdict(ui.topLevelMs, 500),
    ],
    [
      '1M files: whole image searchable < 10 s',
      s(ui.wholeImageMs + ui.searchRowsMs),
      verdict(ui.wholeImageMs + ui.searchRowsMs, 10_000),
    ],
    ['1M files: app peak RSS < 1 GB', `${ui.maxRssMB.toFixed(0)} MB`, verdict(ui.maxRssMB, 1024)],
    ['1M files: overlay-tui layers < 15 s', s(wall.median), verdict(wall.median, 15_000)],
  ];
  const markdown = [
    `### Images at scale (${image.version}: ${image.files.toLocaleString('en')} files, ${image.dirs.length} layers, ${image.whiteouts} whiteouts)`,
    '',
    `Load average at the end: ${la.map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores.`,
    '',
    '| figure | value | target |',
    '| --- | --- | --- |',
    `| app: top level on screen (watcher start to first frame) | ${ui.topLevelMs.toFixed(0)} ms | < 500 ms |`,
    `| app: whole image read into the tree | ${s(ui.wholeImageMs)} | |`,
    `| app: then a search's rows over the whole stack (CPU) | ${ui.searchRowsMs.toFixed(0)} ms | |`,
    `| app: searchable (the two above) | ${s(ui.wholeImageMs + ui.searchRowsMs)} | < 10 s |`,
    ...ui.rounds.map(
      (r) =>
        `| app: ${r.label}: layer switch to screen (n=${r.switches.n}) | median ${r.switches.median.toFixed(0)} ms, p99 ${r.switches.p99.toFixed(0)} ms | |`,
    ),
    `| app: peak RSS | ${ui.maxRssMB.toFixed(0)} MB | < 1 GB |`,
    `| overlay-tui layers, wall, median of ${layers.length} (p10–p90) | ${s(wall.median)} (${s(wall.p10)}–${s(wall.p90)}) | < 15 s |`,
    `| overlay-tui layers, CPU (user + system), median | ${s(cpu.median)} | |`,
    `| overlay-tui layers, peak RSS (max) | ${layersRss.toFixed(0)} MB | |`,
    '',
  ].join('\n');
  return { image, ui, layers, loadavg: la, markdown, targets };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '3' },
      switches: { type: 'string', default: '40' },
    },
  });
  const r = await benchImagesScale(Number(values.rounds), Number(values.switches));
  process.stdout.write(r.markdown);
  process.exit(0);
}
