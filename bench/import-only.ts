/**
 * The importer alone, for the first-run extraction benchmark:
 *
 *   node dist/bench/import-only.js STATE_ROOT IMAGE
 *
 * Opens a state root and calls ensureImage from the compiled engine, as
 * `overlay-tui run` does on a first run, and prints one JSON line: the time
 * ensureImage took in this process (what a first run adds to a warm one:
 * node start-up and module loading are paid by every run), then, outside
 * that time, how long the sha256 of the file alone takes (ensureImage
 * includes it, on a fresh root the digest cache is empty).
 *
 * The engine is imported at run time from dist/, beside dist/bench/, so
 * that this program does not compile src/ into the bench's own output.
 */
interface ImportedImage {
  record: { entries: number; bytes: number; skipped: string[] };
  lower: string;
}
interface StoreModule {
  ensureImage(store: unknown, file: string): Promise<ImportedImage>;
}
interface StateRootModule {
  openStateRoot(dir: string): unknown;
}
interface DigestModule {
  sha256File(path: string): Promise<string>;
}

async function engine<T>(rel: string, fn: string): Promise<T> {
  const mod = (await import(new URL(`../${rel}`, import.meta.url).href)) as Record<string, unknown>;
  if (typeof mod[fn] !== 'function')
    throw new Error(`dist/${rel} has no ${fn}: rebuild (npm run build)`);
  return mod as T;
}

const [root, image] = process.argv.slice(2);
if (root === undefined || image === undefined) {
  process.stderr.write('usage: import-only STATE_ROOT IMAGE\n');
  process.exit(2);
}
const { openStateRoot } = await engine<StateRootModule>('engine/state-root.js', 'openStateRoot');
const { ensureImage } = await engine<StoreModule>('engine/image/store.js', 'ensureImage');
const { sha256File } = await engine<DigestModule>('engine/image/digest.js', 'sha256File');

const store = openStateRoot(root);
const t0 = process.hrtime.bigint();
const imported = await ensureImage(store, image);
const t1 = process.hrtime.bigint();
await sha256File(image);
const t2 = process.hrtime.bigint();
process.stdout.write(
  `${JSON.stringify({
    importMs: Number(t1 - t0) / 1e6,
    hashMs: Number(t2 - t1) / 1e6,
    entries: imported.record.entries,
    bytes: imported.record.bytes,
    skipped: imported.record.skipped.length,
    lower: imported.lower,
  })}\n`,
);
