/**
 * Who uses what in the store: which image records list each layer, and
 * which containers mount each layer or image (their state.json's lowers,
 * and the image id they were made from). `images rm` and a failed import
 * remove a layer only when nothing here names it.
 */
import { containerPaths, listContainerIds, readState } from '../container/state.js';
import type { StateRoot } from '../state-root.js';
import type { ImageRecord } from './image-record.js';
import { listStoredImages, type StoredImage } from './stored-image.js';

export interface StoreUsage {
  stored: StoredImage[];
  /** Trusted image records. */
  images: ImageRecord[];
  /** diff_id -> the records that list it. */
  imagesByLayer: Map<string, ImageRecord[]>;
  /** A lower directory (a layer's diff/, an old image's lower/) -> the containers that mount it. */
  containersByDir: Map<string, string[]>;
  /** Image id -> the containers made from it. */
  containersByImage: Map<string, string[]>;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function storeUsage(store: StateRoot): StoreUsage {
  const stored = listStoredImages(store);
  const images = stored.flatMap((s) => (s.kind === 'trusted' ? [s.record] : []));
  const imagesByLayer = new Map<string, ImageRecord[]>();
  for (const image of images)
    for (const diffId of new Set(image.layers)) push(imagesByLayer, diffId, image);
  const containersByDir = new Map<string, string[]>();
  const containersByImage = new Map<string, string[]>();
  for (const id of listContainerIds(store)) {
    const state = readState(containerPaths(store, id));
    if (!state) continue;
    for (const dir of new Set(state.lowers)) push(containersByDir, dir, id);
    if (state.image?.digest) push(containersByImage, state.image.digest, id);
  }
  return { stored, images, imagesByLayer, containersByDir, containersByImage };
}
