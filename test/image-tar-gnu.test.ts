/**
 * The tar parser against GNU tar itself: a small tree with long names, long
 * link targets, symlinks, a hardlink, a FIFO, big ids and a setuid file is
 * archived by `tar --format=gnu` and `--format=posix`, and the parser must
 * list the same members as `tar -tv`, and extraction must give the tree
 * `tar -xf` gives (but the FIFO, which we skip). Sparse files (GNU 'S'
 * members with extension blocks, and pax GNU.sparse.*) are skipped whole.
 */
import { execFileSync } from 'node:child_process';
import {
  chownSync,
  createReadStream,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
  chmodSync,
  openSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractTar } from '../src/engine/image/extract.js';
import { TarParser, type TarHeader } from '../src/engine/image/tar-parser.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync('/tmp/ovt-gnutar-');
  const src = join(dir, 'src');
  const deep = join('d'.repeat(60), 'e'.repeat(70));
  mkdirSync(join(src, deep), { recursive: true });
  const long = join(deep, 'f'.repeat(120)); // 252 bytes: neither name nor prefix holds it
  writeFileSync(join(src, long), 'hi\n');
  symlinkSync(long, join(src, 'longlink'));
  symlinkSync('/etc/passwd', join(src, 'abs'));
  writeFileSync(join(src, 'a'), 'a'.repeat(1500));
  utimesSync(join(src, 'a'), 1577934245.5, 1577934245.5);
  linkSync(join(src, 'a'), join(src, 'hard'));
  execFileSync('mkfifo', [join(src, 'fifo')]);
  writeFileSync(join(src, 'bigids'), 'ids\n');
  chownSync(join(src, 'bigids'), 3_000_000, 80_000); // beyond octal's 7 digits: base-256 or pax
  writeFileSync(join(src, 'suid'), '#!/bin/sh\n');
  chmodSync(join(src, 'suid'), 0o4755);
  mkdirSync(join(src, 'empty'), 0o700);
  // A sparse file with more holes than an 'S' header's own map holds.
  const sparse = join(dir, 'sparse');
  mkdirSync(sparse);
  const fd = openSync(join(sparse, 'holes'), 'w');
  for (let i = 1; i <= 12; i++) writeSync(fd, Buffer.from(`data${i}`), 0, 5, i * 300_000);
  closeSync(fd);
  writeFileSync(join(sparse, 'zafter'), 'after\n');
  const tar = (args: string[]): void => {
    execFileSync('tar', args, { cwd: dir });
  };
  tar(['--format=gnu', '-cf', 'gnu.tar', '-C', 'src', '.']);
  tar(['--format=posix', '-cf', 'posix.tar', '-C', 'src', '.']);
  tar(['--format=gnu', '-S', '-cf', 'gnu-sparse.tar', '-C', 'sparse', 'holes', 'zafter']);
  tar(['--format=posix', '-S', '-cf', 'posix-sparse.tar', '-C', 'sparse', 'holes', 'zafter']);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

type Member = TarHeader & { data: string };

function parseFile(file: string): Member[] {
  const out: Member[] = [];
  const parser = new TarParser({
    entry: (h) => out.push({ ...h, data: '' }),
    data: (slice) => {
      const m = out.at(-1);
      if (m) m.data += slice.toString('latin1');
    },
    end: () => undefined,
  });
  const bytes = readFileSync(join(dir, file));
  // Odd-sized chunks, so that headers and data straddle them.
  for (let i = 0; i < bytes.length; i += 1000) parser.push(bytes.subarray(i, i + 1000));
  parser.finish();
  return out;
}

const TYPE_CHAR: Record<string, string> = {
  file: '-',
  directory: 'd',
  symlink: 'l',
  link: 'h',
  fifo: 'p',
  'character-device': 'c',
  'block-device': 'b',
};

function modeString(type: string, mode: number): string {
  const bit = (m: number, c: string): string => (mode & m ? c : '-');
  const special = (x: number, s: number, lower: string): string =>
    mode & s ? (mode & x ? lower : lower.toUpperCase()) : bit(x, 'x');
  return [
    TYPE_CHAR[type] ?? '?',
    bit(0o400, 'r'),
    bit(0o200, 'w'),
    special(0o100, 0o4000, 's'),
    bit(0o40, 'r'),
    bit(0o20, 'w'),
    special(0o10, 0o2000, 's'),
    bit(0o4, 'r'),
    bit(0o2, 'w'),
    special(0o1, 0o1000, 't'),
  ].join('');
}

/** Our members in the words of `tar -tv --numeric-owner --full-time` (to the second). */
function listing(members: Member[]): string[] {
  return members.map((m) => {
    const when = new Date(Math.floor(m.mtime) * 1000).toISOString().slice(0, 19).replace('T', ' ');
    const link =
      m.type === 'symlink'
        ? ` -> ${m.linkname}`
        : m.type === 'link'
          ? ` link to ${m.linkname}`
          : '';
    return `${modeString(m.type, m.mode)} ${m.uid}/${m.gid} ${m.size} ${when} ${m.name}${link}`;
  });
}

function tarListing(file: string): string[] {
  const out = execFileSync('tar', ['-tvf', file, '--numeric-owner', '--full-time'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC' },
  });
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const m = /^(\S+) (\d+\/\d+) +(\d+) (\S+ \d\d:\d\d:\d\d)(?:\.\d+)? +(.*)$/.exec(line);
      if (!m) throw new Error(`unexpected tar -tv line: ${line}`);
      return `${m[1]} ${m[2]} ${m[3]} ${m[4]} ${m[5]}`;
    });
}

describe('the tar parser on archives written by GNU tar', () => {
  it.each(['gnu.tar', 'posix.tar'])('lists %s as tar -tv does, with the same data', (file) => {
    const members = parseFile(file);
    expect(listing(members)).toEqual(tarListing(file));
    const data = (name: RegExp): string | undefined =>
      members.find((m) => name.test(m.name) && m.type === 'file')?.data;
    expect(data(/f{120}$/)).toBe('hi\n');
    expect(data(/\/(a|hard)$/)).toBe('a'.repeat(1500)); // whichever tar met first
    expect(members.find((m) => m.name.endsWith('bigids'))).toMatchObject({
      uid: 3_000_000,
      gid: 80_000,
    });
  });

  it('reads the fractional mtime of a posix archive', () => {
    const a = parseFile('posix.tar').find((m) => /\/(a|hard)$/.test(m.name) && m.type === 'file');
    expect(a?.mtime).toBe(1577934245.5);
  });

  it.each(['gnu-sparse.tar', 'posix-sparse.tar'])(
    'skips the sparse file in %s whole, and reads the next member',
    (file) => {
      const members = parseFile(file);
      expect(members.map((m) => [m.name, m.type])).toEqual([
        ['holes', 'unknown'],
        ['zafter', 'file'],
      ]);
      expect(members[1]?.data).toBe('after\n');
    },
  );
});

/** Every path with its type, mode, owner, size (not a directory's), link target and mtime (s). */
function tree(root: string): string[] {
  const out = execFileSync('find', [
    root,
    '-mindepth',
    '1',
    '-printf',
    '%P %y %m %U:%G %s %l %Ts\n',
  ]);
  return String(out)
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^(\S+ d \S+ \S+) \d+/, '$1 -'))
    .sort();
}

describe('extraction of archives written by GNU tar', () => {
  it.each(['gnu.tar', 'posix.tar'])(
    'gives the tree tar -xf gives for %s, but the FIFO',
    async (file) => {
      const byTar = join(dir, `${file}-tar`);
      const ours = join(dir, `${file}-ours`);
      mkdirSync(byTar);
      mkdirSync(ours);
      execFileSync('tar', ['-xf', join(dir, file), '-C', byTar]);
      const result = await extractTar(createReadStream(join(dir, file)), ours);
      expect(result.skipped).toEqual(['fifo /fifo']);
      expect(tree(ours)).toEqual(tree(byTar).filter((l) => !l.startsWith('fifo ')));
    },
  );
});
