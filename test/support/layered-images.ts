/**
 * Multi-layer images made by the tests: each layer's tar written with
 * tar-stream (tarballs.ts), the config in OCI form with its diff_ids and
 * history, and a SourceImage whose layer blobs count how often they are
 * read (to prove a stored layer is not read again).
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { ImageSource, LayerBlob, SourceImage } from '../../src/engine/image/image-source.js';
import { makeTar, type TarEntry } from './tarballs.js';

export interface LayerSpec {
  createdBy: string;
  entries: TarEntry[];
  gzip?: boolean;
}

export interface TestImage {
  source: ImageSource;
  image: SourceImage;
  /** How many times each layer's blob was opened, bottom first. */
  opens: number[];
  diffIds: string[];
  /** The image id: the sha256 of its config bytes. */
  id: string;
}

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export interface TestImageOptions {
  tags?: string[];
  /** The file the source claims to be (for messages). */
  path?: string;
  /** Layer index (0 = bottom) whose diff_id the config gets wrong. */
  wrongDiffId?: number;
  /** Layer index whose blob digest the archive gets wrong. */
  wrongBlobDigest?: number;
}

export async function testImage(
  layers: LayerSpec[],
  opts: TestImageOptions = {},
): Promise<TestImage> {
  const tars = await Promise.all(layers.map((l) => makeTar(l.entries)));
  const blobs = tars.map((t, i) => (layers[i]?.gzip ? gzipSync(t) : t));
  const diffIds = tars.map((t, i) =>
    i === opts.wrongDiffId ? sha256(Buffer.concat([t, Buffer.from('x')])) : sha256(t),
  );
  const config = {
    architecture: 'amd64',
    os: 'linux',
    config: { Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: layers.map((l) => ({ created_by: l.createdBy })),
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const opens = layers.map(() => 0);
  const layerBlobs: LayerBlob[] = blobs.map((blob, i) => ({
    diffId: diffIds[i] ?? '',
    digest: i === opts.wrongBlobDigest ? sha256(Buffer.from('not it')) : sha256(blob),
    size: blob.length,
    where: `blobs/sha256/${sha256(blob).slice(7, 19)}`,
    async *open() {
      opens[i] = (opens[i] ?? 0) + 1;
      // In pieces, as a file is read.
      for (let at = 0; at < blob.length; at += 4096) yield blob.subarray(at, at + 4096);
    },
  }));
  const image: SourceImage = {
    tags: opts.tags ?? [],
    configBytes,
    config: {
      cmd: ['/bin/sh'],
      history: layers.map((l) => ({ createdBy: l.createdBy, emptyLayer: false })),
    },
    layers: layerBlobs,
  };
  const source: ImageSource = {
    form: 'docker-save-oci',
    path: opts.path ?? '/tmp/test-image.tar',
    images: [image],
    close() {},
  };
  return { source, image, opens, diffIds, id: sha256(configBytes).slice(7) };
}

/** Three small layers: a base, a RUN that adds a file, a RUN that changes one. */
export function baseLayers(): LayerSpec[] {
  return [
    {
      createdBy: '/bin/sh -c #(nop) ADD file:abc in / ',
      entries: [
        { name: './', type: 'directory' },
        { name: 'etc/', type: 'directory' },
        { name: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\n' },
        { name: 'bin/', type: 'directory' },
        { name: 'bin/tool', content: 'v1\n', mode: 0o755 },
      ],
    },
    {
      createdBy: '/bin/sh -c echo hi > /etc/motd',
      entries: [
        { name: 'etc/', type: 'directory' },
        { name: 'etc/motd', content: 'hi\n' },
      ],
      gzip: true,
    },
    {
      createdBy: '/bin/sh -c echo v2 > /bin/tool',
      entries: [
        { name: 'bin/', type: 'directory' },
        { name: 'bin/tool', content: 'v2\n', mode: 0o755 },
      ],
    },
  ];
}
