/**
 * Where the app's time goes: runs one UI scenario with the app under
 * `node --cpu-prof` (Node 20 refuses --cpu-prof in NODE_OPTIONS, so the
 * flag goes on the app's command line) and prints, as Markdown, the
 * scenario's figures and the profile by package and by function (self
 * time); for `launch`, a timeline in 50 ms steps. The .cpuprofile is kept
 * in bench/results/ for Chrome DevTools.
 *
 *   node dist/bench/ui-profile.js launch|keys|flood|feed [--cli FILE] [--top N]
 *
 * --cli runs another build of the CLI (e.g. an experiment in /tmp).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { cliBin, resultsDir } from './lib/paths.js';
import { cleanupSandboxes, makeSandbox } from './lib/sandbox.js';
import { markdownTable } from './lib/report.js';
import {
  busyTimeline,
  findCpuProfile,
  frameName,
  IDLE,
  loadCpuProfile,
  NODE_INTERNALS,
  placeOf,
  summarizeCpuProfile,
  type CpuProfile,
  type Stack,
} from './lib/cpu-profile.js';
import { ms, quantile } from './lib/stats.js';
import { AppSession, killLiveApps, sleep } from './ui-driver.js';
import { benchFloodKeys, typeKeys } from './ui-flood.js';
import { benchFeed } from './ui-feed.js';

const { values, positionals } = parseArgs({
  options: { cli: { type: 'string' }, top: { type: 'string', default: '25' } },
  allowPositionals: true,
});
const scenario = positionals[0] ?? '';
if (!['launch', 'keys', 'flood', 'feed'].includes(scenario)) {
  process.stderr.write('usage: ui-profile launch|keys|flood|feed [--cli FILE] [--top N]\n');
  process.exit(2);
}

/** Rows of the largest busy entries of m (the idle thread is not one). */
function table(m: Map<string, number>, busy: number, top: number, head: string): string {
  const rows = [...m.entries()]
    .filter(([k]) => k !== IDLE)
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, v]) => [k, ms(v), `${((100 * v) / busy).toFixed(1)} %`]);
  return markdownTable([head, 'self', 'of busy'], rows);
}

/**
 * A sample's phase, for the timeline: the innermost app function (dist/)
 * on its stack, else the innermost package, else Node's module loader.
 */
function phase(stack: Stack): string {
  let pkg: string | undefined;
  for (const n of stack) {
    const place = placeOf(n);
    if (place?.startsWith('dist/') && n.callFrame.functionName) return frameName(n);
    if (!pkg && place && place !== NODE_INTERNALS) pkg = place;
  }
  return pkg ?? 'Node (module loading, internals)';
}

function timeline(p: CpuProfile): string {
  const rows = busyTimeline(p, 50, phase).map(({ startMs, busyMs, phases }) => {
    const lead = [...phases.entries()].sort((x, y) => y[1] - x[1]).slice(0, 3);
    return [
      `${startMs}–${startMs + 50} ms`,
      ms(busyMs),
      lead.map(([k, v]) => `${k} ${ms(v)}`).join(', '),
    ];
  });
  return markdownTable(
    ['Since profile start', 'busy', 'mostly (innermost app function or package)'],
    rows,
  );
}

function summarize(p: CpuProfile, top: number, withTimeline: boolean): string {
  const s = summarizeCpuProfile(p);
  const busy = s.totalMs - s.idleMs;
  const out = [
    `Profile: ${ms(s.totalMs)} recorded, ${ms(busy)} busy, ${ms(s.idleMs)} idle.`,
    '',
    table(s.places, busy, 15, 'Where (package, dist/ chunk)'),
    '',
    table(s.self, busy, top, 'Function (self time)'),
  ];
  if (withTimeline) out.push('', timeline(p));
  return out.join('\n');
}

function figures(label: string, xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const q = (v: number): string => ms(quantile(s, v));
  return `${label}: n ${s.length}, median ${q(0.5)}, p90 ${q(0.9)}, p99 ${q(0.99)}, max ${q(1)}`;
}

async function run(root: string, dir: string): Promise<string[]> {
  const nodeArgs = ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=250'];
  const app = await AppSession.start(['--root', root], {
    nodeArgs,
    ...(values.cli !== undefined ? { cli: values.cli } : {}),
  });
  const lines: string[] = [];
  const prompt = await app.waitForText(/\/ # /, 20_000);
  lines.push(`launch (under the profiler): ${ms(prompt - app.t0)} to the prompt`);
  const f0 = app.frames;
  const t0 = performance.now();
  if (scenario === 'keys') lines.push(figures('key → echo', await typeKeys(app, 60, () => {})));
  if (scenario === 'flood') {
    await app.clear('profile');
    const r = await benchFloodKeys(app, 60, () => {});
    lines.push(figures('key → echo in the flood', r.keys), JSON.stringify(r.stats));
  }
  if (scenario === 'feed') {
    const r = await benchFeed(app, 60, () => {});
    lines.push(figures('write → feed', r.feed), figures('write → prompt', r.prompt));
  }
  const frames = app.frames - f0;
  if (scenario !== 'launch') lines.push(`${frames} frames in ${ms(performance.now() - t0)}`);
  await sleep(200);
  const exit = await app.exit();
  if (exit.code !== 0) throw new Error(`the app exited with ${exit.code}`);
  return lines;
}

try {
  const box = makeSandbox('uiprof');
  const root = join(box, 'root');
  const dir = join(box, 'profile');
  const warm = spawnSync(process.execPath, [cliBin, 'run', '--root', root, '--', 'true']);
  if (warm.status !== 0) throw new Error(`the warm-up run failed: ${String(warm.stderr)}`);
  const lines = await run(root, dir);
  mkdirSync(resultsDir, { recursive: true });
  const kept = join(resultsDir, `ui-${scenario}.cpuprofile`);
  copyFileSync(findCpuProfile(dir), kept);
  const profile = loadCpuProfile(kept);
  process.stdout.write(
    [
      `### UI profile: ${scenario}${values.cli ? ` (${values.cli})` : ''}`,
      '',
      ...lines.map((l) => `- ${l}`),
      '',
      summarize(profile, Number(values.top), scenario === 'launch'),
      '',
      `(${kept})`,
      '',
    ].join('\n'),
  );
} catch (err) {
  process.stderr.write(`ui-profile: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await killLiveApps();
  const leaked = cleanupSandboxes();
  if (leaked.length > 0) {
    process.stderr.write(`ui-profile: leaked mounts ${leaked.join(', ')}\n`);
    process.exitCode = 1;
  }
}
