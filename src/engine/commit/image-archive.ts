/**
 * An image as one archive file that `docker load` and `podman load` take:
 *   docker: the form Docker 25+ `docker save` writes: an OCI image layout
 *           (oci-layout, index.json, blobs/sha256/<hex>) plus manifest.json
 *           and repositories pointing into blobs/, which Docker before 25
 *           reads (it looks only at manifest.json);
 *   oci:    an OCI image archive (what `podman save --format oci-archive`
 *           and skopeo's oci-archive: write), the tag in index.json's
 *           org.opencontainers.image.ref.name (name:tag), plus a
 *           manifest.json so that Docker 20.10 loads it as well.
 * Layers are uncompressed tars, so a layer blob's digest is its diff_id.
 * Written to FILE.partial-PID and renamed: no half archive is left.
 */
import { closeSync, openSync, renameSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { qualifiedName, refText, type ImageRef } from './image-ref.js';
import type { TarMember } from './tar-encode.js';
import { TarSink } from './tar-sink.js';

export type ArchiveFormat = 'docker' | 'oci';
export const ARCHIVE_FORMATS: readonly ArchiveFormat[] = ['docker', 'oci'];

export interface ArchiveLayer {
  /** The layer tar on disk. */
  path: string;
  diffId: string;
  size: number;
}

export interface ArchiveImage {
  ref: ImageRef;
  config: Buffer;
  /** Bottom first, as the config's rootfs.diff_ids. */
  layers: readonly ArchiveLayer[];
}

const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
};

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const hexOf = (digest: string): string => digest.slice('sha256:'.length);
const blobPath = (digest: string): string => `blobs/sha256/${hexOf(digest)}`;
const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

// Fixed metadata for the archive's own members: the same image gives the same archive.
const FILE: Omit<TarMember, 'name' | 'size'> = {
  kind: 'file',
  mode: 0o644,
  uid: 0,
  gid: 0,
  mtime: 0,
};
const DIR = (name: string): TarMember => ({ ...FILE, name, kind: 'dir', mode: 0o755, size: 0 });

/** The manifest, and what the archive's index and manifest.json say about it. */
function manifestOf(image: ArchiveImage): { manifest: Buffer; configDigest: string } {
  const configDigest = sha256(image.config);
  const manifest = json({
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config: { mediaType: MEDIA.config, digest: configDigest, size: image.config.length },
    layers: image.layers.map((l) => ({ mediaType: MEDIA.layer, digest: l.diffId, size: l.size })),
  });
  return { manifest, configDigest };
}

function indexOf(image: ArchiveImage, manifest: Buffer, format: ArchiveFormat): Buffer {
  const annotations: Record<string, string> =
    format === 'docker'
      ? {
          // What Docker 25+ writes: the full name, and the tag alone as ref.name.
          'io.containerd.image.name': qualifiedName(image.ref),
          'org.opencontainers.image.ref.name': image.ref.tag,
        }
      : { 'org.opencontainers.image.ref.name': refText(image.ref) };
  return json({
    schemaVersion: 2,
    mediaType: MEDIA.index,
    manifests: [
      { mediaType: MEDIA.manifest, digest: sha256(manifest), size: manifest.length, annotations },
    ],
  });
}

/** Writes the archive at outFile (replacing it, atomically). */
export function writeImageArchive(
  outFile: string,
  image: ArchiveImage,
  format: ArchiveFormat,
): void {
  const { manifest, configDigest } = manifestOf(image);
  const index = indexOf(image, manifest, format);
  const partial = `${outFile}.partial-${process.pid}`;
  rmSync(partial, { force: true });
  const fd = openSync(partial, 'wx', 0o644);
  let ok = false;
  try {
    const sink = new TarSink(fd);
    sink.memberWithData({ ...FILE, name: 'oci-layout' }, json({ imageLayoutVersion: '1.0.0' }));
    sink.memberWithData({ ...FILE, name: 'index.json' }, index);
    sink.member(DIR('blobs/'));
    sink.member(DIR('blobs/sha256/'));
    sink.memberWithData({ ...FILE, name: blobPath(sha256(manifest)) }, manifest);
    sink.memberWithData({ ...FILE, name: blobPath(configDigest) }, image.config);
    const written = new Set<string>();
    for (const layer of image.layers) {
      if (written.has(layer.diffId)) continue; // two equal layers: one blob
      written.add(layer.diffId);
      sink.memberFromFile({ ...FILE, name: blobPath(layer.diffId) }, layer.path);
    }
    // manifest.json also in the OCI form: the layout allows other files, and
    // it is all Docker before 25 reads (without it, its load fails).
    const legacy = [
      {
        Config: blobPath(configDigest),
        RepoTags: [refText(image.ref)],
        Layers: image.layers.map((l) => blobPath(l.diffId)),
      },
    ];
    sink.memberWithData({ ...FILE, name: 'manifest.json' }, json(legacy));
    const top = image.layers.at(-1);
    if (format === 'docker' && top) {
      const repositories = { [image.ref.name]: { [image.ref.tag]: hexOf(top.diffId) } };
      sink.memberWithData({ ...FILE, name: 'repositories' }, json(repositories));
    }
    sink.end();
    closeSync(fd);
    renameSync(partial, outFile);
    ok = true;
  } finally {
    if (!ok) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
      rmSync(partial, { force: true });
    }
  }
}
