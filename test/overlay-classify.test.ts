/**
 * Classification on hand-built trees: what each upper entry is (new,
 * copied-up and what changed, whiteout, opaque, redirected, metacopy) and
 * what became of each lower entry (visible, shadowed, hidden).
 */
import { describe, expect, it } from 'vitest';
import { classifyLowers, type LowerState } from '../src/overlay/classify-lower.js';
import {
  classifyUpper,
  HEAD_BYTES,
  type LowerPlace,
  type UpperChange,
} from '../src/overlay/classify-upper.js';
import type { LayerEntry } from '../src/overlay/layer-entry.js';
import { computeMerged } from '../src/overlay/merged-view.js';
import { diffLine } from '../src/overlay/diff-format.js';
import { decodeOriginHandle } from '../src/overlay/origin-handle.js';
import { dir, file, layer, whiteout } from './support/overlay-trees.js';

/** An ext4-style origin handle (FILEID_INO32_GEN) naming inode ino. */
function originOf(ino: number): string {
  const b = Buffer.alloc(29);
  b.set([0, 0xfb, 29, 0, 1]);
  b.writeUInt32LE(ino, 21);
  return b.toString('hex');
}

function upperOf(upper: LayerEntry, ...lowers: LayerEntry[]): Record<string, UpperChange> {
  const list = classifyUpper(computeMerged({ upper, lowers }));
  return Object.fromEntries(list.map((c) => [c.path, c]));
}

function lowerOf(upper: LayerEntry, ...lowers: LayerEntry[]): Record<string, LowerState> {
  const list = classifyLowers(computeMerged({ upper, lowers }));
  return Object.fromEntries(list.map((s) => [`${s.layer}:${s.path}`, s]));
}

describe('classifyUpper', () => {
  const lowerPasswd = () => file({ size: 10, mode: 0o644, mtimeMs: 5, ino: 7 });

  it('tells a metadata-only copy-up from a data change', () => {
    const c = upperOf(
      layer({
        passwd: file({ size: 10, mode: 0o600, mtimeMs: 5, x: { origin: originOf(7) } }),
        group: file({ size: 12, mtimeMs: 9, x: { origin: '' } }),
      }),
      layer({ passwd: lowerPasswd(), group: file({ size: 10, mtimeMs: 5 }) }),
    );
    expect(c['/passwd']).toMatchObject({
      kind: 'copied-up',
      lower: { layer: 0, path: '/passwd', type: 'file' },
      changes: { data: 'unchanged', mode: true, owner: false, mtime: false },
    });
    expect(c['/group']?.changes).toEqual({
      data: 'changed',
      mode: false,
      owner: false,
      mtime: true,
    });
  });

  it("says 'unknown' for same size and a new mtime, unless told how to compare", () => {
    const stack = () => ({
      upper: layer({ f: file({ size: 10, mtimeMs: 9, x: { origin: '' } }) }),
      lowers: [layer({ f: file({ size: 10, mtimeMs: 5 }) })],
    });
    expect(classifyUpper(computeMerged(stack()))[0]?.changes?.data).toBe('unknown');
    const told = classifyUpper(computeMerged(stack()), { sameData: () => false });
    expect(told[0]?.changes?.data).toBe('changed');
  });

  it("counts a metacopy file's data as unchanged, whatever a content comparison would say", () => {
    // Upper holds a sparse file of the lower's size: comparing its bytes with
    // the lower's says "different", but its data is the lower's by definition.
    const stack = () => ({
      upper: layer({ f: file({ size: 10, mode: 0o600, x: { metacopy: '', origin: '' } }) }),
      lowers: [layer({ f: file({ size: 10 }) })],
    });
    let asked = 0;
    const sameData = () => (asked++, false);
    expect(classifyUpper(computeMerged(stack()), { sameData })[0]).toMatchObject({
      kind: 'metacopy',
      changes: { data: 'unchanged', mode: true, owner: false, mtime: false },
    });
    expect(asked).toBe(0);
  });

  it('counts the bytes a copy-up copied: the lower file, unless metacopy or rewritten from empty', () => {
    const lowerFile = (size: number) => file({ size, mtimeMs: 5, ino: 7 });
    const up = (size: number, x: object = { origin: '' }) => file({ size, mtimeMs: 9, x });
    const stack = () => ({
      upper: layer({
        chmod: file({ size: 100, mode: 0o600, mtimeMs: 5, x: { origin: '' } }),
        meta: up(100, { metacopy: '', origin: '' }),
        appended: up(102),
        emptied: up(0),
        rewritten: up(2),
        big: up(HEAD_BYTES * 2),
      }),
      lowers: [
        layer({
          chmod: lowerFile(100),
          meta: lowerFile(100),
          appended: lowerFile(100),
          emptied: lowerFile(100),
          rewritten: lowerFile(1),
          big: lowerFile(HEAD_BYTES + 1),
        }),
      ],
    });
    const heads: string[] = [];
    const sameHead = (path: string, _lower: LowerPlace, bytes: number) => {
      heads.push(`${path} ${bytes}`);
      return path !== '/rewritten';
    };
    const copied = (opts = {}) =>
      Object.fromEntries(
        classifyUpper(computeMerged(stack()), opts).map((c) => [c.path, c.copiedBytes]),
      );
    expect(copied({ sameHead })).toEqual({
      '/appended': 100,
      '/big': HEAD_BYTES + 1,
      '/chmod': 100,
      '/emptied': 0,
      '/meta': 0,
      '/rewritten': 0,
    });
    // Only a file whose data changed and is long enough is read, and only its head.
    expect(heads.sort()).toEqual(['/appended 100', `/big ${HEAD_BYTES}`, '/rewritten 1']);
    // Without a way to read, a file as long as the lower's head counts as written in place.
    expect(copied()).toMatchObject({ '/rewritten': 1, '/emptied': 0 });
  });

  it('calls a file new when nothing is below, or when it replaces a deleted one', () => {
    const c = upperOf(layer({ made: file(), again: file() }), layer({ again: file({ size: 3 }) }));
    expect(c['/made']).toEqual({ path: '/made', type: 'file', kind: 'new' });
    expect(c['/again']).toMatchObject({ kind: 'new', lower: { path: '/again' } });
  });

  it('does not count a lower whiteout as something replaced or hidden', () => {
    const c = upperOf(
      layer({ f: file(), w: whiteout() }),
      layer({ f: whiteout(), w: whiteout() }),
      layer({ f: file(), w: file() }),
    );
    expect(c['/f']).toEqual({ path: '/f', type: 'file', kind: 'new' });
    expect(c['/w']).toEqual({ path: '/w', type: 'char', kind: 'whiteout' });
  });

  it('names the lower file a new one was copied from (rename or hard link), from origin', () => {
    const c = upperOf(
      layer({
        a: whiteout(),
        b: file({ x: { origin: originOf(7) } }),
        c: file({ x: { origin: originOf(7) } }),
      }),
      layer({ a: lowerPasswd(), b: file({ ino: 8 }) }),
    );
    expect(c['/b']).toMatchObject({ kind: 'new', lower: { path: '/b' }, originPath: '/a' });
    expect(c['/c']).toMatchObject({ kind: 'new', originPath: '/a' });
    expect(c['/a']).toMatchObject({ kind: 'whiteout', lower: { path: '/a' } });
  });

  it('classifies whiteouts, opaque and redirected directories, and metacopy files', () => {
    const c = upperOf(
      layer({
        stale: whiteout(),
        old: dir({}, { x: { opaque: 'y' } }),
        fresh: dir({}, { x: { opaque: 'y' } }),
        d: whiteout(),
        dd: dir({}, { x: { redirect: 'd', origin: '' } }),
        meta: file({ uid: 5, x: { metacopy: '', origin: '' } }),
      }),
      layer({ old: dir({ x: file() }), d: dir({ y: file() }), meta: file() }),
    );
    expect(c['/stale']).toEqual({ path: '/stale', type: 'char', kind: 'whiteout' });
    expect(c['/old']).toMatchObject({ kind: 'opaque', opaque: true, lower: { path: '/old' } });
    expect(c['/fresh']).toEqual({ path: '/fresh', type: 'dir', kind: 'new', opaque: true });
    expect(c['/dd']).toMatchObject({ kind: 'redirected', redirect: 'd', lower: { path: '/d' } });
    expect(c['/meta']).toMatchObject({
      kind: 'metacopy',
      changes: { data: 'unchanged', owner: true },
    });
  });

  it('calls a merged upper directory copied-up, and lists entries in path order without the root', () => {
    const list = classifyUpper(
      computeMerged({
        upper: layer({ etc: dir({ z: file(), a: file() }, { mtimeMs: 9 }) }),
        lowers: [layer({ etc: dir({}, { mtimeMs: 5 }) })],
      }),
    );
    expect(list.map((c) => `${c.path} ${c.kind}`)).toEqual([
      '/etc copied-up',
      '/etc/a new',
      '/etc/z new',
    ]);
    expect(list[0]?.changes).toEqual({ data: 'unchanged', mode: false, owner: false, mtime: true });
  });
});

describe('classifyLowers', () => {
  it('marks entries visible, shadowed by an upper copy, or hidden by a whiteout or opaque dir', () => {
    const s = lowerOf(
      layer({ passwd: file(), gone: whiteout(), opq: dir({}, { x: { opaque: 'y' } }) }),
      layer({
        passwd: file(),
        group: file(),
        gone: dir({ deep: file() }),
        opq: dir({ x: file() }),
      }),
    );
    expect(s['0:/group']).toEqual({
      layer: 0,
      path: '/group',
      type: 'file',
      status: 'visible',
      mergedPath: '/group',
    });
    expect(s['0:/passwd']).toMatchObject({
      status: 'shadowed',
      by: { layer: 'upper', why: 'non-dir' },
    });
    expect(s['0:/gone']).toMatchObject({
      status: 'hidden',
      by: { path: '/gone', why: 'whiteout' },
    });
    expect(s['0:/gone/deep']).toMatchObject({
      status: 'hidden',
      by: { path: '/gone', why: 'whiteout' },
    });
    expect(s['0:/opq/x']).toMatchObject({ status: 'hidden', by: { path: '/opq', why: 'opaque' } });
    expect(s['0:/']).toMatchObject({ status: 'shadowed', by: { layer: 'upper', why: 'merged' } });
  });

  it('follows a renamed directory: its lower children show under the new name', () => {
    const s = lowerOf(
      layer({ d: whiteout(), dd: dir({}, { x: { redirect: 'd' } }) }),
      layer({ d: dir({ f: file() }) }),
    );
    expect(s['0:/d']).toMatchObject({
      status: 'shadowed',
      mergedPath: '/dd',
      by: { why: 'merged' },
    });
    expect(s['0:/d/f']).toMatchObject({ status: 'visible', mergedPath: '/dd/f' });
  });

  it('says shadowed for a name a renamed directory took over in a merged one', () => {
    const s = lowerOf(
      layer({ d: dir({ x: dir({}, { x: { redirect: 'y' } }), y: whiteout() }) }),
      layer({ d: dir({ x: dir({ old: file() }), y: dir({ moved: file() }) }) }),
    );
    expect(s['0:/d/y/moved']).toMatchObject({ status: 'visible', mergedPath: '/d/x/moved' });
    expect(s['0:/d/x']).toMatchObject({
      status: 'shadowed',
      by: { path: '/d/x', why: 'redirect' },
    });
  });

  it('marks a lower whiteout in effect as visible, and what it hides below as hidden', () => {
    const s = lowerOf(layer(), layer({ f: whiteout() }), layer({ f: file() }));
    expect(s['0:/f']).toMatchObject({ status: 'visible', whiteout: true });
    expect(s['1:/f']).toMatchObject({ status: 'hidden', by: { layer: 0, why: 'whiteout' } });
  });

  it('marks a lower directory under a lower non-directory shadowed, and its children hidden', () => {
    const s = lowerOf(layer(), layer({ x: file() }), layer({ x: dir({ y: file() }) }));
    expect(s['1:/x']).toMatchObject({ status: 'shadowed', by: { layer: 0, why: 'non-dir' } });
    expect(s['1:/x/y']).toMatchObject({ status: 'hidden', by: { layer: 0, why: 'non-dir' } });
  });
});

describe('decodeOriginHandle', () => {
  it('reads the header and an ext4 inode number, and rejects what is not a handle', () => {
    expect(decodeOriginHandle(originOf(0x20c611))).toMatchObject({ fhType: 1, ino: 0x20c611 });
    expect(decodeOriginHandle('')).toBeUndefined();
    expect(decodeOriginHandle('00fb05')).toBeUndefined();
  });
});

describe('diffLine', () => {
  it("says what changed on a copied-up directory itself, in the files' words, but not its mtime", () => {
    const c = upperOf(
      layer({
        own: dir({}, { mode: 0o700, uid: 1, mtimeMs: 9 }),
        parent: dir({ made: file() }, { mtimeMs: 9 }),
        f: file({ mode: 0o600, uid: 1, x: { origin: '' } }),
      }),
      layer({
        own: dir({}, { mtimeMs: 5 }),
        parent: dir({}, { mtimeMs: 5 }),
        f: file(),
      }),
    );
    expect(['/own', '/parent', '/f'].map((p) => diffLine(c[p] as UpperChange))).toEqual([
      'C /own   copy-up: directory, metadata (mode, owner)',
      'C /parent   copy-up: directory',
      'C /f   copy-up: metadata (mode, owner)',
    ]);
  });
});
