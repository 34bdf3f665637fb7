/**
 * Reading and hashing an image: a layer's diff_id is the sha256 of its
 * uncompressed tar, so a gzip image gives the same layer as its plain tar;
 * a new image is read once. And the file hashing helpers (readHashed, the
 * worker-thread hasher) on their own.
 */
import { createHash, randomBytes } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readHashed } from '../src/engine/image/digest.js';
import { BlockPool, READ_BLOCK } from '../src/engine/image/file-blocks.js';
import { OFF_THREAD_MIN, sha256Hasher } from '../src/engine/image/hasher.js';
import { ensureImage } from '../src/engine/image/store.js';
import { openStateRoot } from '../src/engine/state-root.js';
import { removeRoot } from './support/state-root.js';
import { snapshotTree } from './support/tree-snapshot.js';
import { makeSandbox, writeTar, type Sandbox, type TarEntry } from './support/tarballs.js';

let box: Sandbox;

beforeEach(() => {
  box = makeSandbox('ovt-hash-');
});

afterEach(() => {
  removeRoot(box.dir);
});

const sha256 = (file: string): string =>
  createHash('sha256').update(readFileSync(file)).digest('hex');

/**
 * Bytes this process has passed through read(2) and its kin so far, from
 * the page cache or the disk alike, in every thread (libuv's pool too).
 */
function bytesReadSoFar(): number {
  const line = /^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'));
  if (!line?.[1]) throw new Error('no rchar in /proc/self/io');
  return Number(line[1]);
}

const ENTRIES: TarEntry[] = [
  { name: 'etc/' },
  { name: 'etc/hostname', content: 'box\n' },
  { name: 'bin/' },
  { name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox' },
  { name: 'big', content: randomBytes(3 << 20) }, // more than one read block
];

/**
 * Runs fn, noting each worker thread started meanwhile (Node's built-in
 * 'worker_threads' diagnostics channel) and the strings it posts back: the
 * sha256 worker's one string is its digest of every block it was given.
 */
async function watchingWorkers<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; posted: string[][] }> {
  const posted: string[][] = [];
  const onWorker = (message: unknown): void => {
    const strings: string[] = [];
    posted.push(strings);
    (message as { worker: Worker }).worker.on('message', (m: unknown) => {
      if (typeof m === 'string') strings.push(m);
    });
  };
  subscribe('worker_threads', onWorker);
  try {
    return { result: await fn(), posted };
  } finally {
    unsubscribe('worker_threads', onWorker);
  }
}

describe('layer digests', () => {
  it('imports a gzip image to the tree of its plain tar, with the same diff_id', async () => {
    const plain = await writeTar(join(box.dir, 'img.tar'), ENTRIES);
    const gz = await writeTar(join(box.dir, 'img.tar.gz'), ENTRIES, { gzip: true });
    const a = await ensureImage(openStateRoot(join(box.dir, 'root-a')), plain);
    const b = await ensureImage(openStateRoot(join(box.dir, 'root-b')), gz);
    // The diff_id is the sha256 of the uncompressed tar: the plain file's own.
    expect(a.record.layers).toEqual([`sha256:${sha256(plain)}`]);
    expect(b.record.layers).toEqual(a.record.layers);
    const dir = (i: typeof a): string => i.layers[0]?.dir ?? '';
    // All but the layer's root itself, which is not in the archive (its mtime is now).
    const tree = (lower: string) => [...snapshotTree(lower)].filter(([p]) => p !== '/');
    expect(tree(dir(b))).toEqual(tree(dir(a)));
  });

  it.each([
    ['plain', false],
    ['gzip', true],
  ])(
    'reads a new %s image once, even when a stored image has the same size',
    async (_what, gzip) => {
      // Same names and lengths, other bytes: the same size, another digest.
      const image = (name: string) =>
        writeTar(join(box.dir, `${name}.tar${gzip ? '.gz' : ''}`), [
          ...ENTRIES,
          { name: 'random', content: randomBytes(2 << 20) },
        ]);
      const stored = await image('stored');
      const fresh = await image('fresh');
      const size = statSync(fresh).size;
      expect(statSync(stored).size).toBe(size);
      const store = openStateRoot(box.root);
      const first = await ensureImage(store, stored);

      const before = bytesReadSoFar();
      const { record } = await ensureImage(store, fresh);
      const read = bytesReadSoFar() - before;

      expect(record.layers).not.toEqual(first.record.layers);
      // Once is the file's size plus a few small files (the records, the
      // id cache: kilobytes); a second pass over it would be twice its size.
      expect(read).toBeGreaterThanOrEqual(size);
      expect(read).toBeLessThan(1.5 * size);
    },
  );
});

describe('readHashed', () => {
  it('gives the digest and the bytes, or nothing for a file larger than it may hold', async () => {
    const file = await writeTar(join(box.dir, 'img.tar'), ENTRIES);
    const size = statSync(file).size;
    const held = await readHashed(file, size);
    expect(held?.digest).toBe(sha256(file));
    // Buffer.equals: toEqual compares megabytes element by element, for seconds.
    expect(Buffer.concat(held?.blocks ?? []).equals(readFileSync(file))).toBe(true);
    expect(held?.blocks.length).toBeGreaterThan(1);
    expect(await readHashed(file, size - 1)).toBeUndefined();
  });
});

describe('sha256Hasher', () => {
  const manyCpus = availableParallelism() > 1;

  it.for([
    ['inline', 0, false],
    ['in a worker', OFF_THREAD_MIN, true],
  ] as const)('hashes %s and gives every block back for reuse', async ([, size, inWorker], ctx) => {
    ctx.skip(inWorker && !manyCpus, 'one CPU: hashing is always inline');
    const pool = new BlockPool();
    const back: ArrayBuffer[] = [];
    const expected = createHash('sha256');
    const { result: digest, posted } = await watchingWorkers(() => {
      const hasher = sha256Hasher(size, (ab) => back.push(ab));
      for (let i = 0; i < 5; i++) {
        const block = pool.take().subarray(0, READ_BLOCK - i);
        block.fill(i);
        expected.update(block);
        hasher.update(block);
      }
      return hasher.digest();
    });
    expect(digest).toBe(expected.digest('hex'));
    expect(posted).toEqual(inWorker ? [[digest]] : []);
    expect(back.map((ab) => ab.byteLength)).toEqual(Array(5).fill(READ_BLOCK));
  });

  it.runIf(manyCpus)('stops its worker when abandoned', async () => {
    const hasher = sha256Hasher(OFF_THREAD_MIN);
    hasher.update(new BlockPool().take());
    hasher.abandon();
    await expect(hasher.digest()).rejects.toThrow(/worker exited/);
  });
});
