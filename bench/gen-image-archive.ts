/**
 * A generated multi-layer image, saved as Docker 25+ `docker save` writes
 * one (oci-layout, index.json, manifest.json, blobs/sha256), for the image
 * import benchmark: 8 layers, 20,000 files, about 150 MB of file data.
 * Layer 1 is a base of 6,000 files; each of layers 2-8 adds 2,000 files in
 * new directories. Sizes 1-14 KiB, half text-like (compresses well), half
 * incompressible, as real layers mix both. The layer tars are written by
 * GNU tar from directories on disk, so the reference (`tar -xzf` of each
 * blob) reads the very blobs the import reads. Deterministic; cached in
 * /tmp per version and compression, built in a temporary directory and
 * renamed into place when whole.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_DIR } from './gen-rootfs.js';

export const ARCHIVE_VERSION = 'image-8x20k-v1';
export type Compression = 'gzip' | 'zstd' | 'plain';
const LAYERS = 8;
const BASE_FILES = 6000;
const LAYER_FILES = 2000;
const PER_DIR = 100;

export interface GeneratedArchive {
  /** The docker-save (OCI form) archive. */
  archive: string;
  /** The layer blobs as the archive holds them, bottom first. */
  blobs: string[];
  compression: Compression;
  files: number;
  dataBytes: number;
  archiveBytes: number;
}

const MEDIA: Record<Compression, string> = {
  plain: 'application/vnd.oci.image.layer.v1.tar',
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
};

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error?.message}`);
}

const sha256File = (f: string): string =>
  createHash('sha256').update(readFileSync(f)).digest('hex');

/** The layer trees and their plain tars (shared by every compression). */
function layerTars(root: string): { tars: string[]; files: number; dataBytes: number } {
  // 1 MiB of hash output: slices of it do not compress (gzip's window is 32 KiB).
  const noise = Buffer.concat(
    Array.from({ length: 1 << 14 }, (_, i) => createHash('sha512').update(`n${i}`).digest()),
  );
  const text = Buffer.from(
    Array.from(
      { length: 4000 },
      (_, i) => `layer ${i % 97} whiteout ${(i * 7919) % 100003}\n`,
    ).join(''),
  );
  let files = 0;
  let dataBytes = 0;
  const tars: string[] = [];
  for (let k = 1; k <= LAYERS; k++) {
    const tree = join(root, `tree-${k}`);
    const count = k === 1 ? BASE_FILES : LAYER_FILES;
    for (let i = 0; i < count; i++) {
      const dir = join(tree, `usr/share/l${k}/d${Math.floor(i / PER_DIR)}`);
      if (i % PER_DIR === 0) mkdirSync(dir, { recursive: true });
      const h = Math.imul(files + 1, 0x9e3779b1) >>> 0;
      const size = 1024 + (h % (13 * 1024));
      const body =
        i % 2 === 0
          ? text.subarray(h % 1000, (h % 1000) + size)
          : noise.subarray(h % (noise.length - size), (h % (noise.length - size)) + size);
      writeFileSync(join(dir, `f${i % PER_DIR}`), body);
      files++;
      dataBytes += size;
    }
    const tar = join(root, `layer-${k}.tar`);
    run('tar', ['--sort=name', '--mtime=@1000000000', '-cf', tar, '-C', tree, '.']);
    rmSync(tree, { recursive: true, force: true });
    tars.push(tar);
  }
  return { tars, files, dataBytes };
}

function writeArchive(root: string, tars: string[], how: Compression): string[] {
  const layout = join(root, `layout-${how}`);
  const blobDir = join(layout, 'blobs', 'sha256');
  mkdirSync(blobDir, { recursive: true });
  const put = (data: Buffer): string => {
    const hex = createHash('sha256').update(data).digest('hex');
    writeFileSync(join(blobDir, hex), data);
    return hex;
  };
  const layers = tars.map((tar) => {
    const diffId = sha256File(tar);
    const tmp = join(layout, 'blob.tmp');
    if (how === 'gzip')
      writeFileSync(tmp, spawnSync('gzip', ['-6', '-n', '-c', tar], { maxBuffer: 1 << 30 }).stdout);
    else if (how === 'zstd') run('zstd', ['-q', '-3', '-f', '-o', tmp, tar]);
    else writeFileSync(tmp, readFileSync(tar));
    const blob = readFileSync(tmp);
    rmSync(tmp);
    const hex = put(blob);
    return { diffId, hex, size: blob.length, path: join(blobDir, hex) };
  });
  const created = '2001-09-09T01:46:40Z';
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created,
      config: { Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => `sha256:${l.diffId}`) },
      history: layers.map((_, i) => ({ created, created_by: `RUN make layer ${i + 1}` })),
    }),
  );
  const configHex = put(config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: `sha256:${configHex}`,
        size: config.length,
      },
      layers: layers.map((l) => ({
        mediaType: MEDIA[how],
        digest: `sha256:${l.hex}`,
        size: l.size,
      })),
    }),
  );
  const manifestHex = put(manifest);
  const tag = `bench-image:${how}`;
  writeFileSync(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: `sha256:${manifestHex}`,
          size: manifest.length,
          annotations: {
            'io.containerd.image.name': `docker.io/library/${tag}`,
            'org.opencontainers.image.ref.name': how,
          },
        },
      ],
    }),
  );
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(layout, 'manifest.json'),
    JSON.stringify([
      {
        Config: `blobs/sha256/${configHex}`,
        RepoTags: [tag],
        Layers: layers.map((l) => `blobs/sha256/${l.hex}`),
      },
    ]),
  );
  const archive = join(root, `image-${how}.tar`);
  run('tar', ['-cf', archive, '-C', layout, 'blobs', 'oci-layout', 'index.json', 'manifest.json']);
  return [archive, ...layers.map((l) => l.path)];
}

/** The cached archive for one compression, generated first if needed (a minute or so). */
export function ensureImageArchive(how: Compression): GeneratedArchive {
  const path = join(CACHE_DIR, ARCHIVE_VERSION);
  const metaFile = join(path, `${how}.json`);
  if (existsSync(metaFile)) return JSON.parse(readFileSync(metaFile, 'utf8')) as GeneratedArchive;
  mkdirSync(path, { recursive: true, mode: 0o700 });
  const tarsDir = join(path, 'tars');
  const tarsMeta = join(path, 'tars.json');
  if (!existsSync(tarsMeta)) {
    process.stderr.write(`generating ${ARCHIVE_VERSION}'s layers (once; cached)\n`);
    const tmp = `${tarsDir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp);
    const info = layerTars(tmp);
    rmSync(tarsDir, { recursive: true, force: true });
    renameSync(tmp, tarsDir);
    const tars = info.tars.map((t) => t.replace(tmp, tarsDir));
    writeFileSync(tarsMeta, JSON.stringify({ ...info, tars }));
  }
  const t = JSON.parse(readFileSync(tarsMeta, 'utf8')) as {
    tars: string[];
    files: number;
    dataBytes: number;
  };
  const [archive = '', ...blobs] = writeArchive(path, t.tars, how);
  const meta: GeneratedArchive = {
    archive,
    blobs,
    compression: how,
    files: t.files,
    dataBytes: t.dataBytes,
    archiveBytes: readFileSync(archive).length,
  };
  writeFileSync(metaFile, JSON.stringify(meta, null, 2));
  return meta;
}
