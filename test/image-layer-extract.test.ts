/**
 * One layer blob extracted as image tools mean it: decompressed by its
 * magic bytes (plain, gzip, zstd; xz and bzip2 named and refused), both
 * digests verified, and xattrs kept (a file capability survives the chown)
 * except overlayfs's own.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { getAttributeSync, listAttributesSync } from '@napi-rs/xattr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  extractLayer,
  LayerBlobError,
  LayerDigestError,
} from '../src/engine/image/layer-extract.js';
import { parsePax } from '../src/engine/image/tar-header.js';
import { makeTar, type TarEntry } from './support/tarballs.js';
import { removeRoot, tempRoot } from './support/state-root.js';

let dir: string;
let n = 0;
beforeEach(() => {
  dir = tempRoot('ovt-layer-');
});
afterEach(() => removeRoot(dir));

/** The blob in chunks of `size` bytes, as a file read would give it (smaller, to cross boundaries). */
async function* chunks(blob: Buffer, size = 64 << 10): AsyncGenerator<Buffer> {
  for (let i = 0; i < blob.length; i += size) yield blob.subarray(i, i + size);
}

function sha(b: Buffer): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

function zstd(tar: Buffer): Buffer {
  try {
    return execFileSync('zstd', ['-q', '-c', '-3'], { input: tar, maxBuffer: 1 << 30 });
  } catch (err) {
    throw new Error(`this test needs the zstd program (apt-get install zstd): ${String(err)}`);
  }
}

/** Replaces every `placeholder` in the tar with `bytes` (same length), then fixes each header's checksum. */
function withRawBytes(tar: Buffer, placeholder: string, bytes: Buffer): Buffer {
  const from = Buffer.from(placeholder, 'latin1');
  for (let at = tar.indexOf(from); at >= 0; at = tar.indexOf(from, at + 1)) bytes.copy(tar, at);
  for (let off = 0; off + 512 <= tar.length && tar[off] !== 0; ) {
    const size = parseInt(tar.toString('latin1', off + 124, off + 136), 8) || 0;
    tar.fill(0x20, off + 148, off + 156);
    let sum = 0;
    for (let i = off; i < off + 512; i++) sum += tar[i] ?? 0;
    tar.write(`${sum.toString(8).padStart(6, '0')}\0 `, off + 148, 'latin1');
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return tar;
}

function freshDest(): string {
  const d = join(dir, `layer${n++}`);
  mkdirSync(d);
  return d;
}

const ENTRIES: TarEntry[] = [
  { name: 'etc/', type: 'directory' },
  { name: 'etc/hostname', content: 'layer\n' },
  { name: 'bin/', type: 'directory' },
  { name: 'bin/tool', content: Buffer.alloc(300_000, 7), mode: 0o755 },
  { name: 'bin/alias', type: 'symlink', linkname: '/bin/tool' },
];

describe('extractLayer: decompression by magic bytes', () => {
  for (const format of ['plain', 'gzip', 'zstd'] as const) {
    it(`reads a ${format} blob, whatever it is labelled, and reports both digests`, async () => {
      const tar = await makeTar(ENTRIES);
      const blob = format === 'plain' ? tar : format === 'gzip' ? gzipSync(tar) : zstd(tar);
      const dest = freshDest();
      const result = await extractLayer(chunks(blob, 4096), dest, {
        expect: { blobDigest: sha(blob), diffId: sha(tar) },
      });
      expect(result).toMatchObject({
        compression: format,
        blobDigest: sha(blob),
        diffId: sha(tar),
        tarSize: tar.length,
        entries: ENTRIES.length,
        bytes: 300_006,
        whiteouts: 0,
        opaques: 0,
      });
      expect(readFileSync(join(dest, 'etc/hostname'), 'utf8')).toBe('layer\n');
      expect(readFileSync(join(dest, 'bin/tool')).equals(Buffer.alloc(300_000, 7))).toBe(true);
      expect(lstatSync(join(dest, 'bin/alias')).isSymbolicLink()).toBe(true);
    });
  }

  it('reads a blob that arrives a few bytes at a time (the magic split across chunks)', async () => {
    const tar = await makeTar(ENTRIES);
    const blob = zstd(tar);
    const result = await extractLayer(chunks(blob, 3), freshDest());
    expect(result.compression).toBe('zstd');
    expect(result.diffId).toBe(sha(tar));
  });

  it('names xz, bzip2 and lz4 blobs instead of reading them as tar', async () => {
    const tar = await makeTar(ENTRIES);
    const xz = execFileSync('xz', ['-c'], { input: tar });
    const bz = execFileSync('bzip2', ['-c'], { input: tar });
    const lz4 = Buffer.concat([Buffer.from([0x04, 0x22, 0x4d, 0x18]), Buffer.alloc(64)]);
    await expect(extractLayer(chunks(xz), freshDest())).rejects.toThrow(
      /^its blob is xz-compressed, which image layers are not \(overlay-tui reads plain tar, gzip and zstd\)$/,
    );
    await expect(extractLayer(chunks(bz), freshDest())).rejects.toThrow(
      /its blob is bzip2-compressed/,
    );
    await expect(extractLayer(chunks(lz4), freshDest())).rejects.toBeInstanceOf(LayerBlobError);
  });

  it('says a truncated or damaged gzip or zstd blob is corrupt, in one line', async () => {
    const tar = await makeTar(ENTRIES);
    const gz = gzipSync(tar);
    const zs = zstd(tar);
    const damaged = Buffer.from(gz);
    damaged.fill(0xff, 40, 80);
    const cases: [Buffer, RegExp][] = [
      [gz.subarray(0, gz.length - 100), /^its gzip data is corrupt \(.+\)$/],
      [damaged, /^its gzip data is corrupt \(.+\)$/],
      [zs.subarray(0, zs.length - 100), /^its zstd data is corrupt \(.+\)$/],
      [Buffer.concat([zs.subarray(0, 20), Buffer.alloc(400, 0xee)]), /^its zstd data is corrupt/],
    ];
    for (const [blob, message] of cases) {
      const err = await extractLayer(chunks(blob), freshDest()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LayerBlobError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toContain('\n');
    }
  });

  it('refuses a blob or a tar that does not hash to what the archive says', async () => {
    const tar = await makeTar(ENTRIES);
    const blob = gzipSync(tar);
    const wrong = sha(Buffer.from('something else'));
    const blobErr = await extractLayer(chunks(blob), freshDest(), {
      expect: { blobDigest: wrong, diffId: sha(tar) },
    }).catch((e: unknown) => e);
    expect(blobErr).toBeInstanceOf(LayerDigestError);
    expect(blobErr).toMatchObject({ what: 'blob', expected: wrong, actual: sha(blob) });
    const diffErr = await extractLayer(chunks(blob), freshDest(), {
      expect: { blobDigest: sha(blob), diffId: wrong },
    }).catch((e: unknown) => e);
    expect(diffErr).toBeInstanceOf(LayerDigestError);
    expect(diffErr).toMatchObject({ what: 'diff_id', expected: wrong, actual: sha(tar) });
    expect((diffErr as Error).message).toMatch(/diff_id/);
  });
});

describe('extractLayer: xattrs', () => {
  it('keeps a file capability (security.capability) written by GNU tar --xattrs', async () => {
    const src = join(dir, 'src');
    mkdirSync(join(src, 'usr/bin'), { recursive: true });
    writeFileSync(join(src, 'usr/bin/ping'), 'ping\n', { mode: 0o755 });
    execFileSync('setcap', ['cap_net_raw+ep', join(src, 'usr/bin/ping')]);
    // Owned by someone else than root in the layer: the chown must not clear it.
    execFileSync('chown', ['1000:1000', join(src, 'usr/bin/ping')]);
    execFileSync('setcap', ['cap_net_raw+ep', join(src, 'usr/bin/ping')]);
    const tarPath = join(dir, 'layer.tar');
    execFileSync('tar', ['--xattrs', '--xattrs-include=*', '-cf', tarPath, '-C', src, 'usr']);
    expect(readFileSync(tarPath).includes('SCHILY.xattr.security.capability')).toBe(true);
    const dest = freshDest();
    const result = await extractLayer(chunks(readFileSync(tarPath)), dest);
    const ping = join(dest, 'usr/bin/ping');
    expect(lstatSync(ping)).toMatchObject({ uid: 1000, gid: 1000 });
    expect(getAttributeSync(ping, 'security.capability')).toEqual(
      getAttributeSync(join(src, 'usr/bin/ping'), 'security.capability'),
    );
    expect(execFileSync('getcap', [ping], { encoding: 'utf8' })).toMatch(/cap_net_raw[=+]ep/);
    expect(result.droppedXattrs).toEqual([]);
  });

  it('sets user xattrs on files, directories and (trusted) symlinks, never through the link', async () => {
    const tar = await makeTar([
      { name: 'd/', type: 'directory', mode: 0o555, pax: { 'SCHILY.xattr.user.dir': 'D' } },
      {
        name: 'd/f',
        content: 'x',
        pax: { 'SCHILY.xattr.user.note': 'hello', 'SCHILY.xattr.user.empty': '' },
      },
      { name: 'target', content: 't' },
      {
        name: 'link',
        type: 'symlink',
        linkname: 'target',
        pax: { 'SCHILY.xattr.trusted.mark': 'L', 'SCHILY.xattr.user.refused': 'u' },
      },
    ]);
    const dest = freshDest();
    const result = await extractLayer(chunks(tar), dest);
    expect(getAttributeSync(join(dest, 'd'), 'user.dir')?.toString()).toBe('D');
    expect(getAttributeSync(join(dest, 'd/f'), 'user.note')?.toString()).toBe('hello');
    expect(getAttributeSync(join(dest, 'd/f'), 'user.empty')).toEqual(Buffer.alloc(0));
    expect(getAttributeSync(join(dest, 'link'), 'trusted.mark')?.toString()).toBe('L');
    expect(listAttributesSync(join(dest, 'target'))).toEqual([]);
    // Linux takes no user.* xattr on a symlink: reported, as Docker skips it.
    expect(result.droppedXattrs).toEqual(['user.refused on /link (the file system refused it)']);
    expect(lstatSync(join(dest, 'd')).mode & 0o7777).toBe(0o555);
  });

  it("drops overlayfs's own xattrs from an archive and says so", async () => {
    const tar = await makeTar([
      {
        name: 'moved/',
        type: 'directory',
        pax: {
          'SCHILY.xattr.trusted.overlay.redirect': '/etc',
          'SCHILY.xattr.trusted.overlay.opaque': 'y',
          'SCHILY.xattr.user.kept': 'k',
        },
      },
      {
        name: 'meta',
        content: '',
        pax: {
          'SCHILY.xattr.trusted.overlay.metacopy': '',
          'SCHILY.xattr.user.overlay.origin': 'x',
        },
      },
    ]);
    const dest = freshDest();
    const result = await extractLayer(chunks(tar), dest);
    expect(listAttributesSync(join(dest, 'moved'))).toEqual(['user.kept']);
    expect(listAttributesSync(join(dest, 'meta'))).toEqual([]);
    expect(result.droppedXattrs.sort()).toEqual(
      [
        "trusted.overlay.redirect on /moved (overlayfs's own: only the kernel writes it)",
        "trusted.overlay.opaque on /moved (overlayfs's own: only the kernel writes it)",
        "trusted.overlay.metacopy on /meta (overlayfs's own: only the kernel writes it)",
        "user.overlay.origin on /meta (overlayfs's own: only the kernel writes it)",
      ].sort(),
    );
  });

  it('sets xattrs on files and directories whose names are not UTF-8', async () => {
    // tar-stream writes names as UTF-8: "~Q" stands for the bytes ff fe, put in afterwards.
    const tar = withRawBytes(
      await makeTar([
        { name: 'd~Q/', type: 'directory', pax: { 'SCHILY.xattr.user.a': '1' } },
        { name: 'd~Q/f~Q', content: 'x', pax: { 'SCHILY.xattr.user.b': '2' } },
        { name: 'd~Q/ok', content: 'y', pax: { 'SCHILY.xattr.user.c': '3' } },
      ]),
      '~Q',
      Buffer.from([0xff, 0xfe]),
    );
    const dest = freshDest();
    const result = await extractLayer(chunks(tar), dest);
    expect(result.droppedXattrs).toEqual([]);
    const bad = Buffer.from([0xff, 0xfe]);
    const d = Buffer.concat([Buffer.from(`${dest}/d`), bad]);
    const names = readdirSync(d, { encoding: 'buffer' }).map((b) => b.toString('latin1'));
    expect(names.sort()).toEqual(['f\xff\xfe', 'ok']); // no temporary link left behind
    // Read back through the directory's descriptor: the package takes text paths only.
    const fd = openSync(d, 'r');
    try {
      expect(getAttributeSync(`/proc/self/fd/${fd}/.`, 'user.a')?.toString()).toBe('1');
      expect(getAttributeSync(`/proc/self/fd/${fd}/ok`, 'user.c')?.toString()).toBe('3');
      const f = Buffer.concat([d, Buffer.from('/f'), bad]);
      linkSync(f, join(dest, 'f-link'));
      expect(getAttributeSync(join(dest, 'f-link'), 'user.b')?.toString()).toBe('2');
    } finally {
      closeSync(fd);
    }
  });

  it('parses SCHILY.xattr (raw) and LIBARCHIVE.xattr (%-escaped name, base64 value) records', () => {
    const rec = (kv: string): string => {
      let len = kv.length + 3;
      if (`${len} ${kv}\n`.length !== len) len = `${len} ${kv}\n`.length;
      return `${len} ${kv}\n`;
    };
    const body = Buffer.from(
      rec('LIBARCHIVE.xattr.user.a%3Db=' + Buffer.from([0, 1, 0xff]).toString('base64')) +
        rec('SCHILY.xattr.user.raw=\x01\x00\x7f') +
        rec('LIBARCHIVE.xattr.user.raw=' + Buffer.from('ignored').toString('base64')) +
        rec('SCHILY.xattr.user.empty='),
      'latin1',
    );
    const pax = parsePax(body);
    expect([...(pax.xattrs ?? new Map<string, Buffer>())]).toEqual([
      ['user.a=b', Buffer.from([0, 1, 0xff])],
      ['user.raw', Buffer.from([1, 0, 0x7f])],
      ['user.empty', Buffer.alloc(0)],
    ]);
  });
});
