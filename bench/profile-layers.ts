/**
 * Where the layer benchmarks' time goes, for the targets they can miss:
 *
 *   node dist/bench/profile-layers.js diff     `overlay-tui diff` on the
 *       10,000-change container, once, under node --cpu-prof
 *   node dist/bench/profile-layers.js stream   the watching process of the
 *       stream benchmark (start, 1,000 changes, 1,000 latency writes)
 *
 * Prints Markdown: time by category (each sample goes to the first bucket
 * its stack matches), then the functions with the most inclusive and self
 * time (for stream: inclusive time inside UpperWatcher.flush).
 */
import { mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { checkPrerequisites, cliBin } from './lib/paths.js';
import { checkLayerEntries } from './lib/layer-engine.js';
import { cleanupSandboxes, makeSandbox } from './lib/sandbox.js';
import { markdownTable } from './lib/report.js';
import { readCpuProfile, topFunctions, type Categorize } from './lib/cpu-profile.js';
import { ensureSyntheticLower } from './gen-lower.js';
import { CONTAINER, makeKeptContainer } from './layers-diff.js';
import { benchStream } from './layers-stream.js';

const has =
  (stack: readonly string[]) =>
  (fn: string): boolean =>
    stack.some((f) => f.startsWith(`${fn} `) || f.includes(`/${fn}/`));

function vmBucket(stack: readonly string[]): string | undefined {
  const leaf = stack[0] ?? '';
  if (leaf === '(garbage collector)') return 'garbage collector';
  if (leaf === '(idle)') return 'idle';
  if (leaf === '(program)') return 'V8/Node (program)';
  return undefined;
}

const diffBuckets: Categorize = (stack) => {
  const h = has(stack);
  if (h('sameContent')) return 'classifyLayers › sameContent (compare file bytes)';
  if (h('ensureUnder')) return 'classifyLayers › LowerLoader.ensureUnder (lower entries)';
  if (h('computeMerged')) return 'classifyLayers › computeMerged';
  if (h('classifyUpper')) return 'classifyLayers › classifyUpper (the rest)';
  if (h('classifyLayers')) return 'classifyLayers › the rest';
  if (h('scanLayer')) return 'scanLayer(upper)';
  if (h('diffCommand')) return 'diffCommand › the rest (prepare, format, write)';
  return vmBucket(stack) ?? 'start-up, module loading, other';
};

const streamBuckets: Categorize = (stack) => {
  const h = has(stack);
  if (h('flush') || h('finish')) {
    if (h('rescanPath')) return 'UpperWatcher.flush › rescanPath (dirty paths)';
    if (h('classifyLayers')) return 'UpperWatcher.flush › classifyUnder (changed subtrees)';
    if (h('changeEvents')) return 'UpperWatcher.flush › changeEvents (changed subtrees)';
    return 'UpperWatcher.flush › the rest';
  }
  if (h('UpperWatcher')) return 'UpperWatcher constructor (first scan)';
  if (h('FSWatcher') || h('DirWatches')) return 'inotify watches (dir-watches.ts, fs.watch)';
  return vmBucket(stack) ?? 'other (IPC, timers, Node internals)';
};

function print(title: string, s: ReturnType<typeof readCpuProfile>, extra: string[]): void {
  const head = ['Function', 'ms', 'share'];
  process.stdout.write(
    [
      `### ${title}`,
      '',
      `Profile total: ${s.totalMs.toFixed(0)} ms.`,
      '',
      markdownTable(['Category', 'ms', 'share'], topFunctions(s.categories, s.totalMs, 20)),
      '',
      '**Inclusive time**',
      '',
      markdownTable(head, topFunctions(s.inclusive, s.totalMs, 30)),
      '',
      '**Self time**',
      '',
      markdownTable(head, topFunctions(s.self, s.totalMs, 15)),
      '',
      ...extra,
    ].join('\n'),
  );
}

async function main(mode: string): Promise<void> {
  if (mode !== 'diff' && mode !== 'stream') throw new Error('usage: profile-layers diff|stream');
  checkPrerequisites();
  checkLayerEntries();
  const lower = ensureSyntheticLower();
  const prof = join(makeSandbox('profile-layers'), 'prof');
  mkdirSync(prof);
  const cpuProf = ['--cpu-prof', `--cpu-prof-dir=${prof}`];
  if (mode === 'diff') {
    const root = makeKeptContainer(lower.path);
    const out = join(root, 'diff.txt');
    const argv = [process.execPath, ...cpuProf, cliBin, 'diff', '--root', root, CONTAINER];
    const t0 = performance.now();
    const r = spawnSync('sh', ['-c', 'exec "$@" > "$0"', out, ...argv], { encoding: 'utf8' });
    const wall = performance.now() - t0;
    if (r.status !== 0) throw new Error(`diff failed: ${r.stderr}`);
    print(
      `CPU profile of one \`overlay-tui diff\` (10,000 changed paths), wall ${wall.toFixed(0)} ms with the profiler`,
      readCpuProfile(prof, undefined, diffBuckets),
      [],
    );
    return;
  }
  const result = await benchStream({
    lower: lower.path,
    lowerDirs: lower.dirs,
    writes: 1000,
    changes: [100, 1000],
    watcherExecArgv: cpuProf,
  });
  const inFlush = readCpuProfile(prof, 'flush dist/');
  print(
    'CPU profile of the watching process (start, 1,000 changes, 1,000 latency writes)',
    readCpuProfile(prof, undefined, streamBuckets),
    [
      `**Inclusive time inside UpperWatcher.flush** (${inFlush.totalMs.toFixed(0)} ms, ` +
        `${result.flushMs.length} flushes during the latency writes)`,
      '',
      markdownTable(
        ['Function', 'ms', 'share'],
        topFunctions(inFlush.inclusive, inFlush.totalMs, 30),
      ),
      '',
    ],
  );
}

try {
  await main(process.argv[2] ?? '');
} catch (err) {
  process.stderr.write(`profile-layers: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  const leaked = cleanupSandboxes();
  if (leaked.length > 0) process.stderr.write(`profile-layers: unmounted ${leaked.join(', ')}\n`);
}
