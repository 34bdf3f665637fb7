/**
 * The escape probe side by side: overlay-tui's default profile and
 * --privileged, Docker's default and --privileged, podman's default, each
 * running the same static probe (test/support/escape-probe/) at /probe of
 * the same busybox image. Prints a markdown table (attempt × engine) and
 * each engine's raw lines, and writes both to bench/results/.
 * Not a test: Docker and podman are optional, and are started here only.
 *
 *   npm run build && tsc -p bench/tsconfig.json && node dist/bench/escape-compare.js
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { Docker, Podman, overlayTui, type Outcome } from './lib/escape-engines.js';
import {
  ATTEMPTS,
  buildProbe,
  hostDisk,
  parseProbe,
  probeArgs,
  probeImage,
  type Attempt,
} from './lib/escape-probe.js';
import { defaultImage, repoRoot, resultsDir } from './lib/paths.js';
import { cleanupSandboxes, leakedMounts, makeSandbox } from './lib/sandbox.js';

interface Column {
  engine: string;
  outcome: Outcome;
}

/** A table cell: the verdict, and why in a few words (the errno names, or the probe's own short reason). */
function cell(a: Attempt | undefined): string {
  if (!a) return '–';
  if (a.verdict === 'ok') return '**escaped**';
  if (a.verdict === 'absent') return 'absent';
  const errnos = [...new Set(a.detail.match(/\bE[A-Z0-9]+\b/g) ?? [])].join('/');
  const why = errnos || a.detail;
  return `${a.verdict} (${why.length > 32 ? `${why.slice(0, 31)}…` : why})`.replace(/\|/g, '\\|');
}

/** Engines that ran get a column; the others a note saying why not. */
function table(columns: Column[]): string {
  const ran = columns.flatMap((c) =>
    'stdout' in c.outcome ? [{ engine: c.engine, attempts: parseProbe(c.outcome.stdout) }] : [],
  );
  const row = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  const escapes = ran.map((r) => [...r.attempts.values()].filter((a) => a.verdict === 'ok').length);
  return [
    row(['attempt', ...ran.map((r) => r.engine)]),
    row(['---', ...ran.map(() => '---')]),
    ...ATTEMPTS.map((name) => row([`\`${name}\``, ...ran.map((r) => cell(r.attempts.get(name)))])),
    row(['**breakouts that worked**', ...escapes.map(String)]),
    '',
    '**escaped**: the breakout worked; blocked: refused (errno, or what the probe saw); absent: this kernel has no such thing.',
    '',
    ...columns.flatMap((c) =>
      'unavailable' in c.outcome ? [`- ${c.engine}: not run (${c.outcome.unavailable}).`] : [],
    ),
  ].join('\n');
}

function commit(): string {
  const r = spawnSync('git', ['-C', repoRoot, 'rev-parse', '--short', 'HEAD'], {
    encoding: 'utf8',
  });
  return r.status === 0 ? `(${r.stdout.trim()})` : '';
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root: the probe runs in real containers');
  const dir = makeSandbox('escape');
  const docker = new Docker(join(dir, 'docker'));
  const podman = new Podman(join(dir, 'podman'));
  let marker: string | undefined;
  try {
    const probe = buildProbe(join(repoRoot, 'test/support/escape-probe'), dir);
    const image = probeImage(defaultImage, probe, dir);
    const disk = hostDisk([dir, repoRoot]);
    marker = disk.marker; // may be in the repository when /tmp is not on a disk
    const args = probeArgs(disk, process.pid);
    const root = join(dir, 'root');
    mkdirSync(root, { mode: 0o700 });
    const columns: Column[] = [
      { engine: `overlay-tui ${commit()}`, outcome: overlayTui(image, root, [], args) },
      {
        engine: `overlay-tui ${commit()} --privileged`,
        outcome: overlayTui(image, root, ['--privileged'], args),
      },
    ];
    const dockerDown = await docker.start(image);
    const dv = dockerDown ? '' : ` ${docker.version()}`;
    const down = (why: string): Outcome => ({ unavailable: why });
    columns.push(
      { engine: `Docker${dv}`, outcome: dockerDown ? down(dockerDown) : docker.probe([], args) },
      {
        engine: `Docker${dv} --privileged`,
        outcome: dockerDown ? down(dockerDown) : docker.probe(['--privileged'], args),
      },
    );
    await docker.stop();
    const podmanDown = podman.start(image);
    columns.push({
      engine: `podman${podmanDown ? '' : ` ${podman.version()}`}`,
      outcome: podmanDown ? down(podmanDown) : podman.probe([], args),
    });
    podman.stop();

    const raw = columns.map(
      (c) =>
        `## ${c.engine}\n\n` +
        ('stdout' in c.outcome ? c.outcome.stdout : `not run: ${c.outcome.unavailable}\n`),
    );
    const host = `Host: Linux ${release()}, disk ${disk.dev} (${disk.fsType}), marker ${disk.marker}, host pid ${process.pid}; the host's root ${disk.hostCanOpen ? 'can' : 'cannot'} open that disk itself.`;
    const report = `${table(columns)}\n\n${host}\n\n${raw.join('\n')}`;
    console.log(report);
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, 'escape-compare.md'), report);
  } finally {
    if (marker) rmSync(marker, { force: true });
    await docker.stop();
    const leaked = leakedMounts();
    cleanupSandboxes();
    if (leaked.length)
      console.error(`escape-compare: unmounted what was left: ${leaked.join(', ')}`);
  }
}

main().catch((e: unknown) => {
  console.error(`escape-compare: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
