/**
 * The layered store at engine level (issue 9): layers stored once by
 * diff_id and shared between images, nothing stored when a layer fails,
 * and nothing used that overlay-tui did not make. Images are SourceImages
 * built here (support/layered-images.ts), so the archive reader is not
 * involved.
 */
import {
  chownSync,
  chmodSync,
  existsSync,
  lstatSync,
  readFileSync,
  readdirSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InterruptedError, UserError } from '../src/engine/errors.js';
import { lowerDirs } from '../src/engine/image/image-record.js';
import { importImage, importImageReporting } from '../src/engine/image/import-image.js';
import { ensureImage } from '../src/engine/image/store.js';
import { loadImage } from '../src/engine/image/stored-image.js';
import { openStateRoot, type StateRoot } from '../src/engine/state-root.js';
import { baseLayers, testImage } from './support/layered-images.js';
import { removeRoot, tempRoot } from './support/state-root.js';
import { writeTar } from './support/tarballs.js';

let box: string;
let store: StateRoot;

beforeEach(() => {
  box = tempRoot('ovt-store-');
  store = openStateRoot(join(box, 'root'));
});

afterEach(() => removeRoot(box));

const hexes = (dir: string): string[] =>
  readdirSync(dir)
    .filter((n) => /^[0-9a-f]{64}$/.test(n))
    .sort();
const leftovers = (dir: string): string[] => readdirSync(dir).filter((n) => n.startsWith('.tmp-'));

async function failure(p: Promise<unknown>): Promise<UserError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof UserError)) throw new Error(`expected a UserError, got ${String(err)}`);
  return err;
}

/** Nothing of any import is left: no layer, no record, no extraction. */
function storeEmpty(): void {
  expect(hexes(store.layers)).toEqual([]);
  expect(hexes(store.images)).toEqual([]);
  expect(leftovers(store.layers)).toEqual([]);
  expect(leftovers(store.images)).toEqual([]);
}

describe('a 3-layer image', () => {
  it('is stored as three layers by diff_id and one record named by its config', async () => {
    const t = await testImage(baseLayers(), { tags: ['demo:1'] });
    const image = await importImage(store, t.source, t.image);
    expect(lstatSync(store.layers).mode & 0o777).toBe(0o700); // layers hold setuid files
    expect(hexes(store.layers)).toEqual(t.diffIds.map((d) => d.slice(7)).sort());
    expect(image.record.id).toBe(t.id);
    expect(image.record.layers).toEqual(t.diffIds);
    expect(image.record.tags).toEqual(['demo:1']);
    // The config bytes as the archive had them, for export.
    expect(readFileSync(join(store.images, t.id, 'config.json'))).toEqual(t.image.configBytes);
    // lowerdir order: topmost first.
    const lowers = lowerDirs(image);
    expect(lowers).toEqual(t.diffIds.map((d) => join(store.layers, d.slice(7), 'diff')).reverse());
    expect(readFileSync(join(lowers[0] ?? '', 'bin/tool'), 'utf8')).toBe('v2\n');
    expect(readFileSync(join(lowers[1] ?? '', 'etc/motd'), 'utf8')).toBe('hi\n'); // a gzip blob
    expect(readFileSync(join(lowers[2] ?? '', 'bin/tool'), 'utf8')).toBe('v1\n');
    expect(image.layers.map((l) => l.record.entries)).toEqual([5, 2, 2]);
    expect(t.opens).toEqual([1, 1, 1]);
  });

  it('imported again: not read beyond its config, the same directories', async () => {
    const t = await testImage(baseLayers());
    const first = await importImage(store, t.source, t.image);
    const before = first.layers.map((l) => lstatSync(l.dir));
    let extracted = false;
    const again = await importImageReporting(store, t.source, t.image, {
      onExtract: () => (extracted = true),
    });
    expect(extracted).toBe(false);
    expect(again.extracted).toBe(0);
    expect(again.reused).toBe(3);
    expect(t.opens).toEqual([1, 1, 1]); // no blob opened a second time
    expect(again.image.layers.map((l) => lstatSync(l.dir).ino)).toEqual(before.map((s) => s.ino));
  });

  it('a second image sharing the two bottom layers extracts only its own layer', async () => {
    const a = await testImage(baseLayers());
    const first = await importImage(store, a.source, a.image);
    const shared = first.layers.slice(0, 2).map((l) => lstatSync(l.dir));
    const sharedRecords = first.layers
      .slice(0, 2)
      .map((l) => lstatSync(join(l.dir, '..', 'layer.json')));
    const b = await testImage([
      ...baseLayers().slice(0, 2),
      {
        createdBy: '/bin/sh -c rm /etc/motd',
        entries: [{ name: 'etc/' }, { name: 'etc/.wh.motd', content: '' }],
      },
    ]);
    expect(b.diffIds.slice(0, 2)).toEqual(a.diffIds.slice(0, 2));
    const report = await importImageReporting(store, b.source, b.image);
    expect(report.extracted).toBe(1);
    expect(report.reused).toBe(2);
    expect(b.opens).toEqual([0, 0, 1]); // the shared layers' blobs were never read
    expect(hexes(store.layers)).toHaveLength(4);
    expect(hexes(store.images)).toEqual([a.id, b.id].sort());
    // The very same directories, untouched.
    const after = report.image.layers.slice(0, 2);
    expect(after.map((l) => l.dir)).toEqual(first.layers.slice(0, 2).map((l) => l.dir));
    after.forEach((l, i) => {
      const st = lstatSync(l.dir);
      expect([st.ino, st.mtimeMs, st.ctimeMs]).toEqual([
        shared[i]?.ino,
        shared[i]?.mtimeMs,
        shared[i]?.ctimeMs,
      ]);
      const rec = lstatSync(join(l.dir, '..', 'layer.json'));
      expect([rec.ino, rec.mtimeMs]).toEqual([sharedRecords[i]?.ino, sharedRecords[i]?.mtimeMs]);
    });
  });
});

describe('a layer that fails leaves nothing stored', () => {
  it('a diff_id that does not match: one line naming the layer', async () => {
    const t = await testImage(baseLayers(), { wrongDiffId: 1, path: '/srv/demo.tar' });
    const err = await failure(importImage(store, t.source, t.image));
    expect(err.message).toMatch(
      /^layer 2\/3 \(RUN echo hi > \/etc\/motd\) of \/srv\/demo\.tar: it is not what it claims: its uncompressed tar's sha256 \(diff_id\) is sha256:[0-9a-f]{64}, not sha256:[0-9a-f]{64} as the image config says; nothing was imported$/,
    );
    expect(err.message).not.toContain('\n');
    storeEmpty(); // layer 1, extracted before, was removed again
  });

  it('a blob digest that does not match', async () => {
    const t = await testImage(baseLayers(), { wrongBlobDigest: 2 });
    const err = await failure(importImage(store, t.source, t.image));
    expect(err.message).toMatch(/^layer 3\/3 \(RUN echo v2 > \/bin\/tool\) of .*its blob's sha256/);
    storeEmpty();
  });

  it('an unsafe member: refused, and a layer another image uses is kept', async () => {
    const good = await testImage(baseLayers().slice(0, 1));
    await importImage(store, good.source, good.image);
    const evil = await testImage([
      ...baseLayers().slice(0, 1),
      { createdBy: '/bin/sh -c x', entries: [{ name: '../../tmp/x', content: 'x' }] },
    ]);
    const err = await failure(importImage(store, evil.source, evil.image));
    expect(err.message).toMatch(/^layer 2\/2 \(RUN x\) of .*: it is unsafe: .*climbs out/);
    expect(hexes(store.layers)).toEqual([good.diffIds[0]?.slice(7)]);
    expect(hexes(store.images)).toEqual([good.id]);
    expect(leftovers(store.layers)).toEqual([]);
  });

  it('interrupted: nothing kept', async () => {
    const t = await testImage(baseLayers());
    const ac = new AbortController();
    const err = await failure(
      importImage(store, t.source, t.image, { signal: ac.signal, onExtract: () => ac.abort() }),
    );
    expect(err).toBeInstanceOf(InterruptedError);
    expect(err.message).toBe('import of /tmp/test-image.tar interrupted; nothing was kept');
    storeEmpty();
  });
});

describe('only what overlay-tui made is used', () => {
  async function stored(): Promise<Awaited<ReturnType<typeof testImage>>> {
    const t = await testImage(baseLayers());
    await importImage(store, t.source, t.image);
    return t;
  }

  it("a layer record not root's alone is refused, never mounted", async () => {
    const t = await stored();
    const dir = join(store.layers, t.diffIds[1]?.slice(7) ?? '');
    chownSync(join(dir, 'layer.json'), 1000, 1000);
    const err = await failure(importImage(store, t.source, t.image));
    expect(err.message).toBe(
      `refusing the stored layer ${dir}: its layer.json is owned by uid 1000, not by root, so overlay-tui did not make it and nothing was run from it; if you did not put it there, look at who did, then remove it (rm -rf ${dir}) and run again`,
    );
    expect(() => loadImage(store, t.id)).toThrow(/refusing the stored layer/);
  });

  it('a layer directory writable by others, or a symlink, is refused', async () => {
    const t = await stored();
    const dir = join(store.layers, t.diffIds[0]?.slice(7) ?? '');
    chmodSync(dir, 0o777);
    expect(() => loadImage(store, t.id)).toThrow(/is writable by group or others \(mode 0777\)/);
    chmodSync(dir, 0o700);
    renameSync(dir, `${dir}.real`);
    symlinkSync(`${dir}.real`, dir);
    expect(() => loadImage(store, t.id)).toThrow(/refusing the stored layer .*: it is a symlink/);
  });

  it('a layer.json that names another diff_id, or a diff that is a symlink, is refused', async () => {
    const t = await stored();
    const dir = join(store.layers, t.diffIds[2]?.slice(7) ?? '');
    const file = join(dir, 'layer.json');
    const rec = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...rec, diffId: t.diffIds[0] }));
    expect(() => loadImage(store, t.id)).toThrow(
      /names diff_id "sha256:[0-9a-f]+", not its directory's/,
    );
    writeFileSync(file, JSON.stringify(rec));
    expect(loadImage(store, t.id)).toBeDefined();
    renameSync(join(dir, 'diff'), join(dir, 'real'));
    symlinkSync('/', join(dir, 'diff'));
    expect(() => loadImage(store, t.id)).toThrow(/has no diff directory \(or it is a symlink\)/);
  });

  it('an image record that names another id is refused', async () => {
    const t = await stored();
    const file = join(store.images, t.id, 'image.json');
    const rec = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...rec, id: '0'.repeat(64) }));
    const err = await failure(importImage(store, t.source, t.image));
    expect(err.message).toMatch(
      /^refusing the stored image .*: its image\.json names id "0{64}", not its directory's/,
    );
  });
});

describe('a flat rootfs tarball', () => {
  it('gets an id made from its content, the same every time; a file imported is not read again', async () => {
    const entries = [{ name: 'etc/' }, { name: 'etc/os-release', content: 'ID=test\n' }];
    const file = await writeTar(join(box, 'rootfs.tar'), entries);
    const first = await ensureImage(store, file);
    expect(first.record.form).toBe('rootfs');
    expect(first.record.config.history).toEqual([
      { createdBy: 'overlay-tui import rootfs.tar', emptyLayer: false },
    ]);
    const config = JSON.parse(
      readFileSync(join(store.images, first.record.id, 'config.json'), 'utf8'),
    ) as {
      rootfs: { diff_ids: string[] };
    };
    expect(config.rootfs.diff_ids).toEqual(first.record.layers);
    let extracted = false;
    const again = await ensureImage(store, file, { onExtract: () => (extracted = true) });
    expect(extracted).toBe(false);
    expect(again.record.id).toBe(first.record.id);
    // Another state root, the same bytes: the same id.
    const other = openStateRoot(join(box, 'other'));
    expect((await ensureImage(other, file)).record.id).toBe(first.record.id);
    expect(
      existsSync(join(other.layers, first.record.layers[0]?.slice(7) ?? '', 'diff/etc/os-release')),
    ).toBe(true);
  });
});
