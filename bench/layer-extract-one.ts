/**
 * One layer blob through extractLayer, for the layer extraction benchmark:
 *
 *   node dist/bench/layer-extract-one.js BLOB DEST
 *
 * Prints one JSON line: the wall and CPU time extractLayer took in this
 * process (Node's start-up and module loading excluded, as `tar` has none
 * to speak of) and the peak RSS, then, outside that time, the CPU that
 * decompressing alone and the two sha256 passes alone (the blob, and the
 * tar it holds) cost on the same bytes: the parts that are not writing files.
 *
 * The engine is imported from dist/ (scripts/build.sh emits it), beside
 * dist/bench/, as import-only.ts does.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

interface LayerModule {
  extractLayer(
    blob: AsyncIterable<Buffer>,
    dest: string,
  ): Promise<{ entries: number; bytes: number; tarSize: number; compression: string }>;
}
interface DecompressModule {
  decompressBlob(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer>;
}

async function engine<T>(rel: string, fn: string): Promise<T> {
  const mod = (await import(new URL(`../${rel}`, import.meta.url).href)) as Record<string, unknown>;
  if (typeof mod[fn] !== 'function')
    throw new Error(`dist/${rel} has no ${fn}: rebuild (npm run build)`);
  return mod as T;
}

const [blob, dest] = process.argv.slice(2);
if (blob === undefined || dest === undefined) {
  process.stderr.write('usage: layer-extract-one BLOB DEST\n');
  process.exit(2);
}
const { extractLayer } = await engine<LayerModule>('engine/image/layer-extract.js', 'extractLayer');
const { decompressBlob } = await engine<DecompressModule>(
  'engine/image/blob-decompress.js',
  'decompressBlob',
);

const read = (): AsyncIterable<Buffer> =>
  createReadStream(blob, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>;
const now = (): number => Number(process.hrtime.bigint()) / 1e6;
/** CPU milliseconds of the whole process (libuv's pool included: zlib runs there). */
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const t0 = now();
const c0 = cpu();
const result = await extractLayer(read(), dest);
const extractMs = now() - t0;
const extractCpuMs = cpu() - c0;
const rssMB = process.resourceUsage().maxRSS / 1024;

// Outside the timed part, on the same bytes: decompression alone (into
// nothing), and the two hashes alone (the tar is decompressed again for it).
const c1 = cpu();
for await (const chunk of decompressBlob(read())) void chunk;
const decompressCpuMs = cpu() - c1;
const blobHash = createHash('sha256');
const tarHash = createHash('sha256');
const tarChunks: Buffer[] = [];
for await (const chunk of decompressBlob(read())) tarChunks.push(chunk);
const c2 = cpu();
for await (const chunk of read()) blobHash.update(chunk);
blobHash.digest();
// A plain blob is its own tar: extractLayer hashes it once.
if (result.compression !== 'plain') for (const chunk of tarChunks) tarHash.update(chunk);
tarHash.digest();
const hashCpuMs = cpu() - c2;

process.stdout.write(
  `${JSON.stringify({ extractMs, extractCpuMs, decompressCpuMs, hashCpuMs, rssMB, entries: result.entries })}\n`,
);
