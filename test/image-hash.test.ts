/**
 * Reading and hashing an image: a layer's diff_id is the sha256 of its
 * uncompressed tar, so a gzip image gives the same layer as its plain tar;
 * a new image is read once.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
