/**
 * Every image archive form, with every layer compression, read back by
 * openImageSource: the form it detects, tags, config fields, diff_ids,
 * digests, and each layer blob's bytes exactly as written.
 */
import { readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openImageSource, pickImage, splitImageArg } from '../src/engine/image/formats/index.js';
import type { ImageSource, LayerBlob } from '../src/engine/image/image-source.js';
import { UserError } from '../src/engine/errors.js';
import {
  ARCHIVE_FORMS,
  COMPRESSIONS,
  sampleLayers,
  sha256,
  writeImageArchive,
  type BuiltImage,
  type ImageArchiveForm,
} from './support/image-archives.js';
import { DEFAULT_IMAGE_PATH } from './support/paths.js';
import { tempRoot } from './support/state-root.js';
import { writeTar } from './support/tarballs.js';

let dir: string;
beforeAll(() => {
  dir = tempRoot('ovt-formats-');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** xs[i], which the test expects to be there. */
function at<T>(xs: readonly T[], i: number): T {
  const x = xs[i];
  if (x === undefined) throw new Error(`no item ${i} (of ${xs.length})`);
  return x;
}

async function bytesOf(blob: LayerBlob): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of blob.open()) chunks.push(c);
  return Buffer.concat(chunks);
}

const target = (form: ImageArchiveForm, name: string): string =>
  join(dir, form === 'oci-layout' ? name : `${name}.tar`);

async function withSource<T>(path: string, fn: (s: ImageSource) => Promise<T>): Promise<T> {
  const source = await openImageSource(path, { tempDir: dir });
  try {
    return await fn(source);
  } finally {
    source.close();
  }
}

/** What each form must say of a layer's digest: the blob's own, or none where the form names none. */
function expectedDigest(form: ImageArchiveForm, image: BuiltImage, i: number): string | undefined {
  if (form === 'docker-save' || form === 'podman-docker-archive') return undefined;
  return image.layers[i]?.digest;
}

async function expectImage(
  form: ImageArchiveForm,
  got: ImageSource['images'][number],
  built: BuiltImage,
): Promise<void> {
  expect(got.configBytes?.equals(built.config)).toBe(true);
  expect(got.layers.map((l) => l.diffId)).toEqual(built.layers.map((l) => l.diffId));
  expect(got.layers.map((l) => l.digest)).toEqual(
    built.layers.map((_, i) => expectedDigest(form, built, i)),
  );
  for (const [i, layer] of got.layers.entries()) {
    const want = built.layers[i]?.blob ?? Buffer.alloc(0);
    expect(layer.size).toBe(want.length);
    expect((await bytesOf(layer)).equals(want)).toBe(true);
    // Each open reads anew.
    expect((await bytesOf(layer)).equals(want)).toBe(true);
  }
}

describe.each(ARCHIVE_FORMS)('%s', (form) => {
  test.each(COMPRESSIONS)(
    'layers %s: form, tags, config, diff_ids and bytes read back',
    async (how) => {
      const built = await writeImageArchive(target(form, `${form}-${how}`), {
        form,
        compression: how,
        images: [
          {
            layers: sampleLayers(),
            tags: ['example/app:1.0'],
            cmd: ['/app/run.sh', '--fast'],
            entrypoint: ['/bin/sh', '-c'],
            env: ['PATH=/usr/bin:/bin', 'A=b c'],
            workingDir: '/app',
            user: '1000:1000',
            createdBy: ['ADD rootfs /', 'COPY app /app', 'RUN rm /etc/old'],
            emptyHistory: ['CMD ["/app/run.sh"]'],
          },
        ],
      });
      await withSource(built.path, async (source) => {
        expect(source.form).toBe(form);
        expect(source.images).toHaveLength(1);
        const image = at(source.images, 0);
        expect(image.tags).toEqual(['example/app:1.0']);
        const c = image.config;
        expect(c.cmd).toEqual(['/app/run.sh', '--fast']);
        expect(c.entrypoint).toEqual(['/bin/sh', '-c']);
        expect(c.env).toEqual(['PATH=/usr/bin:/bin', 'A=b c']);
        expect(c.workingDir).toBe('/app');
        expect(c.user).toBe('1000:1000');
        expect(c.os).toBe('linux');
        expect(c.history.map((h) => [h.createdBy, h.emptyLayer])).toEqual([
          ['ADD rootfs /', false],
          ['COPY app /app', false],
          ['RUN rm /etc/old', false],
          ['CMD ["/app/run.sh"]', true],
        ]);
        expect(c.history[0]?.created).toBe('2001-09-09T01:46:40Z');
        // Media types as the archive labels them (plain-labelled-gzip says +gzip of a plain tar).
        const legacy = form === 'docker-save' || form === 'podman-docker-archive';
        expect(image.layers.map((l) => l.mediaType)).toEqual(
          at(built.images, 0).layers.map((l) => (legacy ? undefined : l.mediaType)),
        );
        await expectImage(form, image, at(built.images, 0));
      });
    },
  );

  test('several images and tags: each read, FILE:TAG picks one, no tag is exit 2 listing them', async () => {
    const base = at(sampleLayers(), 0);
    const built = await writeImageArchive(target(form, `${form}-multi`), {
      form,
      images: [
        { layers: [base], tags: ['one:1', 'one:latest'], cmd: ['one'] },
        { layers: [base, [{ name: 'two', content: '2' }]], tags: ['two:2'], cmd: ['two'] },
      ],
    });
    await withSource(built.path, async (source) => {
      expect(source.images).toHaveLength(2);
      const one = pickImage(source, 'one:1');
      expect(one.config.cmd).toEqual(['one']);
      expect(one.tags).toEqual(['one:1', 'one:latest']);
      expect(pickImage(source, 'one').config.cmd).toEqual(['one']); // :latest implied
      const two = pickImage(source, 'two:2');
      expect(two.config.cmd).toEqual(['two']);
      await expectImage(form, two, at(built.images, 1));
      // The shared base layer is the same blob in both.
      expect(two.layers[0]?.diffId).toBe(one.layers[0]?.diffId);
      // By image id, as `docker images` shows it.
      expect(pickImage(source, at(built.images, 1).id.slice(0, 12)).config.cmd).toEqual(['two']);

      let err: unknown;
      try {
        pickImage(source);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).exitCode).toBe(2);
      expect((err as UserError).message).toBe(
        `image ${built.path} holds 2 images: name one as ${built.path}:TAG (one:1 = one:latest, two:2)`,
      );
      expect(() => pickImage(source, 'three:3')).toThrow(
        `image ${built.path} has no image tagged three:3; it has: one:1 = one:latest, two:2`,
      );
    });
  });

  test('a corrupt blob or diff_id is read as the archive says (the extractor finds it)', async () => {
    const built = await writeImageArchive(target(form, `${form}-corrupt`), {
      form,
      compression: 'gzip',
      images: [{ layers: sampleLayers(), tags: ['c:1'], corruptBlob: 1, corruptDiffId: 2 }],
    });
    await withSource(built.path, async (source) => {
      const image = at(source.images, 0);
      const layer1 = at(image.layers, 1);
      const layer2 = at(image.layers, 2);
      const bytes1 = await bytesOf(layer1);
      if (layer1.digest !== undefined) expect(`sha256:${sha256(bytes1)}`).not.toBe(layer1.digest);
      else expect(bytes1.equals(at(at(built.images, 0).layers, 1).blob)).toBe(true);
      expect(layer2.diffId).toBe(at(at(built.images, 0).layers, 2).diffId);
      expect(layer2.diffId).not.toBe(`sha256:${sha256(at(at(built.images, 0).layers, 2).tar)}`);
    });
  });
});

test('legacy docker save: a layer.tar linked to an identical earlier one is still docker-save', async () => {
  const empty = [{ name: 'tmp/', type: 'directory' as const }];
  const built = await writeImageArchive(target('docker-save', 'dup'), {
    form: 'docker-save',
    images: [{ layers: [at(sampleLayers(), 0), empty, empty], tags: ['dup:1'] }],
  });
  await withSource(built.path, async (source) => {
    expect(source.form).toBe('docker-save');
    await expectImage('docker-save', at(source.images, 0), at(built.images, 0));
  });
});

describe('OCI indexes', () => {
  test.each(['oci-archive', 'oci-layout'] as const)(
    '%s: a nested index (manifest list) gives this machine linux image, tagged as the index',
    async (form) => {
      const mine = { layers: sampleLayers(), cmd: ['mine'], tags: ['multi:1'] };
      const other = {
        layers: [[{ name: 'other', content: 'o' }]],
        cmd: ['other'],
        architecture: 'riscv64',
      };
      const built = await writeImageArchive(target(form, `${form}-nested`), {
        form,
        nestedIndex: true,
        images: [other, mine],
      });
      await withSource(built.path, async (source) => {
        expect(source.images).toHaveLength(1);
        const image = at(source.images, 0);
        expect(image.config.cmd).toEqual(['mine']);
        expect(image.tags).toEqual(['multi:1']);
        await expectImage(form, image, at(built.images, 1));
      });
    },
  );

  test('a nested index with no image for this machine is one line naming what it has', async () => {
    const path = target('oci-archive', 'foreign');
    await writeImageArchive(path, {
      form: 'oci-archive',
      nestedIndex: true,
      images: [
        { layers: sampleLayers(), architecture: 'riscv64', tags: ['f:1'] },
        { layers: sampleLayers(), architecture: 's390x' },
      ],
    });
    await expect(openImageSource(path)).rejects.toThrow(
      /^image .*foreign\.tar: member "blobs\/sha256\/[0-9a-f]{64}" holds no linux\/\w+ image \(it has: linux\/riscv64, linux\/s390x\)$/,
    );
  });

  test('Docker 25+ names: containerd image name wins over the bare ref.name tag', async () => {
    const built = await writeImageArchive(target('docker-save-oci', 'd25'), {
      form: 'docker-save-oci',
      images: [{ layers: sampleLayers(), tags: ['busybox:latest'] }],
    });
    await withSource(built.path, async (source) => {
      expect(source.images[0]?.tags).toEqual(['busybox:latest']);
    });
  });
});

describe('rootfs and whole-archive compression', () => {
  test('the default busybox tarball is a rootfs of one layer: the whole file', async () => {
    await withSource(DEFAULT_IMAGE_PATH, async (source) => {
      expect(source.form).toBe('rootfs');
      expect(source.images).toHaveLength(1);
      const image = at(source.images, 0);
      expect(image.tags).toEqual([]);
      expect(image.configBytes).toBeUndefined();
      expect(image.config.history).toEqual([{ createdBy: '', emptyLayer: false }]);
      expect(image.layers).toHaveLength(1);
      const layer = at(image.layers, 0);
      expect(layer.diffId).toBeUndefined();
      expect(layer.digest).toBeUndefined();
      expect(layer.size).toBe(readFileSync(DEFAULT_IMAGE_PATH).length);
      expect((await bytesOf(layer)).equals(readFileSync(DEFAULT_IMAGE_PATH))).toBe(true);
      expect(pickImage(source)).toBe(image);
    });
  });

  test('a gzip rootfs and a "./"-rooted rootfs are rootfs; a rootfs is decided from its first members', async () => {
    const gz = join(dir, 'rootfs.tgz');
    writeFileSync(gz, gzipSync(readFileSync(DEFAULT_IMAGE_PATH)));
    await withSource(gz, async (s) => {
      expect(s.form).toBe('rootfs');
      expect((await bytesOf(at(at(s.images, 0).layers, 0))).equals(readFileSync(gz))).toBe(true);
    });
    const dot = await writeTar(join(dir, 'dot.tar'), [
      { name: './', type: 'directory' },
      { name: './etc/', type: 'directory' },
      { name: './etc/hostname', content: 'x\n' },
    ]);
    await withSource(dot, async (s) => expect(s.form).toBe('rootfs'));
    // A rootfs whose top holds names an image archive has, but no manifest.json or index.json.
    const blobsOnly = await writeTar(join(dir, 'blobs-only.tar'), [
      { name: 'blobs/', type: 'directory' },
      { name: `${'a'.repeat(64)}.json`, content: '{}' },
    ]);
    await withSource(blobsOnly, async (s) => expect(s.form).toBe('rootfs'));
    // A rootfs whose tail is not tar at all is still a rootfs: its extraction will say what is wrong.
    const early = join(dir, 'early.tar');
    const head = readFileSync(
      await writeTar(join(dir, 'head.tar'), [{ name: 'bin/', type: 'directory' }]),
    ).subarray(0, 512);
    writeFileSync(early, Buffer.concat([head, Buffer.alloc(4096, 0x41)]));
    await withSource(early, async (s) => expect(s.form).toBe('rootfs'));
    // A temporary copy is never left behind for a rootfs.
    expect(readdirSync(dir).filter((n) => n.startsWith('ovt-image-'))).toEqual([]);
  });

  test.each(['docker-save', 'docker-save-oci', 'oci-archive', 'podman-docker-archive'] as const)(
    'a gzip-compressed whole %s is read from a temporary copy that close() removes',
    async (form) => {
      const plain = target(form, `${form}-whole`);
      const built = await writeImageArchive(plain, {
        form,
        images: [{ layers: sampleLayers(), tags: ['gz:1'] }],
      });
      const gz = `${plain}.gz`;
      writeFileSync(gz, gzipSync(readFileSync(plain)));
      const source = await openImageSource(gz, { tempDir: dir });
      try {
        expect(source.form).toBe(form);
        expect(readdirSync(dir).filter((n) => n.startsWith('ovt-image-'))).toHaveLength(1);
        await expectImage(form, at(source.images, 0), at(built.images, 0));
      } finally {
        source.close();
      }
      expect(readdirSync(dir).filter((n) => n.startsWith('ovt-image-'))).toEqual([]);
    },
  );
});

describe('splitImageArg', () => {
  test('FILE:TAG splits at the last colon after the last slash, unless the whole names a file', () => {
    const withColon = join(dir, 'odd:name.tar');
    writeFileSync(withColon, '');
    expect(splitImageArg(withColon)).toEqual({ file: withColon });
    expect(splitImageArg(`${withColon}:app:1`)).toEqual({ file: withColon, tag: 'app:1' });
    expect(splitImageArg('/no/such.tar:busybox:latest')).toEqual({
      file: '/no/such.tar:busybox',
      tag: 'latest',
    });
    const real = join(dir, 'real.tar');
    writeFileSync(real, '');
    expect(splitImageArg(`${real}:busybox:latest`)).toEqual({ file: real, tag: 'busybox:latest' });
    expect(splitImageArg(`${real}:v1`)).toEqual({ file: real, tag: 'v1' });
    expect(splitImageArg('/a:b/c.tar')).toEqual({ file: '/a:b/c.tar' });
    expect(splitImageArg('img.tar')).toEqual({ file: 'img.tar' });
    expect(splitImageArg('img.tar:')).toEqual({ file: 'img.tar:' });
  });
});
