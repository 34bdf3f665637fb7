/**
 * One image of an archive into the store: its layers bottom-up
 * (import-layer.ts: each stored once by diff_id, reused when stored
 * already), then its record, images/<id>/ with id the sha256 of the
 * config's bytes. An image whose record and every layer are stored already
 * is not read beyond its config. Any failure leaves nothing: the layers
 * this import extracted are removed again unless something else uses them
 * by then, and no record is written.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { StateRoot } from '../state-root.js';
import { trimCreatedBy } from '../../overlay/layer-label.js';
import {
  layerCreatedBy,
  type ImageRecord,
  type LayeredImage,
  type StoredLayer,
} from './image-record.js';
import type { ImageSource, SourceImage } from './image-source.js';
import { placeImageRecord, tagImage } from './image-record-file.js';
import { reusableLayer, storeLayer } from './import-layer.js';
import { removeLayerIfUnused } from './remove-layers.js';
import { rootfsConfig } from './rootfs-config.js';
import { storeUsage } from './store-usage.js';
import { recordLayers, readStoredImage, untrustedImageError } from './stored-image.js';

export interface ImportOptions {
  signal?: AbortSignal;
  /** Called once, before the first layer that is not stored yet is extracted. */
  onExtract?: () => void;
}

export interface ImportReport {
  image: LayeredImage;
  /** Layers this import extracted and stored. */
  extracted: number;
  /** Layers that were stored already (shared with other images, or imported before). */
  reused: number;
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** The stored image `id` when its record and every layer are there and trusted; retagged. */
function storedAlready(store: StateRoot, id: string, tags: string[]): LayeredImage | undefined {
  const stored = readStoredImage(store, id);
  if (stored.kind === 'untrusted') throw untrustedImageError(stored.dir, stored.why);
  if (stored.kind !== 'trusted') return undefined;
  const layers = recordLayers(store, stored.record);
  if (layers.kind !== 'complete') return undefined;
  return { record: tagImage(store, layers.image.record, tags), layers: layers.image.layers };
}

async function storeLayers(
  store: StateRoot,
  source: ImageSource,
  image: SourceImage,
  opts: ImportOptions,
  placed: string[],
): Promise<StoredLayer[]> {
  const count = image.layers.length;
  const createdBy = layerCreatedBy(image.config, count);
  const layers: StoredLayer[] = [];
  let announced = false;
  for (const [i, blob] of image.layers.entries()) {
    const place = {
      file: source.path,
      index: i + 1,
      count,
      label: trimCreatedBy(createdBy[i] ?? ''),
      rootfs: source.form === 'rootfs',
    };
    if (!announced && !reusableLayer(store, blob)) {
      opts.onExtract?.();
      announced = true;
    }
    const result = await storeLayer(store, blob, place, opts.signal);
    if (result.placed) placed.push(result.layer.record.diffId);
    layers.push(result.layer);
  }
  return layers;
}

/** Removes the layers this import placed, unless something took them up meanwhile. */
function undoLayers(store: StateRoot, placed: readonly string[]): void {
  if (placed.length === 0) return;
  const usage = storeUsage(store);
  for (const diffId of placed) removeLayerIfUnused(store, diffId, usage);
}

export async function importImageReporting(
  store: StateRoot,
  source: ImageSource,
  image: SourceImage,
  opts: ImportOptions = {},
): Promise<ImportReport> {
  // The fast path: the config names the image, and it is all stored.
  if (image.configBytes) {
    const known = storedAlready(store, sha256(image.configBytes), image.tags);
    if (known) return { image: known, extracted: 0, reused: known.layers.length };
  }
  const placed: string[] = [];
  try {
    const layers = await storeLayers(store, source, image, opts, placed);
    const diffIds = layers.map((l) => l.record.diffId);
    // A flat rootfs has no config: one is made from its content (rootfs-config.ts).
    const { bytes: configBytes, config } = image.configBytes
      ? { bytes: image.configBytes, config: image.config }
      : rootfsConfig(source.path, diffIds);
    const id = sha256(configBytes);
    const record: ImageRecord = {
      id,
      tags: [],
      layers: diffIds,
      config,
      source: resolve(source.path),
      form: source.form,
      importedAt: new Date().toISOString(),
    };
    // Another process (or an earlier import of the same rootfs) may have stored it meanwhile.
    placeImageRecord(store, record, configBytes);
    const stored = storedAlready(store, id, image.tags);
    if (!stored) throw new Error(`image ${id} vanished right after import`);
    return {
      image: stored,
      extracted: placed.length,
      reused: layers.length - placed.length,
    };
  } catch (err) {
    undoLayers(store, placed);
    throw err;
  }
}

/** importImageReporting's image. */
export async function importImage(
  store: StateRoot,
  source: ImageSource,
  image: SourceImage,
  opts: ImportOptions = {},
): Promise<LayeredImage> {
  return (await importImageReporting(store, source, image, opts)).image;
}
