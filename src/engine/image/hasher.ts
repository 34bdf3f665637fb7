/**
 * The sha256 of an image file, computed while it is being extracted. On the
 * main thread it cost 0.15–0.3 s of a 1.5 s import of 200 MB here, so a
 * large file is hashed in a worker thread, on another core, fed the very
 * blocks the extraction read (moved, not copied): the digest is of exactly
 * the bytes that were extracted. A worker takes 30–40 ms to start, more
 * than hashing a small file takes, so small files are hashed inline.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

export interface Hasher {
  /**
   * Adds the next block of the file and takes it: it must be the only view
   * of its ArrayBuffer, which moves to the worker (no copy) and, once
   * hashed, is given to `recycle`.
   */
  update(block: Buffer): void;
  digest(): Promise<string>;
  /** After a failure: stops the worker, if any. */
  abandon(): void;
}

/** Below this, a worker's start-up costs more than the hashing it takes off the main thread. */
export const OFF_THREAD_MIN = 8 << 20;

// Evaluated as a script, so no file has to sit beside the bundle (dist/)
// or the sources (tests): the worker needs no module resolution at all.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const hash = require('node:crypto').createHash('sha256');
parentPort.on('message', (m) => {
  if (m === 'digest') {
    parentPort.postMessage(hash.digest('hex'));
    parentPort.close();
    return;
  }
  hash.update(m);
  parentPort.postMessage(m.buffer, [m.buffer]);
});
`;

type Recycle = (ab: ArrayBuffer) => void;

function inlineHasher(recycle: Recycle): Hasher {
  const hash = createHash('sha256');
  return {
    update(block) {
      hash.update(block);
      recycle(block.buffer as ArrayBuffer);
    },
    digest: () => Promise.resolve(hash.digest('hex')),
    abandon: () => undefined,
  };
}

function workerHasher(recycle: Recycle): Hasher {
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  const digest = new Promise<string>((resolve, reject) => {
    worker.on('message', (m: unknown) => {
      if (typeof m === 'string') resolve(m);
      else if (m instanceof ArrayBuffer) recycle(m);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the sha256 worker exited (${code})`)));
  });
  digest.catch(() => undefined); // only an awaited digest may fail the import
  return {
    update(block) {
      // Posted while the worker still starts up, blocks wait in its queue.
      worker.postMessage(block, [block.buffer as ArrayBuffer]);
    },
    digest() {
      worker.postMessage('digest');
      return digest;
    },
    abandon() {
      void worker.terminate();
    },
  };
}

/** For bytes whose digest is known already (see readHashed): hashes nothing again. */
export function knownDigest(digest: string): Hasher {
  return {
    update: () => undefined,
    digest: () => Promise.resolve(digest),
    abandon: () => undefined,
  };
}

/**
 * A hasher for a file of `size` bytes; blocks, once hashed, go to `recycle`.
 * With one CPU, a worker would only take turns with the extraction.
 */
export function sha256Hasher(size: number, recycle: Recycle = () => undefined): Hasher {
  const offThread = size >= OFF_THREAD_MIN && availableParallelism() > 1;
  return offThread ? workerHasher(recycle) : inlineHasher(recycle);
}
