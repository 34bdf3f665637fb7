/**
 * A `docker save` written by a real Docker (Debian's docker.io, 20.10: the
 * legacy form), not by our own builder: a dockerd of the test's own (its
 * data, exec root, pid file and socket under /tmp, no bridge, no iptables),
 * a base imported from the default busybox tarball (no registry is
 * reachable), three RUN layers built on it, both images saved into one
 * archive. Docker writes the base's layer.tar as a symlink to the same
 * layer of the other image: read through it. A machine where dockerd
 * cannot start fails these tests, saying why.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { UserError } from '../src/engine/errors.js';
import { openImageSource, pickImage } from '../src/engine/image/formats/index.js';
import type { ImageSource, LayerBlob } from '../src/engine/image/image-source.js';
import { startDocker, type Docker } from './support/engines.js';
import { DEFAULT_IMAGE_PATH } from './support/paths.js';
import { mountsUnder, tempRoot } from './support/state-root.js';

let dir: string;
let engine: Docker | undefined;
let diffIds: string[];

function docker(args: string[]): string {
  if (!engine) throw new Error('dockerd is not running');
  const r = engine.run(args);
  if (r.code !== 0)
    throw new Error(`docker ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

beforeAll(async () => {
  dir = tempRoot('ovt-formats-docker-');
  engine = await startDocker();
  docker(['import', DEFAULT_IMAGE_PATH, 'ovt-base:1']);
  const ctx = join(dir, 'ctx');
  mkdirSync(ctx);
  writeFileSync(
    join(ctx, 'Dockerfile'),
    'FROM ovt-base:1\nRUN echo one > /one\nRUN echo two > /two && rm /one\nENV X=1\n' +
      'RUN mkdir /d && echo three > /d/three\nCMD ["sh"]\n',
  );
  docker(['build', '--network', 'none', '-t', 'ovt-three:1', ctx]);
  diffIds = JSON.parse(
    docker(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', 'ovt-three:1']),
  ) as string[];
  docker(['save', '-o', join(dir, 'save.tar'), 'ovt-three:1', 'ovt-base:1']);
}, 600_000);

afterAll(async () => {
  await engine?.stop(); // throws if dockerd left anything mounted
  if (!dir) return;
  expect(mountsUnder(dir)).toEqual([]);
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function bytesOf(blob: LayerBlob): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of blob.open()) chunks.push(c);
  return Buffer.concat(chunks);
}

async function expectSave(source: ImageSource): Promise<void> {
  expect(source.form).toBe('docker-save');
  expect(source.images).toHaveLength(2);
  const three = pickImage(source, 'ovt-three:1');
  expect(three.tags).toEqual(['ovt-three:1']);
  expect(diffIds).toHaveLength(4);
  expect(three.layers.map((l) => l.diffId)).toEqual(diffIds);
  expect(three.config.cmd).toEqual(['sh']);
  expect(three.config.env).toContain('X=1');
  expect(three.config.history.filter((h) => !h.emptyLayer).map((h) => h.createdBy)).toEqual([
    expect.any(String),
    '/bin/sh -c echo one > /one',
    '/bin/sh -c echo two > /two && rm /one',
    '/bin/sh -c mkdir /d && echo three > /d/three',
  ]);
  for (const [i, layer] of three.layers.entries()) {
    expect(layer.digest).toBeUndefined();
    expect(sha256(await bytesOf(layer))).toBe(diffIds[i]);
  }
  // The base's layer.tar is a symlink to the same layer of ovt-three: read through it.
  const base = pickImage(source, 'ovt-base:1');
  // A name without a tag means :latest, as in docker; this archive has none.
  expect(() => pickImage(source, 'ovt-base')).toThrow(
    // docker save lists the images in no fixed order.
    /has no image tagged ovt-base; it has: (ovt-three:1, ovt-base:1|ovt-base:1, ovt-three:1)$/,
  );
  expect(base.layers).toHaveLength(1);
  const only = base.layers[0];
  if (only === undefined) throw new Error('no base layer');
  expect(only.diffId).toBe(diffIds[0]);
  expect(sha256(await bytesOf(only))).toBe(diffIds[0]);
  expect(() => pickImage(source)).toThrow(UserError);
}

test('docker save (Docker 20.10, legacy form) of two images sharing a layer', async () => {
  const source = await openImageSource(join(dir, 'save.tar'), { tempDir: dir });
  try {
    await expectSave(source);
  } finally {
    source.close();
  }
});

test('docker save | gzip of the same', async () => {
  const gz = join(dir, 'save.tar.gz');
  writeFileSync(gz, gzipSync(readFileSync(join(dir, 'save.tar'))));
  const source = await openImageSource(gz, { tempDir: dir });
  try {
    await expectSave(source);
  } finally {
    source.close();
  }
});
