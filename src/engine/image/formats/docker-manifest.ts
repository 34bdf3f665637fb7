/**
 * The archives `docker save` and `podman save --format docker-archive`
 * write, read through their manifest.json: one entry per image, naming its
 * config and its layer files, bottom first.
 *
 * - legacy docker save (before Docker 25): Config "<id>.json", layers
 *   "<layer id>/layer.tar", uncompressed (its sha256 is the diff_id);
 * - Docker 25+: Config and Layers "blobs/sha256/<hex>" inside an OCI layout;
 * - podman: layers "<diff_id>.tar", and <layer id>/layer.tar symlinks to them.
 */
import type { ArchiveForm } from '../image-record.js';
import type { LayerBlob, SourceImage } from '../image-source.js';
import { archiveError } from './archive-error.js';
import { readJson, type ArchiveFiles } from './archive-files.js';
import { checkLayerCount } from './image-config.js';
import { readConfigMember } from './config-member.js';
import { shortRef } from './image-refs.js';
import { isObject, optStrings } from './json-shape.js';
import { memberKind, cleanName } from './member-kind.js';

const CONFIG_NAME = /^(?:([0-9a-f]{64})\.json|blobs\/sha256\/([0-9a-f]{64}))$/;
const BLOB_NAME = /^blobs\/sha256\/([0-9a-f]{64})$/;
const DIFFID_TAR = /^([0-9a-f]{64})\.tar$/;

export interface DockerArchive {
  form: ArchiveForm;
  images: SourceImage[];
}

/** A name manifest.json gives, as a member name; one that leaves the archive is refused. */
function memberName(files: ArchiveFiles, name: unknown, what: string): string {
  if (typeof name !== 'string')
    throw archiveError(files.label, 'manifest.json', `${what} is not a string`);
  const kind = memberKind(name);
  if (kind === 'unsafe' || kind === 'neutral')
    throw archiveError(
      files.label,
      'manifest.json',
      `${what} "${name.slice(0, 200)}" is not a file inside the archive`,
    );
  return cleanName(name);
}

function layerBlob(files: ArchiveFiles, name: string, diffId: string | undefined): LayerBlob {
  const size = files.size(name);
  if (size === undefined)
    throw archiveError(files.label, name, 'is missing (manifest.json names it as a layer)');
  // blobs/sha256/<hex> is named by its own sha256: verified as it is read. podman's
  // <diff_id>.tar is too when it is plain (always, from podman), and its diff_id is checked anyway.
  const hex = BLOB_NAME.exec(name)?.[1];
  return {
    ...(hex !== undefined ? { digest: `sha256:${hex}` } : {}),
    ...(diffId !== undefined ? { diffId } : {}),
    size,
    where: name,
    open: () => files.open(name),
  };
}

export async function readDockerArchive(files: ArchiveFiles): Promise<DockerArchive> {
  const { json } = await readJson(files, 'manifest.json');
  const bad = (what: string): Error => archiveError(files.label, 'manifest.json', what);
  if (!Array.isArray(json)) throw bad('is not a list of images');
  if (json.length === 0) throw bad('lists no images');
  let podmanNames = false;
  const images: SourceImage[] = [];
  for (const [i, entry] of json.entries()) {
    if (!isObject(entry)) throw bad(`entry ${i + 1} is not an object`);
    const configName = memberName(files, entry.Config, `entry ${i + 1}'s Config`);
    const m = CONFIG_NAME.exec(configName);
    const hex = m?.[1] ?? m?.[2];
    if (hex === undefined)
      throw bad(
        `entry ${i + 1}'s Config "${configName.slice(0, 200)}" is not <64 hex>.json nor blobs/sha256/<64 hex>`,
      );
    const layerNames = entry.Layers;
    if (!Array.isArray(layerNames)) throw bad(`entry ${i + 1}'s Layers is not a list`);
    const names = layerNames.map((n, l) => memberName(files, n, `entry ${i + 1}'s layer ${l + 1}`));
    const config = await readConfigMember(files, configName, hex);
    checkLayerCount(config, names.length, files.label, configName);
    const layers = names.map((name, l) => {
      podmanNames ||= DIFFID_TAR.test(name);
      return layerBlob(files, name, config.diffIds[l]);
    });
    const tags = (optStrings(entry, 'RepoTags', bad) ?? []).map(shortRef);
    images.push({ tags, configBytes: config.bytes, config: config.config, layers });
  }
  const oci = files.size('oci-layout') !== undefined || files.size('index.json') !== undefined;
  // Not "a layer.tar is a symlink": legacy Docker links a layer.tar to an identical earlier one too.
  const form: ArchiveForm = oci
    ? 'docker-save-oci'
    : podmanNames
      ? 'podman-docker-archive'
      : 'docker-save';
  return { form, images };
}

/**
 * Docker 25+ writes each image twice: manifest.json and an OCI index.json.
 * The OCI side has what manifest.json lacks (each blob's size and media
 * type, checked against the archive as it is read); the two must agree on
 * every image's layers, or the archive is refused.
 */
export function withOciDescriptors(
  files: ArchiveFiles,
  images: SourceImage[],
  oci: SourceImage[],
): void {
  for (const image of images) {
    const twin = oci.find((o) => o.configBytes?.equals(image.configBytes ?? Buffer.alloc(0)));
    if (twin === undefined) continue; // an image index.json does not list: manifest.json alone says
    const agree =
      twin.layers.length === image.layers.length &&
      twin.layers.every(
        (l, i) => l.digest === image.layers[i]?.digest && l.size === image.layers[i]?.size,
      );
    if (!agree)
      throw archiveError(
        files.label,
        'index.json',
        `and manifest.json name different layers for ${image.tags[0] ?? 'an image'}: the archive is inconsistent`,
      );
    image.layers.forEach((l, i) => {
      const mediaType = twin.layers[i]?.mediaType;
      if (mediaType !== undefined) l.mediaType = mediaType;
    });
  }
}
