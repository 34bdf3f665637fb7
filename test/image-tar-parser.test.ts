/**
 * The tar push parser on archives built byte by byte here, so that each
 * header field (GNU long names, base-256 numbers, pax records, checksums)
 * is exactly what the test says; test/image-tar-gnu.test.ts checks it
 * against archives written by GNU tar itself.
 */
import { describe, expect, it } from 'vitest';
import { TarParser, TRUNCATED, type TarHeader } from '../src/engine/image/tar-parser.js';
import { makeTar } from './support/tarballs.js';

type Member = Omit<TarHeader, 'devmajor' | 'devminor'> & { data: string };

/** Parses the chunks into members, their data as latin1; throws what the parser throws. */
function parse(chunks: Buffer[]): Member[] {
  const out: Member[] = [];
  const parser = new TarParser({
    entry: ({ devmajor: _major, devminor: _minor, ...h }) => out.push({ ...h, data: '' }),
    // A slice is valid only during the call: decode it now.
    data: (slice) => {
      const m = out.at(-1);
      if (m) m.data += slice.toString('latin1');
    },
    end: () => undefined,
  });
  for (const c of chunks) parser.push(c);
  parser.finish();
  return out;
}

interface Fields {
  name?: string;
  flag?: string;
  mode?: number;
  uid?: number | Buffer;
  gid?: number | Buffer;
  size?: number | Buffer;
  mtime?: number | Buffer;
  linkname?: string;
  magic?: 'ustar' | 'gnu' | 'v7';
  prefix?: string;
  /** Written into the block before the checksum is computed. */
  patch?: (block: Buffer) => void;
  checksum?: 'signed' | 'bad';
}

function octal(b: Buffer, off: number, len: number, v: number | Buffer): void {
  if (Buffer.isBuffer(v)) v.copy(b, off);
  else b.write(`${v.toString(8).padStart(len - 1, '0')}\0`, off, 'latin1');
}

/** A 256-base field of `len` bytes (GNU): 0x80 then big-endian, or two's complement if negative. */
function base256(v: number, len: number): Buffer {
  const b = Buffer.alloc(len, v < 0 ? 0xff : 0);
  let x = BigInt(v) & ((1n << BigInt(8 * len - 1)) - 1n);
  for (let i = len - 1; i > 0; i--, x >>= 8n) b[i] = Number(x & 0xffn);
  b[0] = v < 0 ? 0xff : 0x80;
  return b;
}

function header(f: Fields): Buffer {
  const b = Buffer.alloc(512);
  b.write(f.name ?? 'file', 0, 100, 'utf8');
  octal(b, 100, 8, f.mode ?? 0o644);
  octal(b, 108, 8, f.uid ?? 0);
  octal(b, 116, 8, f.gid ?? 0);
  octal(b, 124, 12, f.size ?? 0);
  octal(b, 136, 12, f.mtime ?? 1_000_000_000);
  b.write(f.flag ?? '0', 156, 'latin1');
  b.write(f.linkname ?? '', 157, 100, 'utf8');
  const magic = f.magic ?? 'ustar';
  if (magic === 'ustar') b.write('ustar\x0000', 257, 'latin1');
  if (magic === 'gnu') b.write('ustar  \0', 257, 'latin1');
  if (f.prefix) b.write(f.prefix, 345, 155, 'utf8');
  f.patch?.(b);
  let sum = 8 * 32;
  for (let i = 0; i < 512; i++) {
    const byte = i >= 148 && i < 156 ? 0 : (b[i] ?? 0);
    sum += f.checksum === 'signed' && byte > 127 ? byte - 256 : byte;
  }
  if (f.checksum === 'bad') sum += 1;
  b.write(`${(sum & 0o777777).toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return b;
}

const pad = (data: Buffer): Buffer => Buffer.concat([data, Buffer.alloc(-data.length & 511)]);
const member = (f: Fields, data = ''): Buffer =>
  Buffer.concat([header({ size: Buffer.byteLength(data), ...f }), pad(Buffer.from(data))]);
const END = Buffer.alloc(1024);
const tar = (...parts: Buffer[]): Buffer => Buffer.concat([...parts, END]);

function paxBody(records: Record<string, string>): string {
  return Object.entries(records)
    .map(([k, v]) => {
      const rest = ` ${k}=${v}\n`;
      let len = rest.length + 1;
      while (String(len).length + rest.length !== len) len++;
      return `${len}${rest}`;
    })
    .join('');
}

describe('tar parser: chunk boundaries', () => {
  it('reports the same members and data wherever the input is cut', async () => {
    const long = `dir/${'n'.repeat(150)}`; // written as a pax path by tar-stream
    const archive = await makeTar([
      { name: 'empty', content: '' },
      { name: 'one', content: 'x' },
      { name: 'block', content: 'b'.repeat(512) },
      { name: 'more', content: 'm'.repeat(1500) },
      { name: 'dir/' },
      { name: 'dir/link', type: 'symlink', linkname: '../one' },
      { name: long, content: 'long\n' },
    ]);
    const gnu = tar(
      member({ name: '././@LongLink', flag: 'L' }, `${'g'.repeat(130)}\0`),
      member({ name: 'short' }, 'gnu data'),
      member({ name: 'second' }, 'y'.repeat(600)),
    );
    for (const whole of [archive, gnu]) {
      const expected = parse([whole]);
      expect(expected.length).toBeGreaterThan(1);
      for (let i = 0; i <= whole.length; i++)
        expect(parse([whole.subarray(0, i), whole.subarray(i)])).toEqual(expected);
      const bytes = [...whole].map((b) => Buffer.from([b]));
      expect(parse(bytes)).toEqual(expected);
    }
    expect(parse([archive]).map((m) => [m.name, m.type, m.data.length])).toEqual([
      ['empty', 'file', 0],
      ['one', 'file', 1],
      ['block', 'file', 512],
      ['more', 'file', 1500],
      ['dir/', 'directory', 0],
      ['dir/link', 'symlink', 0],
      [long, 'file', 5],
    ]);
    expect(parse([gnu])[0]).toMatchObject({ name: 'g'.repeat(130), data: 'gnu data' });
  });
});

describe('tar parser: formats', () => {
  it('takes GNU long names and long link targets from L and K members', () => {
    const name = `${'a'.repeat(90)}/${'b'.repeat(90)}`;
    const target = `/${'t'.repeat(200)}`;
    const [m] = parse([
      tar(
        member({ name: '././@LongLink', flag: 'L', magic: 'gnu' }, `${name}\0`),
        member({ name: '././@LongLink', flag: 'K', magic: 'gnu' }, `${target}\0`),
        member({ name: 'truncated-name', flag: '2', linkname: 'truncated', magic: 'gnu' }),
      ),
    ]);
    expect(m).toMatchObject({ name, linkname: target, type: 'symlink' });
  });

  it('reads base-256 numbers (big uid, gid, size; a negative mtime)', () => {
    const data = 'x'.repeat(700);
    const [uid, gid, size] = [base256(2 ** 33, 8), base256(3e9, 8), base256(700, 12)];
    const big = { uid, gid, size, mtime: base256(-86_400, 12), magic: 'gnu' } as const;
    const [m] = parse([tar(member(big, data))]);
    expect(m).toMatchObject({ uid: 2 ** 33, gid: 3_000_000_000, size: 700, mtime: -86_400, data });
  });

  it('applies pax path, linkpath, size, uid, gid and a fractional mtime to the next member only', () => {
    const path = `pax/${'p'.repeat(200)}`;
    const x = paxBody({ path, size: '5', uid: '70000', gid: '80000', mtime: '1700000000.25' });
    const members = parse([
      tar(
        member({ name: 'PaxHeaders/x', flag: 'x' }, x),
        Buffer.concat([header({ name: 'short', size: 0 }), pad(Buffer.from('hello'))]),
        member({ name: 'PaxHeaders/l', flag: 'x' }, paxBody({ linkpath: 'L'.repeat(150) })),
        member({ name: 'sym', flag: '2', linkname: 'cut' }),
        member({ name: 'plain', uid: 5 }, 'p'),
      ),
    ]);
    expect(members.map((m) => [m.name, m.size, m.uid, m.gid, m.mtime, m.linkname, m.data])).toEqual(
      [
        [path, 5, 70000, 80000, 1700000000.25, '', 'hello'],
        ['sym', 0, 0, 0, 1_000_000_000, 'L'.repeat(150), ''],
        ['plain', 1, 5, 0, 1_000_000_000, '', 'p'],
      ],
    );
  });

  it('applies global pax uid, gid and mtime to every later member, but no path', () => {
    const g = paxBody({ path: 'ignored', uid: '1000', mtime: '1600000000' });
    const members = parse([
      tar(
        member({ name: 'pax_global_header', flag: 'g' }, g),
        member({ name: 'a' }, 'a'),
        member({ name: 'PaxHeaders/b', flag: 'x' }, paxBody({ uid: '7' })),
        member({ name: 'b' }, 'b'),
      ),
    ]);
    expect(members.map((m) => [m.name, m.uid, m.mtime])).toEqual([
      ['a', 1000, 1600000000],
      ['b', 7, 1600000000],
    ]);
  });

  it('follows GNU tar on sizes: no data after a directory or hardlink, data skipped after the rest', () => {
    const hidden = header({ name: 'hidden-in-data' });
    const members = parse([
      tar(
        member({ name: 'd/', flag: '5', size: 512 }),
        member({ name: 'h', flag: '1', linkname: 'd', size: 512 }),
        Buffer.concat([header({ name: 's', flag: '2', linkname: 't', size: 512 }), hidden]),
        Buffer.concat([header({ name: 'S', flag: 'S', size: 512 }), hidden]),
        Buffer.concat([header({ name: 'V', flag: 'V', size: 512 }), hidden]),
        member({ name: 'after' }, 'after'),
      ),
    ]);
    expect(members.map((m) => [m.name, m.type, m.data])).toEqual([
      ['d/', 'directory', ''],
      ['h', 'link', ''],
      ['s', 'symlink', hidden.toString('latin1')],
      ['S', 'unknown', hidden.toString('latin1')],
      ['V', 'unknown', hidden.toString('latin1')],
      ['after', 'file', 'after'],
    ]);
  });

  it('reads old headers: v7 (no magic), a trailing slash for a directory, ustar prefixes', () => {
    const members = parse([
      tar(
        member({ name: 'old-dir/', flag: '\0', magic: 'v7' }),
        member({ name: 'old-file', flag: '\0', magic: 'v7' }, 'v7'),
        member({ name: 'name', prefix: 'the/prefix' }, 'u'),
        // GNU's magic: the prefix area holds other fields, not a prefix.
        member({ name: 'gnu-name', magic: 'gnu', patch: (b) => b.write('atime', 345) }),
      ),
    ]);
    expect(members.map((m) => [m.name, m.type])).toEqual([
      ['old-dir/', 'directory'],
      ['old-file', 'file'],
      ['the/prefix/name', 'file'],
      ['gnu-name', 'file'],
    ]);
  });

  it('accepts the signed checksum of old tars', () => {
    const name = 'caf\u00e9-\u00fc';
    // Names come as byte strings: the UTF-8 bytes, one char each.
    const bytes = Buffer.from(name).toString('latin1');
    expect(parse([tar(member({ name, checksum: 'signed' }, 's'))])[0]?.name).toBe(bytes);
  });

  it('ends at the first zero block, as GNU tar does, and also without one', () => {
    const one = member({ name: 'one' }, '1');
    const two = member({ name: 'two' }, '2');
    const names = (b: Buffer): string[] => parse([b]).map((m) => m.name);
    expect(names(Buffer.concat([one, Buffer.alloc(512), two, END]))).toEqual(['one']);
    expect(names(Buffer.concat([one, END, Buffer.from('trailing garbage')]))).toEqual(['one']);
    expect(names(Buffer.concat([one, two]))).toEqual(['one', 'two']);
    expect(names(END)).toEqual([]);
  });
});

describe('tar parser: corrupt input', () => {
  const good = member({ name: 'f' }, 'x'.repeat(1000));

  it('refuses a bad checksum, a non-octal number, a negative size', () => {
    expect(() => parse([tar(member({ name: 'f', checksum: 'bad' }))])).toThrow(
      /^Invalid tar header: bad checksum/,
    );
    expect(() => parse([tar(member({ name: 'f', patch: (b) => b.write('12x', 124) }))])).toThrow(
      /^Invalid tar header: size is not an octal number/,
    );
    expect(() => parse([tar(member({ name: 'f', size: base256(-1, 12) }))])).toThrow(
      /^Invalid tar header: size is negative/,
    );
    expect(() => parse([Buffer.from('hello, not a tar\n'.repeat(100))])).toThrow(
      /^Invalid tar header/,
    );
  });

  it('refuses malformed and oversized pax records', () => {
    for (const body of ['12 path=x\n', '5 path=abc\n', 'x path=a\n', '10 pathxxx\n'])
      expect(() => parse([tar(member({ name: 'p', flag: 'x' }, body), good)])).toThrow(
        /^Invalid tar header: malformed pax/,
      );
    const negative = member({ name: 'p', flag: 'x' }, paxBody({ uid: '-1' }));
    expect(() => parse([tar(negative, good)])).toThrow(/^Invalid tar header: pax uid=-1/);
    const huge = header({ name: 'p', flag: 'x', size: 2 << 20 });
    expect(() => parse([huge])).toThrow(/^Invalid tar header: a 'x' header of 2097152 bytes/);
  });

  it('says where the input ends: before a header, inside a member, or after a lone long name', () => {
    expect(() => parse([Buffer.from('short text\n')])).toThrow(
      'the file ends before its first tar header',
    );
    for (const cut of [good.length - 600, good.length - 1, 512 + 100, good.length + 100])
      expect(() => parse([Buffer.concat([good, good]).subarray(0, cut)])).toThrow(TRUNCATED);
    const lone = member({ name: '././@LongLink', flag: 'L' }, 'name\0');
    expect(() => parse([lone])).toThrow(TRUNCATED);
  });
});
