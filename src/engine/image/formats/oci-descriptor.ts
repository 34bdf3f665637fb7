/**
 * OCI content descriptors ({mediaType, digest, size}) and the blobs they
 * name: a digest must be sha256:<64 hex> before it becomes a path, and the
 * blob must have the size the descriptor says (then, for JSON blobs read
 * here, the digest; layer blobs are verified by the extractor as it reads).
 */
import { archiveError } from './archive-error.js';
import { readJson, type ArchiveFiles } from './archive-files.js';
import { checkDigest } from './config-member.js';
import { blobPath, sha256Hex } from './digest-ref.js';
import { isObject, type JsonObject } from './json-shape.js';

export interface Descriptor {
  mediaType?: string;
  digest: string;
  /** The blob's member name: blobs/sha256/<hex>. */
  path: string;
  size: number;
  annotations: Record<string, string>;
  platform?: { os: string; architecture: string; variant?: string };
}

export const MEDIA = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
};

/** Parses a descriptor found in `where` (a member name); anything malformed is refused. */
export function descriptor(
  files: ArchiveFiles,
  where: string,
  what: string,
  d: unknown,
): Descriptor {
  const bad = (problem: string): Error => archiveError(files.label, where, `${what} ${problem}`);
  if (!isObject(d)) throw bad('is not an object');
  const hex = sha256Hex(d.digest);
  if (hex === undefined)
    throw bad(
      `has digest ${JSON.stringify(d.digest ?? null).slice(0, 100)}: only sha256:<64 hex> is read`,
    );
  const size = d.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    throw bad('has no valid size');
  if (d.mediaType !== undefined && typeof d.mediaType !== 'string')
    throw bad('has a mediaType that is not a string');
  const annotations: Record<string, string> = {};
  if (isObject(d.annotations))
    for (const [k, v] of Object.entries(d.annotations))
      if (typeof v === 'string') annotations[k] = v;
  const out: Descriptor = { digest: `sha256:${hex}`, path: blobPath(hex), size, annotations };
  if (typeof d.mediaType === 'string') out.mediaType = d.mediaType;
  const p = d.platform;
  if (isObject(p) && typeof p.os === 'string' && typeof p.architecture === 'string') {
    out.platform = { os: p.os, architecture: p.architecture };
    if (typeof p.variant === 'string') out.platform.variant = p.variant;
  }
  return out;
}

/** The blob's size as the archive holds it, checked against the descriptor's. */
export function checkBlobSize(files: ArchiveFiles, d: Descriptor, what: string): void {
  const actual = files.size(d.path);
  if (actual === undefined)
    throw archiveError(files.label, d.path, `is missing (the ${what} ${d.digest})`);
  if (actual !== d.size)
    throw archiveError(
      files.label,
      d.path,
      `is ${actual} bytes, but its descriptor says ${d.size} (the ${what})`,
    );
}

/** A JSON blob (manifest, index, config), its size and digest checked. */
export async function readJsonBlob(
  files: ArchiveFiles,
  d: Descriptor,
  what: string,
): Promise<{ json: JsonObject; bytes: Buffer }> {
  checkBlobSize(files, d, what);
  const { json, bytes } = await readJson(files, d.path);
  checkDigest(files, d.path, bytes, d.digest.slice(7));
  if (!isObject(json))
    throw archiveError(files.label, d.path, `is not a JSON object (the ${what})`);
  return { json, bytes };
}
