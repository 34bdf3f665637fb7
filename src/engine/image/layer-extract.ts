/**
 * One layer blob into a fresh directory: decompressed by its magic bytes
 * (gzip or plain; real tools label plain blobs +gzip), hashed twice on the
 * way (the blob's digest, and the diff_id: the sha256 of the tar itself),
 * extracted with extract.ts's rules. A digest that differs from what the
 * archive promised fails the layer, naming it.
 */
import { createHash } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import { extractTar, type ExtractProgress, type ExtractResult } from './extract.js';

export interface LayerExpectation {
  /** 'sha256:<hex>' the blob's bytes must hash to. */
  blobDigest?: string;
  /** 'sha256:<hex>' the uncompressed tar must hash to. */
  diffId?: string;
}

export interface LayerExtractOptions {
  expect?: LayerExpectation;
  signal?: AbortSignal;
  onProgress?: (progress: ExtractProgress & { blobBytes: number }) => void;
}

export interface LayerExtractResult extends ExtractResult {
  /** 'sha256:<hex>' */
  blobDigest: string;
  /** 'sha256:<hex>' */
  diffId: string;
  /** Bytes of the uncompressed tar. */
  tarSize: number;
  whiteouts: number;
  opaques: number;
}

/** A blob or its tar did not hash to what the archive says. */
export class LayerDigestError extends Error {
  constructor(
    readonly what: 'blob' | 'diff_id',
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      what === 'blob'
        ? `its blob's sha256 is ${actual}, not ${expected} as the archive says`
        : `its uncompressed tar's sha256 (diff_id) is ${actual}, not ${expected} as the image config says`,
    );
    this.name = 'LayerDigestError';
  }
}

async function* hashed(
  input: AsyncIterable<Buffer>,
  hash: ReturnType<typeof createHash>,
  count: (n: number) => void,
): AsyncGenerator<Buffer> {
  for await (const chunk of input) {
    hash.update(chunk);
    count(chunk.length);
    yield chunk;
  }
}

async function* gunzip(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const z = createGunzip();
  const feed = async (): Promise<void> => {
    for await (const chunk of input) {
      if (!z.write(chunk)) await new Promise((r) => z.once('drain', r));
    }
    z.end();
  };
  feed().catch((err: unknown) => z.destroy(err instanceof Error ? err : new Error(String(err))));
  try {
    for await (const out of z) yield out as Buffer;
  } finally {
    z.destroy();
  }
}

/** Peeks at the first chunk to choose the decompressor. */
async function* decompressed(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const it = input[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const rest: AsyncIterable<Buffer> = {
    async *[Symbol.asyncIterator]() {
      yield first.value;
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
    },
  };
  const head = first.value;
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) yield* gunzip(rest);
  else yield* rest;
}

export async function extractLayer(
  blob: AsyncIterable<Buffer>,
  dest: string,
  opts: LayerExtractOptions = {},
): Promise<LayerExtractResult> {
  const blobHash = createHash('sha256');
  const tarHash = createHash('sha256');
  let blobBytes = 0;
  let tarSize = 0;
  const tar = hashed(
    decompressed(hashed(blob, blobHash, (n) => (blobBytes += n))),
    tarHash,
    (n) => (tarSize += n),
  );
  const result = await extractTar(tar, dest, {
    ...(opts.signal ? { signal: opts.signal } : {}),
    onProgress: (p) => opts.onProgress?.({ ...p, blobBytes }),
  });
  const blobDigest = `sha256:${blobHash.digest('hex')}`;
  const diffId = `sha256:${tarHash.digest('hex')}`;
  const want = opts.expect ?? {};
  if (want.blobDigest && want.blobDigest !== blobDigest)
    throw new LayerDigestError('blob', want.blobDigest, blobDigest);
  if (want.diffId && want.diffId !== diffId)
    throw new LayerDigestError('diff_id', want.diffId, diffId);
  return { ...result, blobDigest, diffId, tarSize, whiteouts: 0, opaques: 0 };
}
