/**
 * Random `kill -9`s of overlay-tui at random moments across import (a
 * fresh image for some), mount, run and teardown. After each, `clean` (or
 * the next run) leaves no mount, no process of the container (its recorded
 * pid 1, by pid and start time), no container directory and no
 * interrupted extraction, and the next run works.
 *
 * CI runs OVL_FAULT_KILLS (default 24) kills, three at a time; set it to
 * 200 for the full run. The seed is printed; OVL_FAULT_SEED replays one.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { CLI, DEFAULT_IMAGE_PATH, HELPER } from './support/paths.js';
import { startCli } from './support/spawn-cli.js';
import {
  expectNothingLeft,
  hasStackTrace,
  mountsBelow,
  recordedInits,
  tmpfsRoot,
} from './support/fault-root.js';

const KILLS = Number(process.env.OVL_FAULT_KILLS ?? 24);
const SLOTS = 3;
const SEED = Number(process.env.OVL_FAULT_SEED ?? Date.now() % 2 ** 31);

/** mulberry32: small, seeded, good enough to pick moments. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The CLI, without blocking the other slots' timers (spawnSync would). */
function cli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

const runTrue = (root: string) => cli(['run', '--root', root, '--', 'true']);

type Phase = 'import' | 'running' | 'setup or teardown' | 'before or after';

/** Where the killed run was, from what it left. */
function phaseOf(root: string): Phase {
  const importing = ['layers', 'images'].some((where) => {
    const dir = join(root, where);
    return existsSync(dir) && readdirSync(dir).some((n) => n.startsWith('.tmp'));
  });
  if (importing) return 'import';
  const containers = join(root, 'containers');
  if (!existsSync(containers) || readdirSync(containers).length === 0) return 'before or after';
  return mountsBelow(root).length > 0 && recordedInits(root).length > 0
    ? 'running'
    : 'setup or teardown';
}

/** A copy of the busybox image with one more file: a digest never seen, so it is imported. */
function freshImage(dir: string, n: number): string {
  const tar = join(dir, `image-${n}.tar`);
  const extra = join(dir, `unique-${n}`);
  writeFileSync(extra, `${n}\n`);
  expect(spawnSync('cp', [DEFAULT_IMAGE_PATH, tar]).status).toBe(0);
  expect(spawnSync('tar', ['-rf', tar, '-C', dir, `unique-${n}`]).status).toBe(0);
  rmSync(extra);
  return tar;
}

/** Drops every stored image and layer but the default image's, so the tmpfs does not fill up. */
function dropFreshImages(root: string, keep: readonly string[]): void {
  for (const where of ['images', 'layers']) {
    const dir = join(root, where);
    for (const name of existsSync(dir) ? readdirSync(dir) : []) {
      if (/^[0-9a-f]{64}$/.test(name) && !keep.includes(name)) {
        expect(spawnSync(HELPER, ['rmtree', join(dir, name)]).status).toBe(0);
      }
    }
  }
}

async function killLoop(
  slot: number,
  count: number,
  random: () => number,
  phases: Map<Phase, number>,
): Promise<void> {
  const fs = tmpfsRoot('ovt-kill-', 128);
  const src = mkdtempSync('/tmp/ovt-kill-src-');
  const { root } = fs;
  try {
    // The default image once, so that most kills land after import; how
    // long a cold and a warm run take here sets the range of moments.
    let t = Date.now();
    expect((await runTrue(root)).code).toBe(0);
    const cold = Date.now() - t;
    t = Date.now();
    expect((await runTrue(root)).code).toBe(0);
    const warm = Date.now() - t;
    const hexes = (where: string): string[] =>
      readdirSync(join(root, where)).filter((n) => /^[0-9a-f]{64}$/.test(n));
    const defaults = [...hexes('images'), ...hexes('layers')]; // the default image and its layer
    for (let i = 0; i < count; i++) {
      const fresh = random() < 0.25;
      const image = fresh ? ['--image', freshImage(src, slot * 10_000 + i)] : [];
      const run = startCli([
        ...['run', '--root', root, ...image],
        ...['--', 'sh', '-c', 'echo x > /tmp/f; sleep 0.05'],
      ]);
      // A moment anywhere from start-up to the end of teardown.
      await new Promise((r) => setTimeout(r, (0.25 + random() * 0.85) * (fresh ? cold : warm)));
      const phase = phaseOf(root);
      run.child.kill('SIGKILL');
      await run.exit;
      const inits = recordedInits(root);
      phases.set(phase, (phases.get(phase) ?? 0) + 1);
      if (i % 2 === 0) {
        const clean = await cli(['clean', '--root', root]);
        expect(hasStackTrace(clean.stderr), clean.stderr).toBe(false);
        expect(clean.code).toBe(0);
      } else {
        const next = await runTrue(root);
        expect(hasStackTrace(next.stderr), next.stderr).toBe(false);
        expect(next.code, next.stderr).toBe(0);
        // What the next run's own start did not take (an extraction by a
        // process just killed, which it cannot tell from a live one yet)
        // is for clean.
        expect((await cli(['clean', '--root', root])).code).toBe(0);
      }
      expectNothingLeft(root, inits);
      if (fresh) dropFreshImages(root, defaults);
    }
    expect((await runTrue(root)).code).toBe(0);
    expectNothingLeft(root, []);
  } finally {
    fs.dispose();
    rmSync(src, { recursive: true, force: true });
  }
}

it(
  `${KILLS} random kill -9s across import, mount, run and teardown leave nothing behind`,
  async () => {
    console.log(`fault-kill: seed ${SEED} (OVL_FAULT_SEED to replay), ${KILLS} kills`);
    const random = rng(SEED);
    const phases = new Map<Phase, number>();
    const perSlot = Math.ceil(KILLS / SLOTS);
    // Settled, not Promise.all: a slot that fails must not leave the
    // others running (and their tmpfs mounted) after the test has ended.
    const results = await Promise.allSettled(
      Array.from({ length: SLOTS }, (_, slot) =>
        killLoop(slot, Math.min(perSlot, KILLS - slot * perSlot), random, phases),
      ),
    );
    for (const r of results) if (r.status === 'rejected') throw r.reason;
    console.log(`fault-kill: killed during ${JSON.stringify(Object.fromEntries(phases))}`);
  },
  KILLS * 4000,
);
