/**
 * The image importer at unit level: extractTar and ensureImage called
 * directly on archives generated here. Each test has its own sandbox under
 * /tmp (a state root, and beside it an "outside" directory with a sentinel
 * file that the hostile archives aim at) and removes it afterwards.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InterruptedError, UserError } from '../src/engine/errors.js';
import { extractTar, UnsafeArchiveError } from '../src/engine/image/extract.js';
import { ensureImage, type LayeredImage } from '../src/engine/image/store.js';
import { openStateRoot, type StateRoot } from '../src/engine/state-root.js';
import { snapshotTree } from './support/tree-snapshot.js';
import { removeRoot } from './support/state-root.js';
import {
  armAttack,
  attacks,
  brokenImages,
  MTIME,
  makeSandbox,
  makeTar,
  writeTar,
  type Sandbox,
  type TarEntry,
} from './support/tarballs.js';

const BROKEN = await brokenImages();

let box: Sandbox;
let store: StateRoot;

beforeEach(() => {
  box = makeSandbox('ovt-imp-');
  store = openStateRoot(box.root);
});

afterEach(() => {
  vi.restoreAllMocks();
  removeRoot(box.dir);
});

/** What layers/ and images/ hold besides the id cache: no layer, no record, no .tmp-* after a failure. */
function imagesLeft(): string[] {
  return [
    ...readdirSync(store.layers).map((n) => `layers/${n}`),
    ...readdirSync(store.images)
      .filter((n) => n !== '.sources')
      .map((n) => `images/${n}`),
  ];
}

/** The one layer directory of a rootfs image. */
function lowerOf(image: LayeredImage): string {
  expect(image.layers).toHaveLength(1);
  return image.layers[0]?.dir ?? '';
}

async function failure(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof Error)) throw new Error('expected the import to fail, and it succeeded');
  return err;
}

function escaped(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('hostile archives: the whole import is refused, nothing lands outside', () => {
  // The list is built again in each test, aimed at that test's own outside directory.
  const names = attacks('/placeholder').map((a, i) => [a.what, i] as const);

  it.each(names)('refuses %s', async (_what, i) => {
    const { attack, file, nothingLanded } = await armAttack(box, i);
    const err = await failure(ensureImage(store, file));
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(new RegExp(`^image ${escaped(file)} is unsafe: `));
    expect(err.message).toMatch(attack.reason);
    expect(err.message).not.toContain('\n');

    expect(imagesLeft()).toEqual([]);
    nothingLanded();
  });

  it('extractTar throws UnsafeArchiveError and stops at the bad member', async () => {
    const dest = join(box.dir, 'dest');
    mkdirSync(dest);
    const tar = await makeTar([
      { name: 'first', content: '1' },
      { name: 'etc', type: 'symlink', linkname: box.outside },
      { name: 'etc/passwd', content: 'pwned\n' },
      { name: 'later', content: 'never written' },
    ]);
    const err = await failure(extractTar(Readable.from([tar]), dest));
    expect(err).toBeInstanceOf(UnsafeArchiveError);
    expect(existsSync(join(dest, 'later'))).toBe(false);
    expect(readFileSync(join(box.outside, 'passwd'), 'utf8')).toBe('sentinel\n');
  });
});

describe('what an image keeps', () => {
  const T = new Date('2020-02-02T02:02:02Z');
  const abs = `ovt-abs-${randomBytes(4).toString('hex')}`;
  const entries: TarEntry[] = [
    { name: 'bin/' },
    { name: 'bin/busybox', content: 'BB', mode: 0o755 },
    { name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox' },
    { name: 'bin/ls', type: 'symlink', linkname: 'busybox', uid: 1000, gid: 1000, mtime: T },
    { name: 'home/alice/', mode: 0o700, uid: 1000, gid: 1000, mtime: T },
    { name: 'home/alice/notes', content: 'hi\n', mode: 0o640, uid: 1000, gid: 1000, mtime: T },
    { name: 'usr/bin/su', content: 'su', mode: 0o4755 },
    { name: 'usr/bin/wall', content: 'wall', mode: 0o2755, gid: 5 },
    { name: 'usr/bin/su-again', type: 'link', linkname: 'usr/bin/su' },
    { name: 'srv/shared/', mode: 0o2775, gid: 100 },
    { name: 'tmp/', mode: 0o1777 },
    // Read-only with children: its mode must be set after they are written.
    { name: 'ro/', mode: 0o555 },
    { name: 'ro/child', content: 'c' },
    { name: 'ro/sub/', mode: 0o555 },
    { name: 'ro/sub/deep', content: 'd' },
    { name: 'empty/', mode: 0o750, mtime: T },
    // A later member of the same name replaces the earlier one; the hardlink
    // made in between keeps the old file (nothing is written through it).
    { name: 'etc/motd', content: 'first\n' },
    { name: 'etc/motd-link', type: 'link', linkname: 'etc/motd' },
    { name: 'etc/motd', content: 'second\n', mode: 0o600 },
    { name: `/etc/${abs}`, content: 'inside\n' },
    { name: './etc/dot', content: 'dot\n' },
  ];

  it('keeps link targets, owners, modes, mtimes, hardlinks, empty dirs and the last duplicate', async () => {
    const file = await writeTar(join(box.dir, 'good.tar'), entries);
    const image = await ensureImage(store, file);
    const lower = lowerOf(image);
    expect(image.layers[0]?.record).toMatchObject({ entries: entries.length, skipped: [] });
    // "<type> mode=<octal> owner=<uid>:<gid> mtime=<ms>" for each path (tree-snapshot.ts).
    const tree = snapshotTree(lower);
    const meta = (p: string) => tree.get(p)?.replace(/^(file \d+) [0-9a-f]+/, '$1');
    const t = T.getTime();
    const m = MTIME.getTime();
    expect(meta('bin/sh')).toBe(`link -> /bin/busybox mode=777 owner=0:0 mtime=${m}`); // kept absolute
    expect(meta('bin/ls')).toBe(`link -> busybox mode=777 owner=1000:1000 mtime=${t}`);
    // A directory's mtime is the archive's even though children were written into it later.
    expect(meta('home/alice')).toBe(`dir mode=700 owner=1000:1000 mtime=${t}`);
    expect(meta('home/alice/notes')).toBe(`file 3 mode=640 owner=1000:1000 mtime=${t}`);
    expect(meta('usr/bin/su')).toBe(`file 2 mode=4755 owner=0:0 mtime=${m}`);
    expect(meta('usr/bin/wall')).toBe(`file 4 mode=2755 owner=0:5 mtime=${m}`);
    expect(meta('srv/shared')).toBe(`dir mode=2775 owner=0:100 mtime=${m}`);
    expect(meta('tmp')).toBe(`dir mode=1777 owner=0:0 mtime=${m}`);
    expect([meta('ro'), meta('ro/sub')]).toEqual(
      Array(2).fill(`dir mode=555 owner=0:0 mtime=${m}`),
    );
    expect(readFileSync(join(lower, 'ro/sub/deep'), 'utf8')).toBe('d');
    expect(meta('empty')).toBe(`dir mode=750 owner=0:0 mtime=${t}`);
    expect(readdirSync(join(lower, 'empty'))).toEqual([]);

    const st = (p: string) => lstatSync(join(lower, p));
    expect(st('usr/bin/su-again').ino).toBe(st('usr/bin/su').ino);
    expect(st('usr/bin/su').nlink).toBe(2);

    expect(readFileSync(join(lower, 'etc/motd'), 'utf8')).toBe('second\n');
    expect(meta('etc/motd')).toBe(`file 7 mode=600 owner=0:0 mtime=${m}`);
    expect(readFileSync(join(lower, 'etc/motd-link'), 'utf8')).toBe('first\n');
    expect(st('etc/motd').nlink).toBe(1);

    // A leading "/" or "./" is dropped: the member lands inside lower.
    expect(readFileSync(join(lower, 'etc', abs), 'utf8')).toBe('inside\n');
    expect(existsSync(`/etc/${abs}`)).toBe(false);
    expect(readFileSync(join(lower, 'etc/dot'), 'utf8')).toBe('dot\n');
  });

  it('extracts once into layers/<diff_id>/diff and reuses it', async () => {
    const file = await writeTar(join(box.dir, 'good.tar'), entries);
    const first = await ensureImage(store, file);
    // A plain tar: its diff_id is the sha256 of the file itself.
    const hex = createHash('sha256').update(readFileSync(file)).digest('hex');
    expect(lowerOf(first)).toBe(join(store.layers, hex, 'diff'));
    expect(lstatSync(store.layers).mode & 0o777).toBe(0o700); // layers hold setuid files
    const before = snapshotTree(lowerOf(first));
    const onExtract = vi.fn();
    const second = await ensureImage(store, file, { onExtract });
    expect(onExtract).not.toHaveBeenCalled();
    expect(lowerOf(second)).toBe(lowerOf(first));
    expect(snapshotTree(lowerOf(second))).toEqual(before);
    expect(imagesLeft().sort()).toEqual([`images/${first.record.id}`, `layers/${hex}`].sort());
  });

  it('stores the same content under another path as the same layer (extracted, then discarded)', async () => {
    const file = await writeTar(join(box.dir, 'good.tar'), entries);
    const first = await ensureImage(store, file);
    const copy = join(box.dir, 'copy.tar');
    copyFileSync(file, copy);
    // A rootfs's diff_id is known only once read: the copy is extracted,
    // found stored already at the rename, and its extraction removed.
    const second = await ensureImage(store, copy);
    expect(lowerOf(second)).toBe(lowerOf(first));
    // Its own record, though: the made-up config names the file it came from.
    expect(second.record.id).not.toBe(first.record.id);
    expect(second.record.layers).toEqual(first.record.layers);
    expect(imagesLeft().filter((n) => n.startsWith('layers/'))).toEqual([
      `layers/${first.record.layers[0]?.slice(7)}`,
    ]);
  });
});

describe('device nodes and FIFOs', () => {
  it('skips them, imports the rest and warns once', async () => {
    const file = await writeTar(join(box.dir, 'devs.tar'), [
      { name: 'dev/' },
      { name: 'dev/mem', type: 'character-device', devmajor: 1, devminor: 1, mode: 0o640 },
      { name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0, mode: 0o660 },
      { name: 'dev/initctl', type: 'fifo', mode: 0o600 },
      { name: 'etc/hostname', content: 'box\n' },
    ]);
    const writes = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const image = await ensureImage(store, file);
    const lower = lowerOf(image);
    expect(readdirSync(join(lower, 'dev'))).toEqual([]);
    expect(readFileSync(join(lower, 'etc/hostname'), 'utf8')).toBe('box\n');
    expect(image.layers[0]?.record.skipped).toEqual([
      'character-device /dev/mem',
      'block-device /dev/sda',
      'fifo /dev/initctl',
    ]);
    const lines = writes.mock.calls
      .map((c) => String(c[0]))
      .join('')
      .split('\n')
      .filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(file);
    expect(lines[0]).toMatch(/skipped 3 device node/);
  });

  it('reads past data attached to a symlink, device or unknown member instead of stalling', async () => {
    // A symlink or device header declaring 64 KiB (hostile, or a GNU sparse
    // 'S' member) once hung the import forever (tar-stream waited for the
    // data to be read); the data must be skipped, not parsed as headers.
    const data = Buffer.alloc(64 * 1024, 0x41);
    const tar = await makeTar([
      { name: 'dev/mem', rawTypeflag: '3', content: data },
      { name: 'sparse', rawTypeflag: 'S', content: data },
      { name: 'link', rawTypeflag: '2', linkname: 'target', content: data },
      { name: 'after', content: 'still here\n' },
    ]);
    const dest = join(box.dir, 'dest');
    mkdirSync(dest);
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('extraction stalled')), 5000).unref(),
    );
    const result = await Promise.race([extractTar(Readable.from([tar]), dest), timeout]);
    expect(result.skipped).toEqual(['character-device /dev/mem', 'unknown /sparse']);
    expect(readlinkSync(join(dest, 'link'))).toBe('target');
    expect(readFileSync(join(dest, 'after'), 'utf8')).toBe('still here\n');
  });
});

describe('broken image files: one line naming the file and the problem, nothing kept', () => {
  it.each(BROKEN)('refuses $what', async ({ make, problem }) => {
    const file = join(box.dir, 'image.tar');
    await make(file);
    const err = await failure(ensureImage(store, file));
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(125);
    expect(err.message).toMatch(new RegExp(`^image ${escaped(file)} `));
    expect(err.message).toMatch(problem);
    expect(err.message).not.toContain('\n');
    expect(imagesLeft()).toEqual([]);
  });
});

describe('interruption', () => {
  it('an aborted import throws InterruptedError (exit 130) and keeps nothing', async () => {
    const file = await writeTar(join(box.dir, 'good.tar'), [{ name: 'a/b/c', content: 'x' }]);
    const ac = new AbortController();
    const err = await failure(
      ensureImage(store, file, { signal: ac.signal, onExtract: () => ac.abort() }),
    );
    expect(err).toBeInstanceOf(InterruptedError);
    expect((err as InterruptedError).exitCode).toBe(130);
    expect(imagesLeft()).toEqual([]);
  });
});
