/**
 * The images of an OCI image layout (a directory, an OCI archive, or the
 * layout inside a Docker 25+ save): index.json's manifests, each an image
 * manifest or an index of them (a manifest list), of which the one for
 * linux on this machine's architecture is taken, as `docker pull` would.
 * Tags come from the annotations: containerd's full image name where
 * there is one, else org.opencontainers.image.ref.name.
 */
import type { LayerBlob, SourceImage } from '../image-source.js';
import { archiveError } from './archive-error.js';
import { readJson, type ArchiveFiles } from './archive-files.js';
import { checkLayerCount, parseImageConfig } from './image-config.js';
import { shortRef } from './image-refs.js';
import {
  checkBlobSize,
  descriptor,
  MEDIA,
  readJsonBlob,
  type Descriptor,
} from './oci-descriptor.js';

/** Nested indexes deeper than this are refused (a loop of indexes would never end). */
const MAX_DEPTH = 4;

/** Go's name for this machine's architecture, as OCI platforms write it. */
export function goArch(arch: string = process.arch): string {
  const names: Record<string, string> = {
    x64: 'amd64',
    ia32: '386',
    arm64: 'arm64',
    arm: 'arm',
    ppc64: 'ppc64le',
  };
  return names[arch] ?? arch;
}

const ours = (d: Descriptor): boolean =>
  d.platform === undefined || (d.platform.os === 'linux' && d.platform.architecture === goArch());

const platformName = (d: Descriptor): string =>
  d.platform
    ? `${d.platform.os}/${d.platform.architecture}${d.platform.variant ? `/${d.platform.variant}` : ''}`
    : '?';

function tagOf(d: Descriptor): string | undefined {
  const full = d.annotations['io.containerd.image.name'];
  if (full !== undefined) return shortRef(full);
  return d.annotations['org.opencontainers.image.ref.name'];
}

function isIndex(d: Descriptor, json: Record<string, unknown>): boolean {
  if (d.mediaType === MEDIA.ociIndex || d.mediaType === MEDIA.dockerList) return true;
  if (d.mediaType === MEDIA.ociManifest || d.mediaType === MEDIA.dockerManifest) return false;
  return Array.isArray(json.manifests) && !Array.isArray(json.layers);
}

function descriptors(
  files: ArchiveFiles,
  where: string,
  json: Record<string, unknown>,
): Descriptor[] {
  const list = json.manifests;
  if (!Array.isArray(list)) throw archiveError(files.label, where, 'has no "manifests" list');
  return list.map((d, i) => descriptor(files, where, `manifest ${i + 1}`, d));
}

/** The image manifest d names, descending into indexes to this machine's platform. */
async function imageManifest(
  files: ArchiveFiles,
  d: Descriptor,
  depth: number,
): Promise<{ d: Descriptor; json: Record<string, unknown> }> {
  if (depth > MAX_DEPTH)
    throw archiveError(files.label, d.path, `nests indexes more than ${MAX_DEPTH} deep`);
  const { json } = await readJsonBlob(files, d, 'manifest');
  if (!isIndex(d, json)) return { d, json };
  const all = descriptors(files, d.path, json);
  const pick = all.find((m) => m.platform !== undefined && ours(m));
  if (pick === undefined) {
    const have = all.map(platformName).join(', ') || 'none';
    throw archiveError(files.label, d.path, `holds no linux/${goArch()} image (it has: ${have})`);
  }
  return imageManifest(files, pick, depth + 1);
}

async function readImage(
  files: ArchiveFiles,
  m: { d: Descriptor; json: Record<string, unknown> },
): Promise<SourceImage> {
  const where = m.d.path;
  const config = descriptor(files, where, 'config', m.json.config);
  const rawLayers = m.json.layers;
  if (!Array.isArray(rawLayers)) throw archiveError(files.label, where, 'has no "layers" list');
  const layerDs = rawLayers.map((l, i) => descriptor(files, where, `layer ${i + 1}`, l));
  const { json, bytes } = await readJsonBlob(files, config, 'config');
  const parsed = parseImageConfig(json, files.label, config.path);
  checkLayerCount(parsed, layerDs.length, files.label, config.path);
  const layers = layerDs.map((l, i): LayerBlob => {
    checkBlobSize(files, l, `layer ${i + 1}`);
    return {
      digest: l.digest,
      ...(parsed.diffIds[i] !== undefined ? { diffId: parsed.diffIds[i] } : {}),
      size: l.size,
      ...(l.mediaType !== undefined ? { mediaType: l.mediaType } : {}),
      where: l.path,
      open: () => files.open(l.path),
    };
  });
  return { tags: [], configBytes: bytes, config: parsed.config, layers };
}

export async function readOciLayout(files: ArchiveFiles): Promise<SourceImage[]> {
  if (files.size('oci-layout') === undefined)
    throw archiveError(files.label, 'oci-layout', 'is missing: this is no OCI image layout');
  const layout = (await readJson(files, 'oci-layout')).json as {
    imageLayoutVersion?: unknown;
  } | null;
  if (typeof layout?.imageLayoutVersion !== 'string')
    throw archiveError(files.label, 'oci-layout', 'has no imageLayoutVersion');
  const { json } = await readJson(files, 'index.json');
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw archiveError(files.label, 'index.json', 'is not a JSON object');
  let tops = descriptors(files, 'index.json', json as Record<string, unknown>);
  // A layout holding one image per platform: keep this machine's, when there is one.
  if (tops.some((d) => d.platform !== undefined && ours(d))) tops = tops.filter(ours);
  if (tops.length === 0) throw archiveError(files.label, 'index.json', 'lists no images');
  // One image per manifest, however many tags name it.
  const byManifest = new Map<string, SourceImage>();
  // Many tags may name one manifest (or index): each is read once.
  const reached = new Map<string, Awaited<ReturnType<typeof imageManifest>>>();
  for (const top of tops) {
    const m = reached.get(top.digest) ?? (await imageManifest(files, top, 0));
    reached.set(top.digest, m);
    let image = byManifest.get(m.d.digest);
    if (image === undefined) {
      image = await readImage(files, m);
      byManifest.set(m.d.digest, image);
    }
    const tag = tagOf(top);
    if (tag !== undefined && !image.tags.includes(tag)) image.tags.push(tag);
  }
  return [...byManifest.values()];
}
