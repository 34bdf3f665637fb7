/**
 * A layer blob's bytes as its tar: decompressed by what the first bytes
 * say, never by the media type (skopeo and podman label plain blobs
 * `+gzip`). Plain tar, gzip and zstd are read; the other formats a blob
 * might hold (xz, bzip2, lz4) are named in the error.
 *
 * Streaming all the way: a chunk in, its output out, so a layer of any size
 * needs a few MiB. gzip (and zstd on Node 22.15+/24) is zlib's, which runs
 * in libuv's thread pool, beside the extraction on the main thread. Node 20
 * has no zstd: there fzstd (pure JS, no native build) decodes it inline.
 */
import * as zlib from 'node:zlib';
import { Decompress as FzstdDecompress } from 'fzstd';

export type BlobCompression = 'plain' | 'gzip' | 'zstd';

/**
 * A blob that cannot be read as a tar: compressed in a format we do not
 * read, or corrupt. Worded "its ...", as LayerDigestError: the caller puts
 * the layer's name in front.
 */
export class LayerBlobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LayerBlobError';
  }
}

/** Enough bytes to tell every format below apart. */
const SNIFF_BYTES = 6;

function startsWith(head: Buffer, magic: readonly number[]): boolean {
  return head.length >= magic.length && magic.every((b, i) => head[i] === b);
}

/** Formats that are not layers' but do turn up in blobs: named, so the user knows what they have. */
const UNREAD: readonly { name: string; magic: readonly number[] }[] = [
  { name: 'xz', magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { name: 'bzip2', magic: [0x42, 0x5a, 0x68] },
  { name: 'lz4', magic: [0x04, 0x22, 0x4d, 0x18] },
];

/** What the blob's first bytes say it is (fewer than SNIFF_BYTES only when the blob is that short). */
export function sniffCompression(head: Buffer): BlobCompression {
  if (startsWith(head, [0x1f, 0x8b])) return 'gzip';
  if (startsWith(head, [0x28, 0xb5, 0x2f, 0xfd])) return 'zstd';
  // A zstd stream may open with a skippable frame: 0x184D2A50-5F, little-endian.
  if (
    head.length >= 4 &&
    ((head[0] ?? 0) & 0xf0) === 0x50 &&
    startsWith(head.subarray(1), [0x2a, 0x4d, 0x18])
  )
    return 'zstd';
  for (const { name, magic } of UNREAD) {
    if (startsWith(head, magic))
      throw new LayerBlobError(
        `its blob is ${name}-compressed, which image layers are not (overlay-tui reads plain tar, gzip and zstd)`,
      );
  }
  return 'plain';
}

/** zlib's zstd, where this Node has it (22.15+, 24). */
type ZstdFactory = (opts: zlib.ZlibOptions) => zlib.Gunzip;
const nativeZstd = (zlib as unknown as { createZstdDecompress?: ZstdFactory }).createZstdDecompress;

/** Output chunks of this size: zlib's default 16 KiB costs one await per 16 KiB. */
const OUT_CHUNK = 256 << 10;

function corrupt(format: BlobCompression, err: unknown): LayerBlobError {
  const reason = err instanceof Error ? err.message : String(err);
  return new LayerBlobError(`its ${format} data is corrupt (${reason})`);
}

/** Resolves once z takes more input, or is gone (never waits on a destroyed stream). */
function drainedOrClosed(z: zlib.Gunzip): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      z.off('drain', done);
      z.off('close', done);
      resolve();
    };
    z.once('drain', done);
    z.once('close', done);
  });
}

/** Runs the input through a zlib stream, which decompresses in the thread pool. */
async function* throughZlib(
  input: AsyncIterable<Buffer>,
  z: zlib.Gunzip,
  format: BlobCompression,
): AsyncGenerator<Buffer> {
  // An error of the input itself (a read error) is passed on as it is.
  let inputError: unknown;
  const feed = async (): Promise<void> => {
    for await (const chunk of input) {
      if (z.destroyed) return; // the consumer stopped
      if (!z.write(chunk)) await drainedOrClosed(z);
    }
    z.end();
  };
  feed().catch((err: unknown) => {
    inputError = err;
    z.destroy(err instanceof Error ? err : new Error(String(err)));
  });
  try {
    for await (const out of z) yield out as Buffer;
  } catch (err) {
    throw err === inputError ? err : corrupt(format, err);
  } finally {
    z.destroy();
  }
}

/** fzstd on this thread: its output, per input chunk, is handed on before the next chunk. */
async function* throughFzstd(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let out: Buffer[] = [];
  const d = new FzstdDecompress((data) => {
    // fzstd reuses no buffer it hands out: wrap, do not copy.
    out.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  });
  const push = (chunk: Uint8Array, final: boolean): Buffer[] => {
    try {
      d.push(chunk, final);
    } catch (err) {
      throw corrupt('zstd', err);
    }
    const ready = out;
    out = [];
    return ready;
  };
  for await (const chunk of input) yield* push(chunk, false);
  yield* push(new Uint8Array(0), true);
}

/** The input with its first chunks joined until they hold SNIFF_BYTES (file blocks are 1 MiB: one). */
async function* headJoined(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const held: Buffer[] = [];
  let heldBytes = 0;
  for await (const chunk of input) {
    if (heldBytes >= SNIFF_BYTES) {
      yield chunk;
      continue;
    }
    held.push(chunk);
    heldBytes += chunk.length;
    if (heldBytes >= SNIFF_BYTES) yield held.length === 1 ? chunk : Buffer.concat(held);
  }
  if (heldBytes > 0 && heldBytes < SNIFF_BYTES) yield Buffer.concat(held);
}

/**
 * The blob's tar, decompressed as its first bytes say. `onFormat` learns
 * the format as soon as it is known (before any output).
 */
export async function* decompressBlob(
  input: AsyncIterable<Buffer>,
  onFormat?: (format: BlobCompression) => void,
): AsyncGenerator<Buffer> {
  const it = headJoined(input)[Symbol.asyncIterator]();
  try {
    const first = await it.next();
    if (first.done) return;
    const format = sniffCompression(first.value);
    onFormat?.(format);
    const whole: AsyncIterable<Buffer> = {
      async *[Symbol.asyncIterator]() {
        yield first.value;
        for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
      },
    };
    if (format === 'plain') yield* whole;
    else if (format === 'gzip')
      yield* throughZlib(whole, zlib.createGunzip({ chunkSize: OUT_CHUNK }), 'gzip');
    else if (nativeZstd) yield* throughZlib(whole, nativeZstd({ chunkSize: OUT_CHUNK }), 'zstd');
    else yield* throughFzstd(whole);
  } finally {
    // Stopped early (an error, an abort): the input (a file) is closed.
    await it.return?.(undefined);
  }
}
