/**
 * The kernel as oracle for the layer model. One seed: a random bottom layer,
 * then one to three phases; each mounts the layers so far under a fresh
 * upper, makes random operations through the mount, and after every one
 * compares the merged view computed from scanning the layers with what
 * readdir + lstat show on the mount. A finished phase's upper (with a few
 * xattr whiteouts added) becomes the top lower layer of the next, as image
 * layers stack. Everything is a function of the seed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setAttributeSync } from '@napi-rs/xattr';
import type { LayerEntry, LayerId } from '../../src/overlay/layer-entry.js';
import { scanLayer } from '../../src/overlay/layer-scan.js';
import { computeMerged, walkMerged, type MergedView } from '../../src/overlay/merged-view.js';
import { contentMismatches } from './overlay-content.js';
import { featuresOf } from './overlay-features.js';
import { overlayDirs, withOverlay } from './overlay-mount.js';
import { buildRandomBase } from './overlay-random-base.js';
import { randomOp, type OpState } from './overlay-random-ops.js';
import { diffTrees, readKernelTree, renderMerged } from './overlay-render.js';
import { Rng } from './overlay-rng.js';

export type OracleMode = 'redirect-off' | 'redirect-on' | 'metacopy';

export interface SeedPlan {
  seed: number;
  mode: OracleMode;
  phases: number;
  opsPerPhase: number;
}

const MODES: OracleMode[] = ['redirect-off', 'redirect-on', 'metacopy'];
const MOUNT_OPTIONS: Record<OracleMode, string[]> = {
  'redirect-off': ['redirect_dir=off'],
  'redirect-on': ['redirect_dir=on'],
  metacopy: ['redirect_dir=on', 'metacopy=on'],
};

/** Mode and number of layers follow from the seed; ops are split over the phases. */
export function planFor(seed: number, opsPerSeed: number): SeedPlan {
  const phases = 1 + (Math.floor(seed / MODES.length) % 3);
  const mode = MODES[seed % MODES.length] as OracleMode;
  return { seed, mode, phases, opsPerPhase: Math.ceil(opsPerSeed / phases) };
}

export interface SeedResult {
  ops: number;
  /** Situation -> number of checks whose merged view held it (see overlay-features.ts). */
  features: Map<string, number>;
}

/** Runs one seed under root. Throws on the first disagreement between model and kernel. */
export function runSeed(plan: SeedPlan, root: string): SeedResult {
  const features = new Map<string, number>();
  const rng = new Rng(plan.seed);
  const base = join(root, 'l0');
  mkdirSync(base);
  buildRandomBase(base, rng);
  let lowers = [base];
  let ops = 0;
  for (let phase = 1; phase <= plan.phases; phase++) {
    const dirs = overlayDirs(root, lowers, String(phase));
    const lowerTrees = lowers.map((l) => scanLayer(l));
    const state: OpState = {
      merged: dirs.merged,
      redirectDir: plan.mode !== 'redirect-off',
      tree: new Map(),
      deletedDirs: [],
      counter: 0,
    };
    const log: string[] = [];
    const layerDir = (id: LayerId) => (id === 'upper' ? dirs.upper : (lowers[id] as string));
    const check = (step: number): MergedView => {
      const view = computeMerged({ upper: scanLayer(dirs.upper), lowers: lowerTrees });
      state.tree = readKernelTree(dirs.merged);
      const diff = diffTrees(renderMerged(view), state.tree);
      // Data sources: metacopy files at every step, every file at the end.
      const all = step === plan.opsPerPhase;
      diff.push(...contentMismatches(view, layerDir, dirs.merged, (m) => all || !!m.data));
      for (const f of featuresOf(view)) features.set(f, (features.get(f) ?? 0) + 1);
      if (diff.length > 0) {
        throw new Error(
          `model and kernel disagree: seed ${plan.seed} (${plan.mode}, ${plan.phases} phases), ` +
            `phase ${phase}, step ${step}\nreplay: OVL_ORACLE_SEEDS=${plan.seed} ` +
            `npx vitest run test/overlay-oracle.test.ts\nlast operations:\n` +
            `${log.slice(-12).join('\n')}\ndifferences:\n${diff.join('\n')}`,
        );
      }
      return view;
    };
    let last = withOverlay(dirs, MOUNT_OPTIONS[plan.mode], () => {
      let view = check(0);
      for (let step = 1; step <= plan.opsPerPhase; step++) {
        const op = randomOp(state, rng);
        log.push(`  ${step}: ${op.text}${attempt(op.run)}`);
        if (process.env.OVL_ORACLE_TRACE)
          console.error(`seed ${plan.seed} phase ${phase}${log.at(-1)}`);
        ops++;
        view = check(step);
      }
      return view;
    });
    if (phase < plan.phases) {
      // Rescan now it is unmounted: lookups may have added origin xattrs.
      last = computeMerged({ upper: scanLayer(dirs.upper), lowers: lowerTrees });
      addXattrWhiteouts(dirs.upper, last, rng);
      lowers = [dirs.upper, ...lowers];
    }
  }
  return { ops, features };
}

// Operations may fail (EXDEV without redirect_dir, ENOTEMPTY...): the kernel
// stays the oracle of what happened, so record it and go on.
function attempt(run: () => void): string {
  try {
    run();
    return '';
  } catch (err) {
    return `  -> ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
}

/**
 * Hides up to two lower names with xattr whiteouts in this (unmounted)
 * upper, in directories it then marks opaque=x, as an image builder could.
 */
function addXattrWhiteouts(upper: string, view: MergedView, rng: Rng): void {
  const candidates: { dir: string; name: string; entry: LayerEntry }[] = [];
  for (const m of walkMerged(view.root)) {
    const top = m.top.entry;
    if (m.top.layer !== 'upper' || !m.children || top.xattrs?.trusted?.opaque) continue;
    for (const child of m.children.values()) {
      if (child.top.layer !== 'upper')
        candidates.push({ dir: m.path, name: child.name, entry: top });
    }
  }
  for (let i = 0; i < 2 && candidates.length > 0; i++) {
    const c = candidates.splice(rng.int(0, candidates.length - 1), 1)[0];
    if (!c) break;
    const dir = join(upper, c.dir);
    writeFileSync(join(dir, c.name), '');
    setAttributeSync(join(dir, c.name), 'trusted.overlay.whiteout', '');
    setAttributeSync(dir, 'trusted.overlay.opaque', 'x');
  }
}
