/**
 * The kernel as oracle: random operations through real overlay mounts, and
 * after each one the merged view computed from the layers must equal what
 * the mount shows (see support/overlay-oracle.ts). Fixed seeds; replay one
 * with OVL_ORACLE_SEEDS=7 (comma-separated), OVL_ORACLE_OPS for ops per seed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { planFor, runSeed } from './support/overlay-oracle.js';
import { mountsUnder, removeRoot, tempRoot } from './support/state-root.js';

const OPS_PER_SEED = Number(process.env.OVL_ORACLE_OPS ?? 60);
const SEEDS = process.env.OVL_ORACLE_SEEDS
  ? process.env.OVL_ORACLE_SEEDS.split(',').map(Number)
  : Array.from({ length: 30 }, (_, i) => i + 1);

/**
 * What the fixed seeds must reach: a pass says little about a rule no run
 * exercised, and a change to the generator could stop reaching one silently.
 */
const REQUIRED_FEATURES = [
  'upper whiteout',
  'lower whiteout',
  'xattr whiteout',
  'non-dir over a dir',
  'absolute redirect',
  'relative redirect',
  'redirect in a lower layer',
  'opaque upper dir over a lower one',
  'opaque lower dir',
  'metacopy',
  'metacopy in a lower layer',
  'renamed metacopy (redirect)',
  'directory merged from 3+ layers',
  'ghost name',
];

let total = 0;
const features = new Map<string, number>();
const started = Date.now();

describe('merged view against the kernel', () => {
  it.each(SEEDS.map((seed) => planFor(seed, OPS_PER_SEED)))(
    'seed $seed ($mode, $phases layer phases)',
    (plan) => {
      const root = tempRoot('ovt-orc-');
      try {
        const result = runSeed(plan, root);
        total += result.ops;
        for (const [f, n] of result.features) features.set(f, (features.get(f) ?? 0) + n);
      } finally {
        expect(mountsUnder(root)).toEqual([]);
        removeRoot(root);
      }
    },
  );

  afterAll(() => {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const seen = [...features].map(([f, n]) => `  ${f}: ${n}`).join('\n');
    console.log(`oracle: ${total} operations over ${SEEDS.length} seeds in ${seconds} s\n${seen}`);
    if (process.env.OVL_ORACLE_SEEDS) return;
    expect(total).toBeGreaterThanOrEqual(1000);
    expect(REQUIRED_FEATURES.filter((f) => !features.has(f))).toEqual([]);
  });
});
