/**
 * `npm run bench`: every benchmark, a Markdown report on stdout and the raw
 * results as JSON in bench/results/. Progress goes to stderr, so
 * `npm run bench > report.md` keeps only the report.
 *
 *   node dist/bench/run-all.js [OPTIONS]     (USAGE below lists them; --help prints it)
 */
import { loadavg } from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { checkPrerequisites, defaultImage } from './lib/paths.js';
import { stopOnSignals } from './lib/measure.js';
import { cleanupSandboxes } from './lib/sandbox.js';
import { environment, markdownTable, writeResults } from './lib/report.js';
import { benchContainerRun } from './container-run.js';
import { benchExtraction } from './extraction.js';
import { ensureRootfsTarball } from './gen-rootfs.js';
import { benchImageImport, importReport, type ImportFigures } from './images-import.js';
import { benchImagesScale } from './images-scale.js';
import { benchLayers } from './layers.js';
import { checkLayerEntries } from './lib/layer-engine.js';
import { benchUi } from './ui.js';

const OPTIONS = {
  rounds: { type: 'string', default: '40' },
  'busybox-rounds': { type: 'string', default: '15' },
  'large-rounds': { type: 'string', default: '7' },
  only: { type: 'string' },
  'skip-large': { type: 'boolean', default: false },
  'scan-rounds': { type: 'string', default: '10' },
  'diff-rounds': { type: 'string', default: '5' },
  'latency-writes': { type: 'string', default: '1000' },
  'ui-launches': { type: 'string', default: '20' },
  'ui-writes': { type: 'string', default: '120' },
  'ui-keys': { type: 'string', default: '60' },
  'import-rounds': { type: 'string', default: '9' },
  'scale-rounds': { type: 'string', default: '3' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true }>>['values'];

// The defaults come from OPTIONS, so that the two cannot disagree.
const USAGE = `usage: node dist/bench/run-all.js [OPTIONS]
       npm run bench -- [OPTIONS]     (builds first)

Runs the benchmarks, as root: a Markdown report on stdout, progress on
stderr, every raw sample as JSON in bench/results/. bench/README.md says
what each part measures.

  --only PART          one part: run, extract, layers, ui or images (default: all)
  --skip-large         extract: not the generated ~200 MB rootfs tarball;
                       images: not the 1,000,000-file image
  --rounds N           run: warm container runs (default ${OPTIONS.rounds.default})
  --busybox-rounds N   extract: rounds on fixtures/busybox.tar (default ${OPTIONS['busybox-rounds'].default})
  --large-rounds N     extract: rounds on the large tarball (default ${OPTIONS['large-rounds'].default})
  --scan-rounds N      layers: scans of the 100,000-file lower (default ${OPTIONS['scan-rounds'].default})
  --diff-rounds N      layers: 'overlay-tui diff' of 10,000 changes (default ${OPTIONS['diff-rounds'].default})
  --latency-writes N   layers: writes timed to their event (default ${OPTIONS['latency-writes'].default})
  --ui-launches N      ui: launches to the prompt (default ${OPTIONS['ui-launches'].default})
  --ui-writes N        ui: writes timed to the feed (default ${OPTIONS['ui-writes'].default})
  --ui-keys N          ui: keystrokes timed to their echo (default ${OPTIONS['ui-keys'].default})
  --import-rounds N    images: loads of the 8-layer archive, per compression (default ${OPTIONS['import-rounds'].default})
  --scale-rounds N     images: 'overlay-tui layers' on the 1M-file image (default ${OPTIONS['scale-rounds'].default})
  -h, --help           show this help

Fewer rounds than a figure needs are allowed, with a warning: the figures
are then indicative only.
`;

/**
 * The options, or the exit code when there is nothing to run: 0 after
 * --help, 2 after a usage error (one line, not parseArgs's stack trace).
 */
function parseOptions(argv: string[]): Values | number {
  let values: Values;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true }));
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) throw err;
    // Its first sentence: the rest is advice about '--' that does not apply here.
    const problem = (err as Error).message.split(/\.\s/)[0]?.replace(/\.$/, '');
    process.stderr.write(`bench: ${problem} (see 'node dist/bench/run-all.js --help')\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  return values;
}

/** The brief's minimums: fewer rounds give medians too unstable to judge a target by. */
function rounds(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  if (n < min)
    process.stderr.write(`bench: --${name} ${n} is below ${min}: figures are indicative only\n`);
  return n;
}

async function main(values: Values): Promise<number> {
  const only = values.only;
  if (only !== undefined && !['run', 'extract', 'layers', 'ui', 'images'].includes(only))
    throw new Error('--only must be run, extract, layers, ui or images');
  const want = (section: string): boolean => only === undefined || only === section;
  checkPrerequisites();
  if (want('layers')) checkLayerEntries();
  stopOnSignals();
  const env = environment();
  const sections: string[] = [];
  const targets: string[][] = [];
  const results: Record<string, unknown> = { environment: env, argv: process.argv.slice(2) };
  let leaked: string[] = [];
  try {
    if (want('run')) {
      const r = await benchContainerRun(rounds('rounds', values.rounds, 30));
      sections.push(r.markdown);
      results.containerRun = r.json;
      targets.push(...r.targets);
    }
    if (want('extract')) {
      const busybox = await benchExtraction({
        label: 'default image (fixtures/busybox.tar)',
        file: defaultImage,
        rounds: rounds('busybox-rounds', values['busybox-rounds'], 5),
        cliCrossCheck: true,
      });
      sections.push(busybox.markdown);
      results.extractBusybox = busybox.json;
      targets.push(...busybox.targets);
      if (!values['skip-large']) {
        const tarball = ensureRootfsTarball();
        const mb = (tarball.tarBytes / 1e6).toFixed(0);
        const large = await benchExtraction({
          label: `generated rootfs (${mb} MB, ${tarball.files} files, ${tarball.version})`,
          file: tarball.path,
          rounds: rounds('large-rounds', values['large-rounds'], 5),
          cliCrossCheck: false,
          details: tarball,
        });
        sections.push(large.markdown);
        results.extractLarge = large.json;
        targets.push(...large.targets);
      }
    }
    if (want('layers')) {
      const r = await benchLayers({
        scanRounds: rounds('scan-rounds', values['scan-rounds'], 5),
        diffRounds: rounds('diff-rounds', values['diff-rounds'], 5),
        writes: rounds('latency-writes', values['latency-writes'], 1000),
      });
      sections.push(r.markdown);
      results.layers = r.json;
      targets.push(...r.targets);
    }
    if (want('ui')) {
      const r = await benchUi({
        launches: rounds('ui-launches', values['ui-launches'], 15),
        writes: rounds('ui-writes', values['ui-writes'], 100),
        keys: rounds('ui-keys', values['ui-keys'], 50),
      });
      sections.push(r.markdown);
      results.ui = r.json;
      targets.push(...r.targets);
    }
    if (want('images')) {
      const n = rounds('import-rounds', values['import-rounds'], 5);
      const rows: ImportFigures[] = [];
      for (const how of ['gzip', 'zstd', 'plain'] as const) {
        const r = await benchImageImport(how, n);
        rows.push(r);
        targets.push(r.target);
      }
      sections.push(importReport(rows, n));
      results.imagesImport = rows.map((r) => r.json);
      if (!values['skip-large']) {
        const r = await benchImagesScale(rounds('scale-rounds', values['scale-rounds'], 3), 40);
        sections.push(r.markdown);
        results.imagesScale = { ...r, markdown: undefined };
        targets.push(...r.targets);
      }
    }
  } finally {
    // Anything still mounted here was leaked by a run (ours or the engine's).
    leaked = cleanupSandboxes();
  }
  results.leakedMounts = leaked;
  // Load at the end too: a run that got busier half-way is worth knowing about.
  results.loadavgAfter = loadavg();
  const e = env as {
    date: string;
    node: string;
    kernel: string;
    cpus: number;
    commit: string;
    dirty: boolean;
  };
  process.stdout.write(
    [
      `## overlay-tui benchmarks`,
      '',
      `${e.date}, Node ${e.node}, kernel ${e.kernel}, ${e.cpus} CPUs, commit ${e.commit.slice(0, 12)}` +
        `${e.dirty ? ' + uncommitted changes in src/' : ''}. Medians with p10–p90 and IQR; ` +
        'compared commands ran interleaved.',
      '',
      ...sections.flatMap((s) => [s, '']),
      '### Targets',
      '',
      markdownTable(['Target', 'measured', 'verdict'], targets),
      '',
      leaked.length > 0 ? `**Leaked mounts (unmounted by the bench): ${leaked.join(', ')}**\n` : '',
    ].join('\n'),
  );
  process.stderr.write(`results written to ${writeResults(results)}\n`);
  return leaked.length > 0 ? 1 : 0;
}

try {
  const options = parseOptions(process.argv.slice(2));
  process.exitCode = typeof options === 'number' ? options : await main(options);
} catch (err) {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
