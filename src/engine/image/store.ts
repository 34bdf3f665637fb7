/**
 * The image store: each image is extracted once, into
 * images/<sha256>/lower, and never written again. An extraction goes into a
 * private temporary directory that is renamed into place only when it is
 * whole, so an interrupted or failed one never leaves a lower that a later
 * run trusts. Two processes importing the same image at once both extract;
 * the first rename wins and the other discards its copy.
 */
import { readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { errnoCode } from '../errors.js';
import type { StateRoot } from '../state-root.js';
import { inspectArchive } from './archive-file.js';
import {
  cachedDigest,
  fileIdentity,
  readHashed,
  rememberDigest,
  sha256File,
  type HashedFile,
} from './digest.js';
import { importToTemp } from './import-archive.js';
import {
  DIGEST_NAME,
  readStoredImage,
  untrustedImageError,
  type Image,
  type StoredImage,
} from './stored-image.js';

export type { ImageRecord } from './import-archive.js';
export type { Image } from './stored-image.js';
export { removeStaleExtractions } from './stale-extractions.js';

/** The stored image, if there is one; refused with one line if it cannot be trusted. */
function readImage(store: StateRoot, digest: string): Image | undefined {
  const stored = readStoredImage(store, digest);
  if (stored.kind === 'untrusted') throw untrustedImageError(stored.dir, stored.why);
  return stored.kind === 'trusted' ? stored.image : undefined;
}

/**
 * The largest file whose bytes are kept in memory while it is hashed before
 * extraction (see ensureImage): busybox and alpine-sized images. A larger
 * one is read a second time to be extracted, most likely from the page
 * cache (0.1 s per 100 MB here): less than holding it all in memory, or
 * than extracting a file of unknown digest only to find it stored already
 * (2.5 s for a 100 MB image of 3,000 files here).
 */
export const HOLD_MAX = 64 << 20;

export interface ImportOptions {
  signal?: AbortSignal;
  /** Called when the image is not in the store yet and extraction starts. */
  onExtract?: () => void;
}

/** The image's lower directory, extracting the file first if it is new. */
export async function ensureImage(
  store: StateRoot,
  file: string,
  opts: ImportOptions = {},
): Promise<Image> {
  const archive = inspectArchive(file);
  const cacheDir = join(store.images, '.sources');
  const identity = fileIdentity(archive.stats);
  let digest = cachedDigest(file, identity, cacheDir);
  // Unknown file: hashing happens while extracting, and the file is read
  // once. But if a stored image came from a file of the same size, this may
  // be the same content (a copy, a rebuilt reproducible image), which is
  // not extracted again: hash it first, keeping its bytes (up to HOLD_MAX)
  // so that if it is new after all, they are extracted without a second read.
  let held: HashedFile | undefined;
  if (!digest && listImages(store).some((i) => i.record.archiveSize === archive.size)) {
    if (archive.size <= HOLD_MAX) held = await readHashed(file, HOLD_MAX);
    digest = held?.digest ?? (await sha256File(file));
    rememberDigest(file, identity, digest, cacheDir);
  }
  const stored = digest ? readImage(store, digest) : undefined;
  if (stored) return stored;

  opts.onExtract?.();
  const temp = await importToTemp(store, archive, opts.signal, held);
  // Remembered above when hashed first (unless the file changed in between).
  if (temp.record.digest !== digest) rememberDigest(file, identity, temp.record.digest, cacheDir);
  try {
    renameSync(temp.dir, join(store.images, temp.record.digest));
  } catch (err) {
    // Another process (or an earlier import from another path) has it already: use that,
    // if it can be trusted (ENOTDIR: something that is not a directory is in the way).
    if (!['ENOTEMPTY', 'EEXIST', 'ENOTDIR'].includes(errnoCode(err) ?? '')) throw err;
    rmSync(temp.dir, { recursive: true, force: true });
  }
  const image = readImage(store, temp.record.digest);
  if (!image) throw new Error(`image ${temp.record.digest} vanished right after import`);
  return image;
}

/** Every image directory in the store, trusted or not. */
export function listStoredImages(store: StateRoot): StoredImage[] {
  let names: string[];
  try {
    names = readdirSync(store.images);
  } catch {
    return [];
  }
  return names.filter((name) => DIGEST_NAME.test(name)).map((name) => readStoredImage(store, name));
}

/** Every trusted image in the store, newest first. */
export function listImages(
  store: StateRoot,
  stored: readonly StoredImage[] = listStoredImages(store),
): Image[] {
  return stored
    .flatMap((s) => (s.kind === 'trusted' ? [s.image] : []))
    .sort((a, b) => b.record.importedAt.localeCompare(a.record.importedAt));
}
