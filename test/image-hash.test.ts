/**
 * Reading and hashing an image: the digest is the sha256 of the file as
 * given (the compressed bytes of a .gz), whether it is hashed inline (small
 * files) or in a worker thread fed the blocks the extraction read; a gzip
 * image gives the same tree as its plain tar.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

const ENTRIES: TarEntry[] = [
  { name: 'etc/' },
  { name: 'etc/hostname', content: 'box\n' },
  { name: 'bin/' },
  { name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox' },
  { name: 'big', content: randomBytes(3 << 20) }, // more than one read block
];

describe('image digests', () => {
  it('imports a gzip image to the tree of its plain tar, keyed by the .gz file', async () => {
    const plain = await writeTar(join(box.dir, 'img.tar'), ENTRIES);
    const gz = await writeTar(join(box.dir, 'img.tar.gz'), ENTRIES, { gzip: true });
    const a = await ensureImage(openStateRoot(join(box.dir, 'root-a')), plain);
    const b = await ensureImage(openStateRoot(join(box.dir, 'root-b')), gz);
    expect(a.record.digest).toBe(sha256(plain));
    expect(b.record.digest).toBe(sha256(gz));
    // All but lower itself, which is not in the archive (its mtime is now).
    const tree = (lower: string) => [...snapshotTree(lower)].filter(([p]) => p !== '/');
    expect(tree(b.lower)).toEqual(tree(a.lower));
  });

  it.each([
    ['plain', false],
    ['gzip', true],
  ])('hashes a large %s image off the main thread to the same digest', async (_what, gzip) => {
    // Random data: a gzip of it is as large, so both take the worker's path.
    const entries = [...ENTRIES, { name: 'random', content: randomBytes(OFF_THREAD_MIN) }];
    const file = await writeTar(join(box.dir, gzip ? 'big.tar.gz' : 'big.tar'), entries, {
      gzip,
    });
    const { record, lower } = await ensureImage(openStateRoot(box.root), file);
    expect(record.digest).toBe(sha256(file));
    expect(readFileSync(join(lower, 'random')).length).toBe(OFF_THREAD_MIN);
  });
});

describe('sha256Hasher', () => {
  it.each([
    ['inline', 0],
    ['in a worker', OFF_THREAD_MIN],
  ])('hashes %s and gives every block back for reuse', async (_what, size) => {
    const pool = new BlockPool();
    const back: ArrayBuffer[] = [];
    const hasher = sha256Hasher(size, (ab) => back.push(ab));
    const expected = createHash('sha256');
    for (let i = 0; i < 5; i++) {
      const block = pool.take().subarray(0, READ_BLOCK - i);
      block.fill(i);
      expected.update(block);
      hasher.update(block);
    }
    expect(await hasher.digest()).toBe(expected.digest('hex'));
    expect(back.map((ab) => ab.byteLength)).toEqual(Array(5).fill(READ_BLOCK));
  });

  it('stops its worker when abandoned', async () => {
    const hasher = sha256Hasher(OFF_THREAD_MIN);
    hasher.update(new BlockPool().take());
    hasher.abandon();
    await expect(hasher.digest()).rejects.toThrow(/worker exited/);
  });
});
