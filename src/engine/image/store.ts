/**
 * The layered image store's front door. `ensureImage` takes what the user
 * gave (FILE[:TAG], or a stored image's tag or id), opens the archive (formats/), picks the image and
 * imports it (import-image.ts: each layer stored once, by diff_id, shared
 * between images). A file imported before and unchanged since is not read
 * again: its image id is cached by the file's identity (digest.ts), and an
 * image whose record and layers are all stored is used as it is.
 */
import { existsSync, statSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import type { StateRoot } from '../state-root.js';
import { cachedDigest, fileIdentity, rememberDigest } from './digest.js';
import { openImageSource, pickImage, splitImageArg } from './formats/index.js';
import type { LayeredImage } from './image-record.js';
import { findStoredImage } from './resolve-image.js';
import { importImage, type ImportOptions } from './import-image.js';
import { listStoredImages, loadImage, recordLayers, type StoredImage } from './stored-image.js';

export type { ImportOptions } from './import-image.js';
export type { LayeredImage } from './image-record.js';
/** What a container is made from (the name callers knew before layers). */
export type Image = LayeredImage;
export { removeStaleExtractions } from './stale-extractions.js';

function regularFileStats(file: string): BigIntStats | undefined {
  try {
    const st = statSync(file, { bigint: true });
    return st.isFile() ? st : undefined;
  } catch {
    return undefined; // openImageSource says what is wrong with it
  }
}

/** The image FILE[:TAG] names, imported first if it is not stored yet. */
export async function ensureImage(
  store: StateRoot,
  arg: string,
  opts: ImportOptions = {},
): Promise<LayeredImage> {
  const { file, tag } = splitImageArg(arg);
  const cacheDir = join(store.images, '.sources');
  const stats = regularFileStats(file);
  const identity = stats ? fileIdentity(stats) : undefined;
  if (identity) {
    const id = cachedDigest(file, identity, cacheDir, tag ?? '');
    const known = id ? loadImage(store, id) : undefined;
    if (known) return known;
  }
  // Not a file: a stored image's tag or id (what load or commit stored).
  if (!stats && !existsSync(file)) {
    const stored = findStoredImage(store, arg);
    if (stored) return stored;
  }
  const source = await openImageSource(file);
  try {
    const image = await importImage(store, source, pickImage(source, tag), opts);
    if (identity) rememberDigest(file, identity, image.record.id, cacheDir, tag ?? '');
    return image;
  } finally {
    source.close();
  }
}

/** Every image whose record and layers are all stored and trusted, newest first. */
export function listImages(
  store: StateRoot,
  stored: readonly StoredImage[] = listStoredImages(store),
): LayeredImage[] {
  return stored
    .flatMap((s) => {
      if (s.kind !== 'trusted') return [];
      try {
        const layers = recordLayers(store, s.record);
        return layers.kind === 'complete' ? [layers.image] : [];
      } catch {
        return []; // an untrusted layer: listed by `images` as such, never used
      }
    })
    .sort((a, b) => b.record.importedAt.localeCompare(a.record.importedAt));
}
