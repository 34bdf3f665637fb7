/**
 * Benchmark 1: one warm container run of `true`.
 *
 * Three commands, interleaved: the CLI (`overlay-tui run -- true` over an
 * image already extracted), plain-container.sh (the same mount, namespaces,
 * pivot_root and teardown with util-linux only, over the same lower), and
 * `node -e 0` (Node's own start-up, which the CLI cannot avoid). The
 * engine's own cost is median(CLI) − median(node -e 0); the target is at
 * most 2× the plain script's median. Two diagnostics run with them to
 * split that cost: `overlay-tui --version` (Node plus the CLI's entry
 * module) and helper-container.sh (the engine's C helper without Node).
 * A sixth, `run --privileged -- true`, prices the confinement profile
 * (capabilities, masked paths, nodev, seccomp): at most 5 ms more.
 * Two more set the OCI runtime path beside them: `run --runtime runc --
 * true`, and plain `runc run` of a bundle prepared once (the same lower
 * under an overlay, the config.json overlay-tui generates) as its reference.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  cliBin,
  defaultImage,
  helperBin,
  helperScript,
  plainScript,
  repoRoot,
} from './lib/paths.js';
import { interleave, progressDots, type Cmd, type Series } from './lib/measure.js';
import { makeSandbox, mountsUnder } from './lib/sandbox.js';
import { pairwise, ratio, spread, summarize, ms } from './lib/stats.js';
import { markdownTable, seriesJson, timingCells, TIMING_HEADERS, verdict } from './lib/report.js';
import { prepareRuncBundle } from './lib/runc-bundle.js';

export const TARGET_RATIO = 2;
/** What the confinement profile may add to a run, in ms. */
export const TARGET_CONFINE_MS = 5;

interface ProfileModules {
  defaultProfile(): unknown;
  confineHelperArgs(profile: unknown, rulesFile: string): string[];
}

/**
 * The helper's options for Docker's default profile, made by the engine's
 * own modules (built into dist/ by `npm run build`), with the seccomp
 * rules the first run wrote: the helper-only row runs what `run` runs.
 */
async function profileHelperArgs(rulesFile: string): Promise<string[]> {
  const load = (m: string) => import(join(repoRoot, 'dist', 'engine', 'confine', m));
  const [{ defaultProfile }, { confineHelperArgs }] = (await Promise.all([
    load('profile.js'),
    load('helper-args.js'),
  ])) as [Pick<ProfileModules, 'defaultProfile'>, Pick<ProfileModules, 'confineHelperArgs'>];
  return confineHelperArgs(defaultProfile(), rulesFile);
}

export interface ContainerRunResult {
  markdown: string;
  json: object;
  /** Rows for the summary of targets: what, measured, verdict. */
  targets: string[][];
}

/** The extracted lower of the only image in a fresh state root. */
function lowerOf(root: string): string {
  const digests = readdirSync(join(root, 'images')).filter((n) => /^[0-9a-f]{64}$/.test(n));
  if (digests.length !== 1 || digests[0] === undefined)
    throw new Error(`expected one image under ${root}/images, found ${digests.length}`);
  return join(root, 'images', digests[0], 'lower');
}

/** The one seccomp rules file a default run leaves under the state root. */
function seccompRulesOf(root: string): string {
  const rules = readdirSync(join(root, 'seccomp')).filter((n) => n.endsWith('.rules'));
  if (rules.length !== 1 || rules[0] === undefined)
    throw new Error(`expected one seccomp rules file under ${root}/seccomp, found ${rules.length}`);
  return join(root, 'seccomp', rules[0]);
}

export async function benchContainerRun(rounds: number): Promise<ContainerRunResult> {
  const box = makeSandbox('run');
  const root = join(box, 'root');
  const plainDir = join(box, 'plain');
  const helperDir = join(box, 'helper');
  const runcDir = join(box, 'runc');
  mkdirSync(plainDir);
  mkdirSync(helperDir);
  mkdirSync(runcDir);
  // Untimed: extract the image once, so every timed run is a warm one.
  const first = spawnSync(process.execPath, [cliBin, 'run', '--root', root, '--', 'true'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  if (first.status !== 0) throw new Error(`the first (extracting) run failed: ${first.stderr}`);
  const lower = lowerOf(root);
  const runc = await prepareRuncBundle(lower, runcDir);
  // The first run wrote the default profile's seccomp rules (and the
  // helper compiled them beside it): the helper-only row loads the same.
  const profileArgs = await profileHelperArgs(seccompRulesOf(root));

  const runTrue = (...opts: string[]) => [
    ...[process.execPath, cliBin, 'run', '--root', root],
    ...[...opts, '--', 'true'],
  ];
  const helperRun = (...opts: string[]) => [
    'sh',
    helperScript,
    helperBin,
    lower,
    helperDir,
    ...opts,
  ];
  const cmds: Cmd[] = [
    { label: 'overlay-tui run -- true', prepare: () => runTrue() },
    { label: 'plain-container.sh', prepare: () => ['sh', plainScript, lower, plainDir] },
    { label: 'node -e 0', prepare: () => [process.execPath, '-e', '0'] },
    // Diagnostics, not part of the target: they split the engine's cost.
    {
      label: 'diagnostic: overlay-tui --version',
      prepare: () => [process.execPath, cliBin, '--version'],
    },
    { label: 'diagnostic: helper-container.sh', prepare: () => helperRun() },
    {
      label: 'diagnostic: helper-container.sh, the profile',
      prepare: () => helperRun(...profileArgs),
    },
    {
      label: 'diagnostic: helper-container.sh --privileged',
      prepare: () => helperRun('--privileged'),
    },
    { label: 'overlay-tui run --privileged -- true', prepare: () => runTrue('--privileged') },
    {
      label: 'overlay-tui run --runtime runc -- true',
      prepare: () => runTrue('--runtime', 'runc'),
    },
    { label: 'reference: runc run (prepared bundle)', prepare: () => runc.argv },
  ];
  let series: Series[];
  try {
    series = await interleave(cmds, {
      rounds,
      warmup: 3,
      onRound: progressDots('container run'),
    });
  } finally {
    runc.close();
  }
  checkNothingLeft(root, box);
  return analyse(series, { image: defaultImage, lower });
}

/** Every run must have torn itself down: no container directory, no mount. */
function checkNothingLeft(root: string, box: string): void {
  const runtimeDir = join(root, 'runtime', 'runc');
  const runcLeft = existsSync(runtimeDir) ? readdirSync(runtimeDir) : [];
  if (runcLeft.length > 0)
    throw new Error(`runc state left in ${runtimeDir}: ${runcLeft.join(', ')}`);
  const left = readdirSync(join(root, 'containers'));
  if (left.length > 0) throw new Error(`containers left behind in ${root}: ${left.join(', ')}`);
  const mounts = mountsUnder(box);
  if (mounts.length > 0) throw new Error(`mounts left behind: ${mounts.join(', ')}`);
}

function confineVerdict(costMs: number): string {
  return costMs <= TARGET_CONFINE_MS
    ? `**met** (≤ ${TARGET_CONFINE_MS} ms)`
    : `**missed** (> ${TARGET_CONFINE_MS} ms)`;
}

function analyse(series: Series[], context: object): ContainerRunResult {
  const [run, plain, node, version, helper, helperProfile, helperPrivileged, privileged] = series;
  const [viaRunc, runcRef] = series.slice(8);
  if (!run || !plain || !node || !version || !helper || !privileged)
    throw new Error('missing series');
  if (!helperProfile || !helperPrivileged || !viaRunc || !runcRef)
    throw new Error('missing series');
  const [sRun, sPlain, sNode, sVersion, sHelper] = series.map((x) => summarize(x.wall));
  if (!sRun || !sPlain || !sNode || !sVersion || !sHelper) throw new Error('missing summary');
  const sPrivileged = summarize(privileged.wall);
  const confineCost = sRun.median - sPrivileged.median;
  const pairedConfine = summarize(pairwise(run.wall, privileged.wall, (r, p) => r - p));
  // The same without Node: the helper alone, less noisy.
  const helperConfine = summarize(
    pairwise(helperProfile.wall, helperPrivileged.wall, (c, p) => c - p),
  );
  const helperConfineCost =
    summarize(helperProfile.wall).median - summarize(helperPrivileged.wall).median;
  const cost = sRun.median - sNode.median;
  const costRatio = cost / sPlain.median;
  // Round by round (all ran back to back): the spread of the derived figures.
  const costs = pairwise(run.wall, node.wall, (r, n) => r - n);
  const pairedCost = summarize(costs);
  const pairedRatio = summarize(pairwise(costs, plain.wall, (c, p) => c / p));
  const startup = summarize(pairwise(version.wall, node.wall, (v, n) => v - n));
  const own = pairwise(run.wall, version.wall, (r, v) => r - v);
  const ownWork = summarize(own);
  const orchestration = summarize(pairwise(own, helper.wall, (w, h) => w - h));

  const rows = series.map((x) => {
    const s = summarize(x.wall);
    return [...timingCells(x.label, s), ratio(s.median / sPlain.median)];
  });
  const table = markdownTable([...TIMING_HEADERS, '× plain script'], rows);
  const derived = markdownTable(
    ['Derived figure', 'value', 'per-round p10–p90', 'target'],
    [
      ['engine cost = median(run) − median(node -e 0)', ms(cost), spread(pairedCost), ''],
      [
        'engine cost ÷ median(plain-container.sh)',
        ratio(costRatio),
        spread(pairedRatio, ratio),
        verdict(costRatio, TARGET_RATIO),
      ],
      [
        'of which CLI start-up: --version − node -e 0',
        ms(sVersion.median - sNode.median),
        spread(startup),
        '',
      ],
      [
        'of which the run command: run − --version',
        ms(sRun.median - sVersion.median),
        spread(ownWork),
        '',
      ],
      [
        '… minus the helper driven by sh: Node/TS orchestration',
        ms(sRun.median - sVersion.median - sHelper.median),
        spread(orchestration),
        '',
      ],
      [
        'confinement profile: run − run --privileged',
        ms(confineCost),
        spread(pairedConfine),
        confineVerdict(confineCost),
      ],
      [
        '… the helper alone: profile − --privileged',
        ms(helperConfineCost),
        spread(helperConfine),
        confineVerdict(helperConfineCost),
      ],
    ],
  );
  const runtime = runtimeFigures(run, viaRunc, runcRef);
  const markdown = [
    `### Warm container run of \`true\` (${sRun.n} interleaved rounds, 3 warm-up rounds dropped)`,
    '',
    table,
    '',
    derived,
    '',
    runtime.markdown,
  ].join('\n');
  return {
    markdown,
    targets: [
      [
        'warm run: engine cost ≤ 2× plain script',
        `${ms(cost)} vs ${ms(sPlain.median)} = ${ratio(costRatio)}`,
        verdict(costRatio, TARGET_RATIO),
      ],
      [
        `warm run: confinement profile adds ≤ ${TARGET_CONFINE_MS} ms`,
        `${ms(confineCost)} (per round p10–p90 ${spread(pairedConfine)})`,
        confineVerdict(confineCost),
      ],
    ],
    json: {
      context,
      series: series.map(seriesJson),
      engineCostMs: cost,
      engineCostRatio: costRatio,
      target: TARGET_RATIO,
      met: costRatio <= TARGET_RATIO,
      pairedCost,
      pairedRatio,
      confineCostMs: confineCost,
      helperConfineCostMs: helperConfineCost,
      helperConfine,
      pairedConfine,
      confineTargetMs: TARGET_CONFINE_MS,
      runtime: runtime.json,
    },
  };
}

/** --runtime runc against the helper and against runc alone, round by round. */
function runtimeFigures(
  run: Series,
  viaRunc: Series,
  runcRef: Series,
): { markdown: string; json: object } {
  const sRun = summarize(run.wall);
  const sVia = summarize(viaRunc.wall);
  const sRef = summarize(runcRef.wall);
  const overHelper = summarize(pairwise(viaRunc.wall, run.wall, (v, r) => v - r));
  const aroundRunc = summarize(pairwise(viaRunc.wall, runcRef.wall, (v, r) => v - r));
  const markdown = markdownTable(
    ['OCI runtime figure', 'value', 'per-round p10–p90'],
    [
      ['run --runtime runc − run (the helper)', ms(sVia.median - sRun.median), spread(overHelper)],
      [
        'run --runtime runc − runc run of a prepared bundle: overlay-tui around runc',
        ms(sVia.median - sRef.median),
        spread(aroundRunc),
      ],
    ],
  );
  return { markdown, json: { overHelper, aroundRunc } };
}
