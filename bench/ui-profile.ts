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
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { cliBin, resultsDir } from './lib/paths.js';
import { cleanupSandboxes, makeSandbox } from './lib/sandbox.js';
import { markdownTable } from './lib/report.js';
import { ms, quantile } from './lib/stats.js';
import { AppSession, killLiveApps, sleep } from './ui-driver.js';
import { benchFloodKeys, typeKeys } from './ui-flood.js';
import { benchFeed } from './ui-feed.js';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  options: { cli: { type: 'string' }, top: { type: 'string', default: '25' } },
  allowPositionals: true,
});
const scenario = positionals[0] ?? '';
if (!['launch', 'keys', 'flood', 'feed'].includes(scenario)) {
  process.stderr.write('usage: ui-profile launch|keys|flood|feed [--cli FILE] [--top N]\n');
  process.exit(2);
}

/** A package, a dist/ chunk or a Node internal: where a function lives. */
function where(url: string): string {
  const u = url.replace(/^file:\/\//, '');
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u);
  if (nm?.[1]) return nm[1];
  if (u.startsWith('node:')) return 'node internals';
  const dist = /\/dist\/([^/]+)$/.exec(u);
  return dist?.[1] ? `dist/${dist[1]}` : u || '(vm)';
}

function frameName(n: Node): string {
  const { functionName, url, lineNumber } = n.callFrame;
  if (!url) return functionName || '(anonymous)';
  return `${functionName || '(anonymous)'} ${where(url)}:${lineNumber + 1}`;
}

function table(m: Map<string, number>, total: number, top: number, head: string): string {
  const rows = [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, v]) => [k, ms(v), `${((100 * v) / total).toFixed(1)} %`]);
  return markdownTable([head, 'self', 'of busy'], rows);
}

/**
 * A sample's phase, for the timeline: the innermost app function (dist/)
 * on its stack, else the innermost package, else Node's module loader.
 */
function phase(id: number, byId: Map<number, Node>, parent: Map<number, number>): string {
  let pkg: string | undefined;
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const n = byId.get(cur);
    if (!n) break;
    const w = n.callFrame.url ? where(n.callFrame.url) : '';
    if (w.startsWith('dist/') && n.callFrame.functionName) return frameName(n);
    if (!pkg && w && w !== 'node internals') pkg = w;
  }
  return pkg ?? 'Node (module loading, internals)';
}

function summarize(p: Profile, top: number, timeline: boolean): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const pkg = new Map<string, number>();
  const buckets = new Map<number, Map<string, number>>();
  const add = (m: Map<string, number>, k: string, v: number): void => {
    m.set(k, (m.get(k) ?? 0) + v);
  };
  let t = 0;
  let busy = 0;
  let idle = 0;
  p.samples.forEach((id, i) => {
    const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
    t += (p.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(id);
    if (!node) return;
    if (node.callFrame.functionName === '(idle)') {
      idle += dt;
      return;
    }
    busy += dt;
    add(self, frameName(node), dt);
    const place = node.callFrame.url ? where(node.callFrame.url) : node.callFrame.functionName;
    add(pkg, place, dt);
    const b = Math.floor(t / 50);
    if (!buckets.has(b)) buckets.set(b, new Map());
    if (timeline) add(buckets.get(b) ?? new Map(), phase(id, byId, parent), dt);
  });
  const out = [
    `Profile: ${ms(t)} recorded, ${ms(busy)} busy, ${ms(idle)} idle.`,
    '',
    table(pkg, busy, 15, 'Where (package, dist/ chunk)'),
    '',
    table(self, busy, top, 'Function (self time)'),
  ];
  if (timeline) {
    const rows = [...buckets.entries()].map(([b, m]) => {
      const total = [...m.values()].reduce((x, y) => x + y, 0);
      const lead = [...m.entries()].sort((x, y) => y[1] - x[1]).slice(0, 3);
      return [
        `${b * 50}–${b * 50 + 50} ms`,
        ms(total),
        lead.map(([k, v]) => `${k} ${ms(v)}`).join(', '),
      ];
    });
    out.push(
      '',
      markdownTable(
        ['Since profile start', 'busy', 'mostly (innermost app function or package)'],
        rows,
      ),
    );
  }
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
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  mkdirSync(resultsDir, { recursive: true });
  const kept = join(resultsDir, `ui-${scenario}.cpuprofile`);
  copyFileSync(join(dir, file), kept);
  const profile = JSON.parse(readFileSync(kept, 'utf8')) as Profile;
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
