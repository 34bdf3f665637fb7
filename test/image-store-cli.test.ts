/**
 * The image commands through the CLI (issue 9): `images` with its layers
 * and shared bytes, `images rm` keeping what is in use and saying by
 * what, `load`, and directories of the previous store format. Multi-layer
 * images are put in the store by the engine (the archive reader is
 * another module's); the CLI then reads and changes that store.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importImage } from '../src/engine/image/import-image.js';
import { openStateRoot, type StateRoot } from '../src/engine/state-root.js';
import { cli, runIn } from './support/cli.js';
import { baseLayers, testImage, type TestImage } from './support/layered-images.js';
import { DEFAULT_IMAGE_PATH } from './support/paths.js';
import { removeRoot, tempRoot } from './support/state-root.js';

let box: string;
let root: string;
let store: StateRoot;

beforeEach(() => {
  box = tempRoot('ovt-images-');
  root = join(box, 'root');
  store = openStateRoot(root);
});

afterEach(() => removeRoot(box));

const hexes = (dir: string): string[] => readdirSync(dir).filter((n) => /^[0-9a-f]{64}$/.test(n));
const short = (diffId: string | undefined): string => (diffId ?? '').slice(0, 19);

/** Two images: A (3 layers) and B, which shares A's two bottom layers and adds one. */
async function twoImages(): Promise<{ a: TestImage; b: TestImage }> {
  const a = await testImage(baseLayers(), { tags: ['demo:a'] });
  const b = await testImage(
    [
      ...baseLayers().slice(0, 2),
      {
        createdBy: '/bin/sh -c echo b > /b',
        entries: [{ name: 'b', content: Buffer.alloc(3000, 98) }],
      },
    ],
    { tags: ['demo:b'] },
  );
  await importImage(store, a.source, a.image);
  await importImage(store, b.source, b.image);
  return { a, b };
}

describe('overlay-tui images', () => {
  it('lists each image with its layers, size and shared bytes; the total counts shared layers once', async () => {
    const { a, b } = await twoImages();
    const r = cli(['images', '--root', root]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TAG +ID +LAYERS +SIZE +SHARED +CONTAINERS +IMPORTED$/);
    // File data: base 30+3 bytes, motd 3, tool v2 3; b's own layer 3000.
    const row = (t: TestImage): string | undefined =>
      lines.find((l) => l.includes(t.id.slice(0, 12)));
    expect(row(a)).toMatch(/^demo:a +[0-9a-f]{12} +3 +39 B +36 B +0 +\d+ s ago$/);
    expect(row(b)).toMatch(/^demo:b +[0-9a-f]{12} +3 +3\.0 KiB +36 B +0 +\d+ s ago$/);
    expect(lines.at(-1)).toBe(
      'total: 2 image(s), 4 layer(s), 3.0 KiB (shared layers counted once)',
    );
  });

  it('mentions image directories of the previous format in one line; clean removes them', () => {
    const old = join(root, 'images', 'ab'.repeat(32));
    mkdirSync(join(old, 'lower', 'bin'), { recursive: true });
    writeFileSync(join(old, 'image.json'), JSON.stringify({ digest: 'ab'.repeat(32) }));
    const r = cli(['images', '--root', root]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(
      "overlay-tui: 1 image directory of the previous store format (images/<sha256>/lower) not used: 'overlay-tui clean' removes those no container uses\n",
    );
    const c = cli(['clean', '--root', root]);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toBe(`image ${'ab'.repeat(6)} of the previous store format: removed\n`);
    expect(existsSync(old)).toBe(false);
  });

  it('names an untrusted layer on stderr and does not list its image', async () => {
    const { a, b } = await twoImages();
    const dir = join(store.layers, a.diffIds[2]?.slice(7) ?? '');
    const real = `${dir}.x`;
    // a's own top layer replaced by a symlink to a good copy
    renameSync(dir, real);
    symlinkSync(real, dir);
    const r = cli(['images', '--root', root]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(a.id.slice(0, 12));
    expect(r.stdout).toContain(b.id.slice(0, 12));
    expect(r.stderr).toContain(`not listed, not used: ${dir}: it is a symlink`);
  });
});

describe('overlay-tui images rm', () => {
  it('removes the image and its own layer, keeping the layers another image uses and saying so', async () => {
    const { a, b } = await twoImages();
    const r = cli(['images', 'rm', '--root', root, 'demo:a']);
    expect(r.code, r.stderr).toBe(0);
    const by = `used by image demo:b (${b.id.slice(0, 12)})`;
    expect(r.stdout).toBe(
      [
        `removed image demo:a (${a.id.slice(0, 12)})`,
        `kept layer ${short(a.diffIds[0])}: ${by}`,
        `kept layer ${short(a.diffIds[1])}: ${by}`,
        `removed layer ${short(a.diffIds[2])}`,
        '',
      ].join('\n'),
    );
    expect(hexes(store.images)).toEqual([b.id]);
    expect(hexes(store.layers).sort()).toEqual(b.diffIds.map((d) => d.slice(7)).sort());
    // b by an id prefix: then nothing is left.
    const r2 = cli(['images', 'rm', '--root', root, b.id.slice(0, 8)]);
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stdout.split('\n').filter((l) => l.startsWith('removed layer'))).toHaveLength(3);
    expect(hexes(store.images)).toEqual([]);
    expect(hexes(store.layers)).toEqual([]);
  });

  it('refuses an image a container was made from, naming it, and removes nothing', () => {
    const run = runIn(
      root,
      ['true'],
      ['--keep', '--name', 'keeper', '--image', DEFAULT_IMAGE_PATH],
    );
    expect(run.code, run.stderr).toBe(0);
    const [id] = hexes(store.images);
    const layers = hexes(store.layers);
    const r = cli(['images', 'rm', '--root', root, id?.slice(0, 12) ?? '']);
    expect(r.code).toBe(125);
    expect(r.stderr).toBe(
      `overlay-tui: image ${id?.slice(0, 12)} is used by container keeper: remove the container first ('overlay-tui rm NAME'); nothing was removed\n`,
    );
    expect(hexes(store.images)).toEqual([id]);
    expect(hexes(store.layers)).toEqual(layers);
    // Another image of the same layer (a copy of the file): its removal keeps the layer, used by both.
    const copy = join(box, 'copy.tar');
    copyFileSync(DEFAULT_IMAGE_PATH, copy);
    const load = cli(['load', '--root', root, copy]);
    expect(load.code, load.stderr).toBe(0);
    const other = hexes(store.images).find((h) => h !== id) ?? '';
    const r2 = cli(['images', 'rm', '--root', root, other]);
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stdout).toBe(
      `removed image ${other.slice(0, 12)}\nkept layer sha256:${layers[0]?.slice(0, 12)}: used by image ${id?.slice(0, 12)}, container keeper\n`,
    );
    expect(cli(['rm', '--root', root, 'keeper']).code).toBe(0);
  });

  it('an unknown image is one line, exit 125', () => {
    const r = cli(['images', 'rm', '--root', root, 'nosuch:tag']);
    expect(r.code).toBe(125);
    expect(r.stderr).toBe(`overlay-tui: no image "nosuch:tag" (see 'overlay-tui images')\n`);
  });
});

describe('overlay-tui load', () => {
  it('imports a plain rootfs tarball, then says its layer is shared when loaded again', () => {
    const r = cli(['load', '--root', root, DEFAULT_IMAGE_PATH]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^loaded <none> [0-9a-f]{12}: 1 layer \(1 new, 0 shared\)\n$/);
    const id = r.stdout.split(' ')[2]?.replace(':', '') ?? '';
    expect(hexes(store.images).map((h) => h.slice(0, 12))).toEqual([id]);
    const again = cli(['load', '--root', root, DEFAULT_IMAGE_PATH]);
    expect(again.stdout).toBe(`loaded <none> ${id}: 1 layer (0 new, 1 shared)\n`);
    // And it runs.
    const run = runIn(root, ['sh', '-c', 'echo ran'], ['--image', DEFAULT_IMAGE_PATH]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('ran\n');
    expect(hexes(store.images)).toHaveLength(1);
  });

  it('FILE:TAG with a tag the file does not have: one line, exit 2, nothing stored', () => {
    const r = cli(['load', '--root', root, `${DEFAULT_IMAGE_PATH}:nosuch`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^overlay-tui: [^\n]*nosuch[^\n]*\n$/);
    expect(hexes(store.images)).toEqual([]);
    expect(hexes(store.layers)).toEqual([]);
  });

  it('without FILE: a usage error', () => {
    const r = cli(['load', '--root', root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^overlay-tui load: missing FILE/);
  });
});
