/**
 * Archives written by a real podman, not by our own builder: a three-RUN
 * image built on a base imported from the default busybox tarball (no
 * registry is reachable), saved as docker-archive, oci-archive and oci-dir,
 * each read back with the layers, diff_ids and history podman itself
 * reports. podman runs with a storage of its own under /tmp (removed at
 * the end), runc and the ulimits this machine needs (see DESIGN.md, "Real
 * peers"). A machine where podman cannot run fails these tests, saying why.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openImageSource, pickImage } from '../src/engine/image/formats/index.js';
import type { ImageSource, LayerBlob } from '../src/engine/image/image-source.js';
import { mountsUnder, tempRoot } from './support/state-root.js';
import { DEFAULT_IMAGE_PATH } from './support/paths.js';

let dir: string;
let podmanArgs: string[];
/** What podman says of the image: its diff_ids, bottom first. */
let diffIds: string[];

function podman(...args: string[]): string {
  const r = spawnSync('podman', [...podmanArgs, ...args], {
    encoding: 'utf8',
    timeout: 240_000,
    maxBuffer: 64 << 20,
  });
  if (r.error)
    throw new Error(`podman could not run here (${r.error.message}): these tests need it`);
  if (r.status !== 0)
    throw new Error(`podman ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.trim()}`);
  return r.stdout;
}

const DOCKERFILE = `FROM localhost/ovt-base:1
RUN echo one > /one
RUN echo two > /two && rm /one
ENV X=1
RUN mkdir /d && echo three > /d/three
CMD ["sh"]
`;

beforeAll(() => {
  dir = tempRoot('ovt-formats-real-');
  podmanArgs = [
    '--root',
    join(dir, 'storage'),
    '--runroot',
    join(dir, 'run'),
    '--storage-driver',
    'vfs',
    '--runtime',
    'runc',
    '--cgroup-manager',
    'cgroupfs',
    '--events-backend',
    'none',
  ];
  podman('import', DEFAULT_IMAGE_PATH, 'localhost/ovt-base:1');
  const ctx = join(dir, 'ctx');
  mkdirSync(ctx);
  writeFileSync(join(ctx, 'Dockerfile'), DOCKERFILE);
  podman(
    'build',
    '--network',
    'none',
    '--ulimit',
    'nofile=4096:4096',
    '--ulimit',
    'nproc=4096:4096',
    '-t',
    'localhost/ovt-three:1',
    ctx,
  );
  diffIds = JSON.parse(
    podman('image', 'inspect', '--format', '{{json .RootFS.Layers}}', 'localhost/ovt-three:1'),
  ) as string[];
  podman('save', '--format', 'docker-archive', '-o', join(dir, 'da.tar'), 'localhost/ovt-three:1');
  podman('save', '--format', 'oci-archive', '-o', join(dir, 'oa.tar'), 'localhost/ovt-three:1');
  podman('save', '--format', 'oci-dir', '-o', join(dir, 'od'), 'localhost/ovt-three:1');
  podman(
    'save',
    '--multi-image-archive',
    '-o',
    join(dir, 'multi.tar'),
    'localhost/ovt-three:1',
    'localhost/ovt-base:1',
  );
}, 600_000);

afterAll(() => {
  if (!dir) return;
  // vfs storage mounts nothing; check so before removing it.
  const left = mountsUnder(dir);
  rmSync(dir, { recursive: true, force: true });
  expect(left).toEqual([]);
});

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function bytesOf(blob: LayerBlob): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of blob.open()) chunks.push(c);
  return Buffer.concat(chunks);
}

async function withSource(path: string, fn: (s: ImageSource) => Promise<void>): Promise<void> {
  const source = await openImageSource(path, { tempDir: dir });
  try {
    await fn(source);
  } finally {
    source.close();
  }
}

/** The image podman built, read back: its layers' tars hash to podman's diff_ids. */
async function expectThree(source: ImageSource): Promise<void> {
  const image = pickImage(source, 'localhost/ovt-three:1');
  expect(pickImage(source, 'ovt-three:1')).toBe(image);
  expect(image.tags).toContain('localhost/ovt-three:1');
  expect(diffIds).toHaveLength(4);
  expect(image.layers.map((l) => l.diffId)).toEqual(diffIds);
  const c = image.config;
  expect(c.cmd).toEqual(['sh']);
  expect(c.env).toContain('X=1');
  const made = c.history.filter((h) => !h.emptyLayer).map((h) => h.createdBy);
  expect(made).toHaveLength(4);
  expect(made.slice(1)).toEqual([
    '/bin/sh -c echo one > /one',
    '/bin/sh -c echo two > /two && rm /one',
    '/bin/sh -c mkdir /d && echo three > /d/three',
  ]);
  expect(c.history.filter((h) => h.emptyLayer).map((h) => h.createdBy)).toEqual([
    '/bin/sh -c #(nop) ENV X=1',
    '/bin/sh -c #(nop) CMD ["sh"]',
  ]);
  for (const [i, layer] of image.layers.entries()) {
    const blob = await bytesOf(layer);
    expect(blob.length).toBe(layer.size);
    if (layer.digest !== undefined) expect(sha256(blob)).toBe(layer.digest);
    const tar = blob[0] === 0x1f && blob[1] === 0x8b ? gunzipSync(blob) : blob;
    expect(sha256(tar)).toBe(diffIds[i]);
  }
}

describe('real podman archives', () => {
  test('podman save --format docker-archive: <diffid>.tar files behind layer.tar symlinks', async () => {
    await withSource(join(dir, 'da.tar'), async (source) => {
      expect(source.form).toBe('podman-docker-archive');
      expect(source.images).toHaveLength(1);
      await expectThree(source);
    });
  });

  test('podman save --format oci-archive: gzip blobs', async () => {
    await withSource(join(dir, 'oa.tar'), async (source) => {
      expect(source.form).toBe('oci-archive');
      await expectThree(source);
      const image = pickImage(source);
      expect(image.layers.every((l) => l.mediaType?.endsWith('+gzip'))).toBe(true);
    });
  });

  test('podman save --format oci-dir: an OCI layout directory', async () => {
    await withSource(join(dir, 'od'), async (source) => {
      expect(source.form).toBe('oci-layout');
      await expectThree(source);
    });
  });

  test('podman save --multi-image-archive: two images, FILE:TAG picks one, no tag lists both', async () => {
    await withSource(join(dir, 'multi.tar'), async (source) => {
      expect(source.images).toHaveLength(2);
      await expectThree(source);
      const base = pickImage(source, 'localhost/ovt-base:1');
      expect(base.layers.map((l) => l.diffId)).toEqual(diffIds.slice(0, 1));
      expect(() => pickImage(source)).toThrow(
        /holds 2 images: name one as .*multi\.tar:TAG \(localhost\/ovt-(three|base):1, localhost\/ovt-(three|base):1\)$/,
      );
    });
  });
});
