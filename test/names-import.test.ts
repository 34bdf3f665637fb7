/**
 * Names are bytes at import: two names that differ only in bytes that are
 * not UTF-8 stay two files, byte-exact on disk; a warning about a skipped
 * member shows its name escaped; odd header values are refused in one line
 * of our own naming the member. Through the built CLI, as a person runs it.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runIn } from './support/cli.js';
import { base256, makePatchedTar, type Patch } from './support/byte-names.js';
import { mountsUnder, imageLower, removeRoot } from './support/state-root.js';
import { busyboxEntries, makeSandbox, type Sandbox, type TarEntry } from './support/tarballs.js';
import { writeFileSync } from 'node:fs';

let box: Sandbox;

beforeEach(() => {
  box = makeSandbox('ovt-names-');
});

afterEach(() => {
  removeRoot(box.dir);
});

async function image(extra: TarEntry[], patches: Patch[]): Promise<string> {
  const entries = [
    ...(await busyboxEntries()),
    { name: 'bin/ls', type: 'symlink', linkname: 'busybox' } as TarEntry,
    ...extra,
  ];
  const file = join(box.dir, 'image.tar');
  writeFileSync(file, await makePatchedTar(entries, patches));
  return file;
}

const bytes = (...b: number[]): Buffer => Buffer.from(b);

describe('names that are not UTF-8', () => {
  it('imports two distinct invalid-UTF-8 names as two files, byte-exact', async () => {
    const a = bytes(0x64, 0x2f, 0x61, 0xff); // d/a\xff
    const b = bytes(0x64, 0x2f, 0x61, 0xfe); // d/a\xfe
    const c = bytes(0x64, 0x2f, 0xc3, 0xa9); // d/é, valid UTF-8
    const file = await image(
      [
        { name: 'd/' },
        { name: 'd/AA', content: 'first\n' },
        { name: 'd/BB', content: 'second\n' },
        { name: 'd/CC', content: 'third\n' },
      ],
      [
        { member: 'd/AA', field: 'name', bytes: a },
        { member: 'd/BB', field: 'name', bytes: b },
        { member: 'd/CC', field: 'name', bytes: c },
      ],
    );
    const r = runIn(box.root, ['sh', '-c', 'ls /d | wc -l; cat /d/*'], ['--image', file]);
    expect(r.code, r.stderr).toBe(0);
    const [count, ...contents] = r.stdout.trim().split('\n');
    expect(count?.trim()).toBe('3');
    expect(contents.sort()).toEqual(['first', 'second', 'third']);
    const names = readdirSync(Buffer.from(join(imageLower(box.root), 'd')), 'buffer');
    expect(names.map((n) => n.toString('hex')).sort()).toEqual(
      [a, b, c].map((n) => n.subarray(2).toString('hex')).sort(),
    );
  });

  it('warns about a skipped device node with its name escaped, on one line', async () => {
    const file = await image(
      [{ name: 'dev/' }, { name: 'dev/XX', type: 'character-device', devmajor: 1, devminor: 1 }],
      [{ member: 'dev/XX', field: 'name', bytes: Buffer.from('dev/\x1b[31mred\nx\xff', 'latin1') }],
    );
    const r = runIn(box.root, ['true'], ['--image', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('\x1b');
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('/dev/\\x1b[31mred\\nx\\xff');
  });
});

/** One pax record, "LEN KEY=VALUE\n", LEN counting itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len++;
  return `${len}${body}`;
}

describe('odd header values: refused in one line of our own, naming the member', () => {
  const NAME = Buffer.from('odd\x1bname', 'latin1');
  const file = (extra: Partial<TarEntry> = {}): TarEntry => ({
    name: 'ODD',
    content: 'x',
    ...extra,
  });
  const cases: { what: string; members: TarEntry[]; patches: Patch[]; say: RegExp }[] = [
    {
      what: 'a uid past 2^32',
      members: [file()],
      patches: [{ member: 'ODD', field: 'uid', bytes: base256(2n ** 40n, 8) }],
      say: /member "odd\\x1bname" has uid 1099511627776, beyond what Linux can own \(2\^32 - 2\)/,
    },
    {
      what: 'an mtime no file system keeps (pax mtime=10^20)',
      members: [
        { name: 'PAX', content: paxRecord('mtime', '100000000000000000000'), rawTypeflag: 'x' },
        file(),
      ],
      patches: [],
      say: /member "odd\\x1bname" has a modification time out of range/,
    },
    {
      what: 'a hardlink to itself, after a file of its name',
      members: [file(), { name: 'ODD', type: 'link', linkname: 'ODD' }],
      patches: [{ member: 'ODD', field: 'linkname', bytes: NAME }],
      say: /hardlink "odd\\x1bname" points at itself/,
    },
  ];
  it.each(cases)('$what', async ({ members, patches, say }) => {
    const tar = await image(members, [...patches, { member: 'ODD', field: 'name', bytes: NAME }]);
    const r = runIn(box.root, ['true'], ['--image', tar]);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(
      /^overlay-tui: image [^\n]* cannot be imported: [^\n]*; nothing was imported\n$/,
    );
    expect(r.stderr).toMatch(say);
    expect(r.stderr).not.toContain('\x1b');
    expect(r.stderr).not.toMatch(/\bE[A-Z]+\b|ERR_|Error:/);
    expect(readdirSync(join(box.root, 'images')).filter((n) => n !== '.sources')).toEqual([]);
    expect(readdirSync(join(box.root, 'layers'))).toEqual([]);
    expect(mountsUnder(box.root)).toEqual([]);
  });
});
