/**
 * Where things are. The bench runs compiled, from dist/bench/, and measures
 * the compiled engine in dist/, so paths are resolved from this file's own
 * location rather than from the working directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** dist/bench/lib/paths.js -> the package root. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const distBench = join(repoRoot, 'dist', 'bench');
export const cliBin = join(repoRoot, 'bin', 'overlay-tui.js');
export const helperBin = join(repoRoot, 'dist', 'helper', 'ovl-helper');
export const defaultImage = join(repoRoot, 'fixtures', 'busybox.tar');
export const plainScript = join(repoRoot, 'bench', 'plain-container.sh');
export const helperScript = join(repoRoot, 'bench', 'helper-container.sh');
export const importOnlyJs = join(distBench, 'import-only.js');
export const resultsDir = join(repoRoot, 'bench', 'results');

/** Fails early, with the fix, instead of timing a broken command 40 times. */
export function checkPrerequisites(): void {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name?: string };
  if (pkg.name !== 'overlay-tui') throw new Error(`${repoRoot} is not the overlay-tui package`);
  if (process.getuid?.() !== 0) throw new Error('the benchmarks mount overlays: run them as root');
  for (const [file, fix] of [
    [join(repoRoot, 'dist', 'cli.js'), 'npm run build'],
    [helperBin, 'npm run build'],
    [defaultImage, 'npm run image'],
    [importOnlyJs, 'tsc -p bench/tsconfig.json'],
  ] as const) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run '${fix}' first`);
  }
}
