/**
 * Tar archives made by the tests themselves (tar-stream's pack), so that a
 * hostile header is written exactly as the test spells it and no binary
 * fixture is committed.
 */
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { extract, pack, type Header, type Pack } from 'tar-stream';
import { expect } from 'vitest';
import { DEFAULT_IMAGE_PATH } from './paths.js';
import { tempRoot } from './state-root.js';
import { snapshotTree } from './tree-snapshot.js';

export type EntryType = Header['type'];

export interface TarEntry {
  /** Written as is: `..`, a leading `/`, anything. */
  name: string;
  /** Default: 'directory' when the name ends with '/', else 'file'. */
  type?: EntryType;
  /** tar-stream writes 0 as its default (0644): use rawMode for 0000. */
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: Date;
  /** Symlink target, or the member a hardlink points at. */
  linkname?: string;
  content?: string | Buffer;
  devmajor?: number;
  devminor?: number;
  /**
   * Overwrites the header's type flag after packing (e.g. '2' on an entry
   * with content: a symlink header that carries data, which tar-stream's pack
   * refuses to write).
   */
  rawTypeflag?: string;
  /**
   * Overwrites the header's mode field after packing, with bits tar-stream
   * would mask off (Docker 20.10 writes file-type bits there: 0o100644).
   */
  rawMode?: number;
  /** Pax records for the member (tar-stream writes them as UTF-8 text). */
  pax?: Record<string, string>;
}

/** A fixed, recognisable time: 2001-09-09T01:46:40Z. */
export const MTIME = new Date(1_000_000_000_000);

function headerOf(e: TarEntry): Partial<Header> & Pick<Header, 'name'> {
  const type =
    e.rawTypeflag !== undefined
      ? 'file'
      : (e.type ?? (e.name.endsWith('/') ? 'directory' : 'file'));
  const dir = type === 'directory';
  return {
    name: e.name,
    type,
    mode: e.mode ?? (dir ? 0o755 : 0o644),
    uid: e.uid ?? 0,
    gid: e.gid ?? 0,
    mtime: e.mtime ?? MTIME,
    ...(e.linkname !== undefined ? { linkname: e.linkname } : {}),
    ...(e.devmajor !== undefined ? { devmajor: e.devmajor } : {}),
    ...(e.devminor !== undefined ? { devminor: e.devminor } : {}),
    ...(e.pax !== undefined ? { pax: e.pax } : {}),
  };
}

function addEntry(p: Pack, e: TarEntry): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error | null): void => (err ? reject(err) : resolve());
    const h = headerOf(e);
    if (h.type === 'file') p.entry(h, e.content ?? '', done);
    else p.entry(h, done).end(null);
  });
}

/**
 * Changes the index-th member's header (counting headers in order; no
 * pax/long names) with `edit`, given the header's offset, and fixes its checksum.
 */
function patchHeader(tar: Buffer, index: number, edit: (off: number) => void): void {
  let off = 0;
  for (let i = 0; ; i++) {
    const size = parseInt(tar.toString('ascii', off + 124, off + 136).replace(/\0.*$/, ''), 8) || 0;
    if (i === index) {
      edit(off);
      tar.fill(0x20, off + 148, off + 156); // the checksum counts its own field as spaces
      let sum = 0;
      for (let b = off; b < off + 512; b++) sum += tar[b] ?? 0;
      tar.write(`${sum.toString(8).padStart(6, '0')}\0 `, off + 148, 'ascii');
      return;
    }
    off += 512 + Math.ceil(size / 512) * 512;
  }
}

/** The archive as a Buffer, gzipped when asked. */
export async function makeTar(entries: TarEntry[], opts: { gzip?: boolean } = {}): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const c of p) chunks.push(c as Buffer);
  })();
  for (const e of entries) await addEntry(p, e);
  p.finalize();
  await collected;
  const tar = Buffer.concat(chunks);
  entries.forEach((e, i) => {
    const { rawTypeflag, rawMode } = e;
    if (rawTypeflag !== undefined)
      patchHeader(tar, i, (off) => (tar[off + 156] = rawTypeflag.charCodeAt(0)));
    if (rawMode !== undefined)
      patchHeader(tar, i, (off) =>
        tar.write(`${rawMode.toString(8).padStart(7, '0')}\0`, off + 100, 'ascii'),
      );
  });
  return opts.gzip ? gzipSync(tar) : tar;
}

export async function writeTar(
  path: string,
  entries: TarEntry[],
  opts: { gzip?: boolean } = {},
): Promise<string> {
  writeFileSync(path, await makeTar(entries, opts));
  return path;
}

/**
 * A large archive streamed to path, never held in memory: `files` files of
 * `fileSize` zero bytes each under big/, written in chunks of at most 1 MiB
 * with backpressure.
 */
export async function writeBigTar(path: string, files: number, fileSize: number): Promise<void> {
  const p = pack();
  const out = createWriteStream(path);
  const written = pipeline(p, out);
  const chunk = Buffer.alloc(Math.min(fileSize, 1 << 20));
  for (let i = 0; i < files; i++) {
    const sink = p.entry({ name: `big/f${i}`, size: fileSize, mode: 0o644, mtime: MTIME });
    for (let left = fileSize; left > 0; left -= chunk.length) {
      if (!sink.write(chunk.subarray(0, Math.min(left, chunk.length)))) await once(sink, 'drain');
    }
    sink.end(null);
    await once(sink, 'finish');
  }
  p.finalize();
  await written;
}

let busybox: Buffer | undefined;

/**
 * The static busybox from the default image, so that a generated image can
 * run a command (`true`) once it is imported.
 */
export async function busyboxEntries(): Promise<TarEntry[]> {
  if (!busybox) {
    const ex = extract();
    const reading = pipeline(createReadStream(DEFAULT_IMAGE_PATH), ex);
    for await (const entry of ex) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      if (entry.header.name.replace(/^\.?\//, '') === 'bin/busybox')
        busybox = Buffer.concat(chunks);
    }
    await reading;
  }
  if (!busybox) throw new Error(`no bin/busybox in ${DEFAULT_IMAGE_PATH}`);
  return [
    { name: 'bin/', type: 'directory' },
    { name: 'bin/busybox', content: busybox, mode: 0o755 },
    { name: 'bin/true', type: 'symlink', linkname: 'busybox' },
    { name: 'bin/sh', type: 'symlink', linkname: 'busybox' },
  ];
}

/**
 * A test's own world: a state root and, beside it, an "outside" directory
 * holding a sentinel file that the hostile archives aim at.
 */
export interface Sandbox {
  dir: string;
  root: string;
  outside: string;
}

export function makeSandbox(prefix: string): Sandbox {
  const dir = tempRoot(prefix);
  const outside = join(dir, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'passwd'), 'sentinel\n');
  const root = join(dir, 'root');
  mkdirSync(root, { mode: 0o700 });
  return { dir, root, outside };
}

/** Every path in the sandbox (but the digest cache) with its type, mode, owner and content hash. */
export function sandboxState(s: Sandbox): Map<string, string> {
  const all = snapshotTree(s.dir);
  for (const key of [...all.keys()]) {
    // The state root's own directories come and go (and their mtimes change).
    if (
      /^root(\/layers|\/images|\/containers)?$/.test(key) ||
      key.startsWith('root/images/.sources')
    )
      all.delete(key);
  }
  return all;
}

/** Far enough up to reach / from any directory a test uses. */
const UP = '../'.repeat(24);

const file = (name: string, content: string | Buffer = 'x'): TarEntry => ({ name, content });
const sym = (name: string, linkname: string): TarEntry => ({ name, type: 'symlink', linkname });
const hard = (name: string, linkname: string): TarEntry => ({ name, type: 'link', linkname });

export interface Attack {
  what: string;
  entries: TarEntry[];
  /** What the refusal must say. */
  reason: RegExp;
}

/**
 * Attack i aimed at the sandbox's outside directory, written as a tarball,
 * and a check that nothing changed since: the sandbox (its outside sentinel
 * too), the host's /etc/passwd, and whether /tmp/x exists.
 */
export async function armAttack(
  s: Sandbox,
  i: number,
): Promise<{ attack: Attack; file: string; nothingLanded: () => void }> {
  const attack = attacks(s.outside)[i];
  if (!attack) throw new Error(`no attack ${i}`);
  const file = await writeTar(join(s.dir, 'evil.tar'), attack.entries);
  const before = sandboxState(s);
  const hostPasswd = readFileSync('/etc/passwd');
  const hostTmpX = existsSync('/tmp/x');
  const nothingLanded = (): void => {
    expect(sandboxState(s)).toEqual(before);
    expect(readFileSync('/etc/passwd')).toEqual(hostPasswd);
    expect(existsSync('/tmp/x')).toBe(hostTmpX);
  };
  return { attack, file, nothingLanded };
}

/** One archive per way out; each must be refused whole, writing nothing outside. */
export function attacks(outside: string): Attack[] {
  const climbs = /climbs out with "\.\."/;
  const via = (link: string): RegExp => new RegExp(`through the symlink "${link}"`);
  const notOurs = /not a file extracted from this archive/;
  const a = (what: string, entries: TarEntry[], reason: RegExp): Attack => ({
    what,
    entries,
    reason,
  });
  return [
    a('".." at the start of a name (../../tmp/x)', [file('../../tmp/x')], climbs),
    a('".." up to the outside directory', [file(`${UP}${outside.slice(1)}/x`)], climbs),
    a('".." in the middle of a name (a/../../x)', [{ name: 'a/' }, file('a/../../x')], climbs),
    a(
      'symlink etc -> /etc, then etc/passwd',
      [sym('etc', '/etc'), file('etc/passwd', 'root::0:0::/:/bin/sh\n')],
      via('etc'),
    ),
    a(
      'symlink etc -> outside, then etc/passwd',
      [sym('etc', outside), file('etc/passwd')],
      via('etc'),
    ),
    a(
      'symlink chain a -> b -> outside, then a/x',
      [sym('a', 'b'), sym('b', outside), file('a/x')],
      via('a'),
    ),
    a(
      'relative symlink l -> ../../../.., then l/x',
      [sym('l', '../../../..'), file('l/x')],
      via('l'),
    ),
    a(
      'directory d/ replaced by d -> outside, then d/x',
      [{ name: 'd/' }, sym('d', outside), file('d/x')],
      via('d'),
    ),
    a('hardlink to /etc/shadow', [hard('shadow', '/etc/shadow')], notOurs),
    a('hardlink to ../../x', [hard('x', '../../x')], climbs),
    a('hardlink to a member that does not exist', [hard('x', 'nothere')], notOurs),
    a(
      'hardlink through a symlink to an outside file',
      [sym('o', outside), hard('x', 'o/passwd')],
      notOurs,
    ),
    a(
      'directory d/ with d/f replaced by d -> outside, then a hardlink to d/f',
      [{ name: 'd/' }, file('d/f'), sym('d', outside), hard('x', 'd/f')],
      notOurs,
    ),
  ];
}

export interface Broken {
  what: string;
  make: (path: string) => Promise<void> | void;
  /** The problem the one-line error must name. */
  problem: RegExp;
}

const put = (data: string | Buffer) => (p: string) => writeFileSync(p, data);
const cut = (data: Buffer, at: number) => (p: string) => writeFileSync(p, data.subarray(0, at));

/** Image files that are not a whole plain or gzip tar: each is refused with one line. */
export async function brokenImages(): Promise<Broken[]> {
  const big = await makeTar([file('big', Buffer.alloc(100_000, 1))]);
  const gz = await makeTar([file('f', randomBytes(50_000))], { gzip: true });
  const xz = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
  const text = 'hello, I am not a tarball\n';
  const b = (what: string, make: Broken['make'], problem: RegExp): Broken => ({
    what,
    make,
    problem,
  });
  return [
    b(
      'random bytes',
      put(Buffer.concat([Buffer.from('R'), randomBytes(64 * 1024)])),
      /is not a tar archive/,
    ),
    b('a tar cut off in the middle of a file', cut(big, 512 + 50_000), /is truncated/),
    b('a 0-byte file', put(''), /is empty \(0 bytes\)/),
    b('a short text file', put(text), /is not a tar archive/),
    b('a long text file', put(text.repeat(100)), /is not a tar archive/),
    b('a tar with no members', put(Buffer.alloc(1024)), /is an empty tar archive/),
    b('a truncated gzip', cut(gz, gz.length >> 1), /is a corrupt or truncated gzip file/),
    b('a file with xz magic', put(Buffer.concat([xz, randomBytes(100)])), /is xz-compressed/),
    b('a missing path', () => undefined, /does not exist/),
    b('a directory', (p) => mkdirSync(p), /is a directory but not an OCI image layout/),
  ];
}
