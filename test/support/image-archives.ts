/**
 * Image archives made by the tests themselves, in every form the import
 * reads: docker save (legacy and Docker 25+), an OCI layout directory, an
 * OCI archive, podman's docker-archive. Layers are written with tar-stream
 * (see tarballs.ts), compressed as asked, and every digest, size and
 * diff_id is computed from the bytes written, so that a test can check what
 * the import read against what was put in, or corrupt one on purpose.
 *
 * The member order of each form follows the tool it stands for (legacy
 * docker save writes its layer directories before manifest.json, which is
 * what form detection has to cope with).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { makeTar, type TarEntry } from './tarballs.js';

export type ImageArchiveForm =
  | 'docker-save'
  | 'docker-save-oci'
  | 'oci-layout'
  | 'oci-archive'
  | 'podman-docker-archive';

export const ARCHIVE_FORMS: ImageArchiveForm[] = [
  'docker-save',
  'docker-save-oci',
  'oci-layout',
  'oci-archive',
  'podman-docker-archive',
];

/**
 * How each layer blob is stored. 'plain-labelled-gzip': a plain tar whose
 * media type says +gzip, as real tools write. docker-save and
 * podman-docker-archive store what they are given as layer.tar / <hex>.tar.
 */
export type LayerCompression = 'plain' | 'gzip' | 'zstd' | 'plain-labelled-gzip';

export const COMPRESSIONS: LayerCompression[] = ['plain', 'gzip', 'zstd', 'plain-labelled-gzip'];

export interface ImageSpec {
  /** Each layer's entries, bottom first. */
  layers: TarEntry[][];
  /** "name:tag" references; none writes an untagged image. */
  tags?: string[];
  cmd?: string[];
  entrypoint?: string[];
  env?: string[];
  workingDir?: string;
  user?: string;
  /** created_by of each layer's history entry (default: "layer N"). */
  createdBy?: string[];
  /** History entries with no layer (ENV, CMD...), put after the layers' own. */
  emptyHistory?: string[];
  architecture?: string;
  os?: string;
  /**
   * Layer i's blob is not what the archive says: in the OCI forms it is
   * stored under a digest its bytes do not have (same bytes and size, wrong
   * name); in docker-save and podman-docker-archive, which name no blob
   * digest, it is a valid tar of other content (one more file), so its
   * diff_id is not the config's.
   */
  corruptBlob?: number;
  /** Give layer i a diff_id in the config that its tar does not have. */
  corruptDiffId?: number;
}

export interface ArchiveSpec {
  form: ImageArchiveForm;
  images: ImageSpec[];
  compression?: LayerCompression;
  /**
   * OCI forms: put the images into a nested image index (a manifest list)
   * with a platform each, referenced from index.json under every image's
   * tags.
   */
  nestedIndex?: boolean;
  /** Changes the archive's members (name -> bytes or symlink) before they are written. */
  tamper?: (members: ArchiveMembers) => void;
}

/** What a built layer is, for the tests to compare with what the import read. */
export interface BuiltLayer {
  /** The uncompressed tar. */
  tar: Buffer;
  /** The blob as stored. */
  blob: Buffer;
  /** 'sha256:<hex>' of the blob as named by the archive (wrong when corrupted). */
  digest: string;
  /** 'sha256:<hex>' as the config says (wrong when corrupted). */
  diffId: string;
  mediaType: string;
}

export interface BuiltImage {
  spec: ImageSpec;
  /** The config JSON as stored; its sha256 is the image id. */
  config: Buffer;
  /** Hex sha256 of the config. */
  id: string;
  layers: BuiltLayer[];
  /** 'sha256:<hex>' of the image manifest (OCI forms). */
  manifestDigest: string;
}

export interface BuiltArchive {
  path: string;
  images: BuiltImage[];
}

/** A member: its bytes, a directory, or a symlink to another member. */
export type Member = Buffer | { dir: true } | { symlink: string };

/** In the order they are written; a Map keeps insertion order. */
export type ArchiveMembers = Map<string, Member>;

export const sha256 = (data: Buffer | string): string =>
  createHash('sha256').update(data).digest('hex');

const MT = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
};

function zstd(data: Buffer): Buffer {
  const r = spawnSync('zstd', ['-q', '-c', '-3'], { input: data, maxBuffer: 1 << 30 });
  if (r.status !== 0 || r.error)
    throw new Error(`zstd could not compress a test layer: ${r.error?.message ?? r.stderr}`);
  return r.stdout;
}

function compress(tar: Buffer, how: LayerCompression): { blob: Buffer; mediaType: string } {
  switch (how) {
    case 'plain':
      return { blob: tar, mediaType: MT.ociLayer };
    case 'gzip':
      return { blob: gzipSync(tar), mediaType: `${MT.ociLayer}+gzip` };
    case 'zstd':
      return { blob: zstd(tar), mediaType: `${MT.ociLayer}+zstd` };
    case 'plain-labelled-gzip':
      return { blob: tar, mediaType: `${MT.ociLayer}+gzip` };
  }
}

/** 'linux/amd64' in Go's words for this machine. */
export function goArch(): string {
  const arch: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm' };
  return arch[process.arch] ?? process.arch;
}

const LEGACY_FORMS: ImageArchiveForm[] = ['docker-save', 'podman-docker-archive'];

async function buildImage(
  spec: ImageSpec,
  how: LayerCompression,
  form: ImageArchiveForm,
): Promise<BuiltImage> {
  const layers: BuiltLayer[] = [];
  for (const [i, entries] of spec.layers.entries()) {
    const tar = await makeTar(entries);
    const compressed = compress(tar, how);
    let blob = compressed.blob;
    const mediaType = compressed.mediaType;
    let digest = `sha256:${sha256(blob)}`;
    let diffId = `sha256:${sha256(tar)}`;
    if (spec.corruptBlob === i && LEGACY_FORMS.includes(form))
      blob = compress(await makeTar([...entries, { name: 'corrupt', content: 'x' }]), how).blob;
    else if (spec.corruptBlob === i)
      digest = `sha256:${sha256(Buffer.concat([blob, Buffer.from('x')]))}`;
    if (spec.corruptDiffId === i)
      diffId = `sha256:${sha256(Buffer.concat([tar, Buffer.from('x')]))}`;
    layers.push({ tar, blob, digest, diffId, mediaType });
  }
  const created = '2001-09-09T01:46:40Z';
  const history = [
    ...spec.layers.map((_, i) => ({
      created,
      created_by: spec.createdBy?.[i] ?? `layer ${i + 1}`,
    })),
    ...(spec.emptyHistory ?? []).map((c) => ({ created, created_by: c, empty_layer: true })),
  ];
  const containerConfig: Record<string, unknown> = {};
  if (spec.cmd) containerConfig.Cmd = spec.cmd;
  if (spec.entrypoint) containerConfig.Entrypoint = spec.entrypoint;
  if (spec.env) containerConfig.Env = spec.env;
  if (spec.workingDir !== undefined) containerConfig.WorkingDir = spec.workingDir;
  if (spec.user !== undefined) containerConfig.User = spec.user;
  const config = Buffer.from(
    JSON.stringify({
      architecture: spec.architecture ?? goArch(),
      os: spec.os ?? 'linux',
      created,
      config: containerConfig,
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history,
    }),
  );
  return { spec, config, id: sha256(config), layers, manifestDigest: '' };
}

function ociManifest(image: BuiltImage): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MT.ociManifest,
      config: {
        mediaType: MT.ociConfig,
        digest: `sha256:${image.id}`,
        size: image.config.length,
      },
      layers: image.layers.map((l) => ({
        mediaType: l.mediaType,
        digest: l.digest,
        size: l.blob.length,
      })),
    }),
  );
}

/** blobs/sha256/<hex> for every config, manifest and layer blob. */
function addBlobs(m: ArchiveMembers, images: BuiltImage[]): void {
  m.set('blobs/', { dir: true });
  m.set('blobs/sha256/', { dir: true });
  for (const image of images) {
    for (const l of image.layers) m.set(`blobs/sha256/${l.digest.slice(7)}`, l.blob);
    m.set(`blobs/sha256/${image.id}`, image.config);
    const manifest = ociManifest(image);
    image.manifestDigest = `sha256:${sha256(manifest)}`;
    m.set(`blobs/sha256/${image.manifestDigest.slice(7)}`, manifest);
  }
}

const descriptor = (image: BuiltImage, annotations?: Record<string, string>): object => ({
  mediaType: MT.ociManifest,
  digest: image.manifestDigest,
  size: ociManifest(image).length,
  ...(annotations ? { annotations } : {}),
});

/** index.json as skopeo and podman write it: one entry per tag, ref.name the whole reference. */
function ociIndex(m: ArchiveMembers, spec: ArchiveSpec, images: BuiltImage[]): void {
  let manifests: object[];
  if (spec.nestedIndex) {
    const nested = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MT.ociIndex,
        manifests: images.map((i) => ({
          ...descriptor(i),
          platform: { architecture: i.spec.architecture ?? goArch(), os: i.spec.os ?? 'linux' },
        })),
      }),
    );
    const digest = sha256(nested);
    m.set(`blobs/sha256/${digest}`, nested);
    const entry = { mediaType: MT.ociIndex, digest: `sha256:${digest}`, size: nested.length };
    const tags = images.flatMap((i) => i.spec.tags ?? []);
    manifests = tags.length
      ? tags.map((t) => ({ ...entry, annotations: { 'org.opencontainers.image.ref.name': t } }))
      : [entry];
  } else {
    manifests = images.flatMap((i) => {
      const tags = i.spec.tags ?? [];
      if (!tags.length) return [descriptor(i)];
      return tags.map((t) => descriptor(i, { 'org.opencontainers.image.ref.name': t }));
    });
  }
  m.set('index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, manifests })));
  m.set('oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));
}

/** Docker 25+: index.json names each image as containerd does (full name, ref.name the tag). */
function dockerOciIndex(m: ArchiveMembers, images: BuiltImage[]): void {
  const manifests = images.flatMap((i) =>
    (i.spec.tags ?? []).map((t) =>
      descriptor(i, {
        'io.containerd.image.name': `docker.io/library/${t}`,
        'org.opencontainers.image.ref.name': t.slice(t.lastIndexOf(':') + 1),
      }),
    ),
  );
  m.set('index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, manifests })));
}

/** Legacy layer ids: a chain over the diff_ids, as Docker's v1 ids. */
function legacyIds(image: BuiltImage): string[] {
  let parent = '';
  return image.layers.map((l) => (parent = sha256(`${parent}\n${l.diffId}`)));
}

function repositories(images: BuiltImage[], top: (i: BuiltImage) => string): Buffer {
  const repos: Record<string, Record<string, string>> = {};
  for (const image of images) {
    for (const t of image.spec.tags ?? []) {
      const at = t.lastIndexOf(':');
      (repos[t.slice(0, at)] ??= {})[t.slice(at + 1)] = top(image);
    }
  }
  return Buffer.from(JSON.stringify(repos));
}

function legacyLayerJson(id: string, parent: string | undefined): Buffer {
  return Buffer.from(
    JSON.stringify({ id, ...(parent ? { parent } : {}), created: '2001-09-09T01:46:40Z' }),
  );
}

function members(spec: ArchiveSpec, images: BuiltImage[]): ArchiveMembers {
  const m: ArchiveMembers = new Map();
  const manifestJson = (
    config: (i: BuiltImage) => string,
    layer: (i: BuiltImage, n: number) => string,
  ): Buffer =>
    Buffer.from(
      JSON.stringify(
        images.map((i) => ({
          Config: config(i),
          RepoTags: i.spec.tags ?? [],
          Layers: i.layers.map((_, n) => layer(i, n)),
        })),
      ),
    );
  switch (spec.form) {
    case 'docker-save': {
      // Docker 20.10's order: layer directories, config, manifest.json, repositories.
      for (const image of images) {
        const ids = legacyIds(image);
        image.layers.forEach((l, n) => {
          const id = ids[n] ?? '';
          m.set(`${id}/`, { dir: true });
          m.set(`${id}/VERSION`, Buffer.from('1.0'));
          m.set(`${id}/json`, legacyLayerJson(id, ids[n - 1]));
          // Docker links a layer identical to an earlier one (an empty RUN) to it.
          const same = image.layers.findIndex((o) => o.diffId === l.diffId);
          if (same < n) m.set(`${id}/layer.tar`, { symlink: `../${ids[same] ?? ''}/layer.tar` });
          else m.set(`${id}/layer.tar`, l.blob);
        });
        m.set(`${image.id}.json`, image.config);
      }
      m.set(
        'manifest.json',
        manifestJson(
          (i) => `${i.id}.json`,
          (i, n) => `${legacyIds(i)[n]}/layer.tar`,
        ),
      );
      m.set(
        'repositories',
        repositories(images, (i) => legacyIds(i).at(-1) ?? ''),
      );
      break;
    }
    case 'podman-docker-archive': {
      // containers/image: <diffid>.tar files named by the config's diff_ids,
      // the config as <id>.json, legacy directories whose layer.tar is a
      // symlink to the .tar, then manifest.json and repositories.
      for (const image of images) {
        for (const l of image.layers) m.set(`${l.diffId.slice(7)}.tar`, l.blob);
        m.set(`${image.id}.json`, image.config);
        const ids = legacyIds(image);
        image.layers.forEach((l, n) => {
          const id = ids[n] ?? '';
          m.set(`${id}/`, { dir: true });
          m.set(`${id}/layer.tar`, { symlink: `../${l.diffId.slice(7)}.tar` });
          m.set(`${id}/VERSION`, Buffer.from('1.0'));
          m.set(`${id}/json`, legacyLayerJson(id, ids[n - 1]));
        });
      }
      m.set(
        'manifest.json',
        manifestJson(
          (i) => `${i.id}.json`,
          (i, n) => `${i.layers[n]?.diffId.slice(7)}.tar`,
        ),
      );
      m.set(
        'repositories',
        repositories(images, (i) => legacyIds(i).at(-1) ?? ''),
      );
      break;
    }
    case 'docker-save-oci': {
      addBlobs(m, images);
      dockerOciIndex(m, images);
      m.set(
        'manifest.json',
        manifestJson(
          (i) => `blobs/sha256/${i.id}`,
          (i, n) => `blobs/sha256/${i.layers[n]?.digest.slice(7)}`,
        ),
      );
      m.set('oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));
      m.set(
        'repositories',
        repositories(images, (i) => i.layers.at(-1)?.digest.slice(7) ?? ''),
      );
      break;
    }
    case 'oci-layout':
    case 'oci-archive':
      addBlobs(m, images);
      ociIndex(m, spec, images);
      break;
  }
  return m;
}

function writeDir(dir: string, m: ArchiveMembers): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, member] of m) {
    const path = join(dir, name);
    if ('dir' in member) mkdirSync(path, { recursive: true });
    else {
      mkdirSync(dirname(path), { recursive: true });
      if ('symlink' in member) symlinkSync(member.symlink, path);
      else writeFileSync(path, member);
    }
  }
}

export function memberEntries(m: ArchiveMembers): TarEntry[] {
  return [...m].map(([name, member]): TarEntry => {
    if ('dir' in member) return { name, type: 'directory' };
    if ('symlink' in member) return { name, type: 'symlink', linkname: member.symlink };
    return { name, content: member };
  });
}

/**
 * Writes the archive (a tar file, or for 'oci-layout' a directory) at path
 * and says what it holds.
 */
export async function writeImageArchive(path: string, spec: ArchiveSpec): Promise<BuiltArchive> {
  const how = spec.compression ?? 'plain';
  const images: BuiltImage[] = [];
  for (const i of spec.images) images.push(await buildImage(i, how, spec.form));
  const m = members(spec, images);
  spec.tamper?.(m);
  if (spec.form === 'oci-layout') writeDir(path, m);
  else writeFileSync(path, await makeTar(memberEntries(m)));
  return { path, images };
}

/** A small layer stack every form test can use: three layers, the third deleting from the first. */
export function sampleLayers(): TarEntry[][] {
  return [
    [
      { name: 'etc/', type: 'directory' },
      { name: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n' },
      { name: 'etc/old', content: 'to be deleted\n' },
    ],
    [
      { name: 'app/', type: 'directory' },
      { name: 'app/run.sh', content: '#!/bin/sh\necho hi\n', mode: 0o755 },
      { name: 'app/link', type: 'symlink', linkname: 'run.sh' },
    ],
    [
      { name: 'etc/', type: 'directory' },
      { name: 'etc/.wh.old', content: '', mode: 0o600 },
      { name: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\nhi:x:1:1::/:/bin/sh\n' },
    ],
  ];
}
