/**
 * A layer's `.wh.` members become what the kernel reads: `.wh.NAME` a 0/0
 * character device NAME, `DIR/.wh..wh..opq` the xattr
 * trusted.overlay.opaque=y on DIR; no `.wh.` file is left. Real tools'
 * quirks (a whiteout that is a hardlink to another, a leftover link name,
 * mode 0000, file-type bits in the mode) are read as they mean; names that
 * are no whiteout are refused. Then two such layers, mounted as overlay
 * lowers, show the merged view Docker would.
 */
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { getAttributeSync } from '@napi-rs/xattr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeWhiteouts } from '../src/engine/helper.js';
import { extractLayer, type LayerExtractResult } from '../src/engine/image/layer-extract.js';
import { overlayDirs, withOverlay } from './support/overlay-mount.js';
import { makeTar, type TarEntry } from './support/tarballs.js';
import { mountsUnder, removeRoot, tempRoot } from './support/state-root.js';

let dir: string;
let n = 0;
beforeEach(() => {
  dir = tempRoot('ovt-wh-');
});
afterEach(() => removeRoot(dir));

async function* once(blob: Buffer): AsyncGenerator<Buffer> {
  yield blob;
}

async function layer(entries: TarEntry[]): Promise<{ dest: string; result: LayerExtractResult }> {
  const dest = join(dir, `l${n++}`);
  mkdirSync(dest);
  const result = await extractLayer(once(await makeTar(entries)), dest);
  return { dest, result };
}

function isWhiteout(path: string | Buffer): boolean {
  const st = lstatSync(path);
  return st.isCharacterDevice() && st.rdev === 0 && (st.mode & 0o7777) === 0 && st.uid === 0;
}

function names(path: string): string[] {
  return readdirSync(path).sort();
}

function opaque(path: string): string | undefined {
  return getAttributeSync(path, 'trusted.overlay.opaque')?.toString();
}

describe('extractLayer: whiteouts and opaque directories', () => {
  it('makes .wh.NAME a 0/0 character device NAME, and leaves no .wh. file', async () => {
    const { dest, result } = await layer([
      { name: 'etc/', type: 'directory' },
      { name: 'etc/.wh.passwd', content: '', mode: 0o600 },
      { name: '.wh.tmpfile', content: '' },
      { name: 'etc/kept', content: 'k' },
    ]);
    expect(names(dest)).toEqual(['etc', 'tmpfile']);
    expect(names(join(dest, 'etc'))).toEqual(['kept', 'passwd']);
    expect(isWhiteout(join(dest, 'etc/passwd'))).toBe(true);
    expect(isWhiteout(join(dest, 'tmpfile'))).toBe(true);
    expect(result).toMatchObject({ whiteouts: 2, opaques: 0, entries: 4 });
  });

  it('makes DIR opaque for DIR/.wh..wh..opq (making DIR when the layer has no member for it)', async () => {
    const { dest, result } = await layer([
      { name: 'opt/', type: 'directory', mode: 0o750 },
      { name: 'opt/.wh..wh..opq', content: '' },
      { name: 'opt/new', content: 'n' },
      { name: 'var/lib/.wh..wh..opq', content: '' },
    ]);
    expect(names(join(dest, 'opt'))).toEqual(['new']);
    expect(opaque(join(dest, 'opt'))).toBe('y');
    expect(lstatSync(join(dest, 'opt')).mode & 0o7777).toBe(0o750);
    expect(names(join(dest, 'var/lib'))).toEqual([]);
    expect(opaque(join(dest, 'var/lib'))).toBe('y');
    expect(opaque(join(dest, 'var'))).toBeUndefined();
    expect(result).toMatchObject({ whiteouts: 0, opaques: 2 });
  });

  it("reads real tools' quirks: hardlinked whiteouts, leftover link names, mode 0000, type bits in the mode", async () => {
    const { dest, result } = await layer([
      { name: 'a/', type: 'directory', rawMode: 0o40755 }, // Docker 20.10: S_IFDIR in the mode
      { name: 'a/.wh.one', content: '', rawMode: 0 }, // podman: mode 0000 (tar-stream writes 0 as 0644)
      // The second whiteout: a hardlink to the first (they shared an inode in the upper).
      { name: 'a/.wh.two', type: 'link', linkname: 'a/.wh.one' },
      { name: 'b/.wh.three', type: 'link', linkname: 'a/.wh.one' },
      // A regular member that kept a link name.
      { name: 'a/.wh.four', content: '', linkname: 'a/.wh.one' },
      { name: 'a/file', content: 'f', rawMode: 0o100640 }, // S_IFREG in the mode
      { name: 'a/dir/', type: 'directory', rawMode: 0o40700 },
    ]);
    expect(names(join(dest, 'a'))).toEqual(['dir', 'file', 'four', 'one', 'two']);
    for (const w of ['a/one', 'a/two', 'a/four', 'b/three'])
      expect(isWhiteout(join(dest, w)), w).toBe(true);
    // Each its own node: no hardlink between whiteouts is kept.
    expect(lstatSync(join(dest, 'a/one')).nlink).toBe(1);
    expect(lstatSync(join(dest, 'a')).mode & 0o7777).toBe(0o755);
    expect(lstatSync(join(dest, 'a/file')).mode & 0o7777).toBe(0o640);
    expect(lstatSync(join(dest, 'a/dir')).mode & 0o7777).toBe(0o700);
    expect(result.whiteouts).toBe(4);
  });

  it('lets the later member of a path win, as tar does', async () => {
    const { dest, result } = await layer([
      { name: 'x', content: 'made, then whited out' },
      { name: '.wh.x', content: '' },
      { name: '.wh.y', content: '' },
      { name: 'y', content: 'whited out, then made' },
      { name: 'd/', type: 'directory' },
      { name: 'd/child', content: 'c' },
      { name: '.wh.d', content: '' },
      { name: '.wh.e', content: '' },
      { name: 'e/inner', content: 'i' }, // needs e as a directory: it replaces the whiteout
      { name: 'f/', type: 'directory' },
      { name: 'f/.wh..wh..opq', content: '' },
      { name: 'f', content: 'a file now: no longer opaque' },
    ]);
    expect(isWhiteout(join(dest, 'x'))).toBe(true);
    expect(readFileSync(join(dest, 'y'), 'utf8')).toBe('whited out, then made');
    expect(isWhiteout(join(dest, 'd'))).toBe(true);
    expect(readFileSync(join(dest, 'e/inner'), 'utf8')).toBe('i');
    expect(lstatSync(join(dest, 'f')).isFile()).toBe(true);
    expect(result).toMatchObject({ whiteouts: 2, opaques: 0 });
  });

  it('makes whiteouts with names that are not UTF-8', async () => {
    const tarNames = await makeTar([{ name: '.wh.~Q', content: '' }]);
    const at = tarNames.indexOf('~Q');
    Buffer.from([0xff, 0xfe]).copy(tarNames, at);
    tarNames.fill(0x20, 148, 156);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += tarNames[i] ?? 0;
    tarNames.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    const dest = join(dir, 'bytes');
    mkdirSync(dest);
    const result = await extractLayer(once(tarNames), dest);
    expect(result.whiteouts).toBe(1);
    const raw = Buffer.from([0xff, 0xfe]);
    expect(readdirSync(dest, { encoding: 'buffer' })).toEqual([raw]);
    expect(isWhiteout(Buffer.concat([Buffer.from(`${dest}/`), raw]))).toBe(true);
  });

  for (const [name, message] of [
    ['etc/.wh.', /^member "etc\/\.wh\." is a whiteout with no name$/],
    ['etc/.wh..', /^member "etc\/\.wh\.\." is a whiteout of "\."$/],
    ['.wh...', /^member "\.wh\.\.\." is a whiteout of "\.\."$/],
    [
      '.wh..wh.plnk/x',
      /^member "\.wh\.\.wh\.plnk\/x" is inside a whiteout \("\.wh\."\) directory$/,
    ],
    [
      'a/.wh..wh.aufs',
      /^member "a\/\.wh\.\.wh\.aufs" is an overlay metadata name that image layers do not use \(only \.wh\.\.wh\.\.opq is\)$/,
    ],
  ] as const) {
    it(`refuses the member "${name}" in one line naming it`, async () => {
      const err = await layer([
        { name: 'ok', content: 'o' },
        { name, content: '' },
      ]).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(message);
    });
  }

  it('refuses a whiteout through a symlink, and the helper never follows one either', async () => {
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'passwd'), 'sentinel');
    const err = await layer([
      { name: 'etc', type: 'symlink', linkname: outside },
      { name: 'etc/.wh.passwd', content: '' },
    ]).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/would be written through the symlink "etc"/);
    // The helper itself, given a path through a symlink planted after the check:
    const planted = join(dir, 'planted');
    mkdirSync(planted);
    symlinkSync(outside, join(planted, 'etc'));
    expect(() => makeWhiteouts(planted, ['etc/newnode'])).toThrow(
      /^could not make the whiteout "\/etc\/newnode": open its directory: Too many levels of symbolic links$/,
    );
    expect(() => makeWhiteouts(planted, ['etc'])).toThrow(/mknod: File exists/);
    expect(names(outside)).toEqual(['passwd']);
    expect(readFileSync(join(outside, 'passwd'), 'utf8')).toBe('sentinel');
  });
});

describe('layers with whiteouts, mounted as overlay lowers', () => {
  it('shows what Docker shows: whited-out files gone, an opaque directory hiding the lower one', async () => {
    const bottom = await layer([
      { name: 'etc/', type: 'directory' },
      { name: 'etc/passwd', content: 'root:x:0:0\n' },
      { name: 'etc/hosts', content: '127.0.0.1 localhost\n' },
      { name: 'opt/', type: 'directory' },
      { name: 'opt/app/', type: 'directory' },
      { name: 'opt/app/old1', content: '1' },
      { name: 'opt/app/old2', content: '2' },
      { name: 'srv/', type: 'directory' },
      { name: 'srv/data/', type: 'directory' },
      { name: 'srv/data/x', content: 'x' },
    ]);
    const top = await layer([
      { name: 'etc/', type: 'directory' },
      { name: 'etc/.wh.passwd', content: '', rawMode: 0 },
      { name: 'opt/', type: 'directory' },
      { name: 'opt/app/', type: 'directory' },
      { name: 'opt/app/.wh..wh..opq', content: '' },
      { name: 'opt/app/new', content: 'new' },
      { name: '.wh.srv', content: '' },
    ]);
    expect(top.result).toMatchObject({ whiteouts: 2, opaques: 1 });
    const root = join(dir, 'mnt');
    mkdirSync(root);
    const dirs = overlayDirs(root, [top.dest, bottom.dest]);
    try {
      withOverlay(dirs, [], () => {
        const m = dirs.merged;
        expect(names(m)).toEqual(['etc', 'opt']);
        expect(names(join(m, 'etc'))).toEqual(['hosts']);
        expect(names(join(m, 'opt/app'))).toEqual(['new']);
        expect(readFileSync(join(m, 'opt/app/new'), 'utf8')).toBe('new');
        expect(readFileSync(join(m, 'etc/hosts'), 'utf8')).toBe('127.0.0.1 localhost\n');
      });
    } finally {
      expect(mountsUnder(dir)).toEqual([]);
    }
  });
});
