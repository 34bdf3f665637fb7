/**
 * Layer extraction benchmark (issue 9): extractLayer against GNU tar on the
 * same blob, plain, gzip and zstd, for the default busybox image and a
 * generated layer of about 100 MB. A report, not a timed test:
 *
 *   npm run build && tsc -p bench/tsconfig.json
 *   node dist/bench/layer-extract.js [--rounds N]
 *
 * Interleaved rounds, each into a fresh directory (synced after, untimed).
 * `tar` is `tar -xf` (`-xzf`, `--zstd -xf`: GNU tar runs gzip or zstd as a
 * second process, on the other core); it checks no digest and makes no
 * whiteouts. Ours is extractLayer's own time in a Node process (start-up
 * excluded), with what hashing and decompressing alone cost on the side.
 *
 * Wall time on a shared 2-core machine swings with the load of others, so
 * CPU time (user + system, of tar and its gzip/zstd child; of the whole
 * Node process) is reported beside it: the figure that says what the work
 * costs.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { interleave, progressDots, type Cmd } from './lib/measure.js';
import { defaultImage, distBench } from './lib/paths.js';
import { cleanupSandboxes, makeSandbox, syncDisks } from './lib/sandbox.js';
import { ms, pairwise, ratio, summarize } from './lib/stats.js';

const CACHE = '/tmp/overlay-tui-bench-cache/layer-100m-v1';

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error?.message}`);
}

/**
 * About 100 MB in 6,000 files under 60 directories: sizes from 1 KiB to
 * 64 KiB, content half text-like (compresses well) and half random bytes
 * (does not), as a real layer mixes both. Deterministic; cached.
 */
function generatedTar(): string {
  const tar = join(CACHE, 'layer.tar');
  if (existsSync(tar)) return tar;
  const src = join(CACHE, 'src');
  mkdirSync(src, { recursive: true });
  let seed = 42;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const words = ['overlay', 'layer', 'lower', 'upper', 'whiteout', 'opaque', 'merged', 'copy-up'];
  let total = 0;
  for (let d = 0; d < 60; d++) {
    const dir = join(src, `dir-${d}`);
    mkdirSync(dir);
    for (let f = 0; f < 100; f++) {
      const size = 1024 + Math.floor(rand() * 32 * 1024);
      let body: Buffer; // text-like (compresses well) or hash output (does not)
      if (f % 2 === 0) {
        const parts: string[] = [];
        let len = 0;
        while (len < size) {
          const w = `${words[Math.floor(rand() * words.length)]} ${Math.floor(rand() * 1e6)}\n`;
          parts.push(w);
          len += w.length;
        }
        body = Buffer.from(parts.join('')).subarray(0, size);
      } else {
        body = Buffer.concat(
          Array.from({ length: Math.ceil(size / 64) }, (_, i) =>
            createHash('sha512').update(`${d}/${f}/${i}`).digest(),
          ),
        ).subarray(0, size);
      }
      writeFileSync(join(dir, `f-${f}`), body);
      total += size;
    }
  }
  run('tar', ['-cf', tar, '-C', src, '.']);
  process.stderr.write(`generated ${(total / 1e6).toFixed(0)} MB in 6,000 files: ${tar}\n`);
  return tar;
}

/** The tar, and its gzip and zstd blobs (cached beside it). */
function blobsOf(tar: string, label: string): { label: string; file: string; flag: string[] }[] {
  const dir = join(CACHE, label);
  mkdirSync(dir, { recursive: true });
  const gz = join(dir, 'layer.tar.gz');
  const zst = join(dir, 'layer.tar.zst');
  if (!existsSync(gz))
    writeFileSync(gz, spawnSync('gzip', ['-6', '-c', tar], { maxBuffer: 1 << 30 }).stdout);
  if (!existsSync(zst)) run('zstd', ['-q', '-3', '-f', '-o', zst, tar]);
  return [
    { label: `${label}, plain`, file: tar, flag: [] },
    { label: `${label}, gzip`, file: gz, flag: ['-z'] },
    { label: `${label}, zstd`, file: zst, flag: ['--zstd'] },
  ];
}

/** The children's user + system time from bash's `times` (its second line: "0m0.120s 0m0.300s"). */
function childrenCpuMs(stdout: string): number {
  const line = stdout.trim().split('\n').pop() ?? '';
  const secs = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  if (secs.length !== 2) throw new Error(`cannot read the CPU time from bash's times: ${line}`);
  return ((secs[0] ?? 0) + (secs[1] ?? 0)) * 1000;
}

function argRounds(): number {
  const i = process.argv.indexOf('--rounds');
  return i >= 0 ? Number(process.argv[i + 1]) : 5;
}

async function main(): Promise<void> {
  const rounds = argRounds();
  const inputs = [...blobsOf(defaultImage, 'busybox'), ...blobsOf(generatedTar(), '100 MB')];
  // A sandbox per input, removed after it: the trees of one input take
  // gigabytes (12 runs of 100 MB).
  let box = '';
  const rows: string[] = [];
  let n = 0;
  const fresh = (): string => {
    const d = join(box, `d${n++}`);
    mkdirSync(d);
    return d;
  };
  try {
    for (const input of inputs) {
      box = makeSandbox('layer-extract');
      const cmds: Cmd[] = [
        {
          label: 'tar',
          // `times` prints the shell's CPU, then its children's (tar and the
          // decompressor it waited for).
          prepare: () => [
            'bash',
            '-c',
            'tar "$@"; s=$?; times; exit $s',
            'tar',
            ...input.flag,
            '-xf',
            input.file,
            '-C',
            fresh(),
          ],
          cleanup: syncDisks,
          metrics: (stdout) => ({ cpuMs: childrenCpuMs(stdout) }),
        },
        {
          label: 'extractLayer',
          prepare: () => [
            process.execPath,
            join(distBench, 'layer-extract-one.js'),
            input.file,
            fresh(),
          ],
          cleanup: syncDisks,
          metrics: (stdout) => JSON.parse(stdout.trim()) as Record<string, number>,
        },
      ];
      const [tar, ours] = await interleave(cmds, {
        rounds,
        warmup: 1,
        onRound: progressDots(input.label),
      });
      if (!tar || !ours) continue;
      const oursMs = ours.metrics.extractMs ?? [];
      const oursCpu = ours.metrics.extractCpuMs ?? [];
      const tarCpu = tar.metrics.cpuMs ?? [];
      const r = summarize(pairwise(oursMs, tar.wall, (a, b) => a / b));
      const rc = summarize(pairwise(oursCpu, tarCpu, (a, b) => a / b));
      const med = (v: number[] | undefined): string => ms(summarize(v ?? []).median);
      rows.push(
        `| ${input.label} | ${ms(summarize(tar.wall).median)} | ${med(oursMs)} | ${ratio(r.median)} | ${med(tarCpu)} | ${med(oursCpu)} | ${ratio(rc.median)} | ${med(ours.metrics.decompressCpuMs)} | ${med(ours.metrics.hashCpuMs)} | ${summarize(ours.metrics.rssMB ?? []).median.toFixed(0)} MB |`,
      );
      cleanupSandboxes();
    }
  } finally {
    cleanupSandboxes();
  }
  const size = (f: string): string => `${(readFileSync(f).length / 1e6).toFixed(1)} MB`;
  process.stdout.write(
    [
      `Layer extraction, median of ${rounds} interleaved rounds (ratio: per-round ours/tar)`,
      '',
      '| blob | tar wall | ours wall | ratio | tar CPU | ours CPU | CPU ratio | decompress alone (CPU) | both sha256 alone (CPU) | ours peak RSS |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
      '',
      `Blobs: ${inputs.map((i) => `${i.label} ${size(i.file)}`).join('; ')}.`,
      `Node ${process.version}.`,
      '',
    ].join('\n'),
  );
}

await main();
