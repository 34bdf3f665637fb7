/**
 * Removing layers nothing uses: no image record lists it and no container
 * mounts it. A layer in use is kept, and the caller is told by what. Never
 * deletes a directory with anything mounted on or under it.
 */
import { rmSync } from 'node:fs';
import { mountsAtOrUnder } from '../mountinfo.js';
import type { StateRoot } from '../state-root.js';
import type { ImageRecord } from './image-record.js';
import { layerDir } from './stored-layer.js';
import type { StoreUsage } from './store-usage.js';

export type LayerFate =
  | { diffId: string; removed: true }
  | {
      diffId: string;
      removed: false;
      images: ImageRecord[];
      containers: string[];
      mounted: boolean;
    };

/** The layer's fate once the images in `gone` are no longer counted as users. */
export function removeLayerIfUnused(
  store: StateRoot,
  diffId: string,
  usage: StoreUsage,
  gone: ReadonlySet<string> = new Set(),
): LayerFate {
  const dir = layerDir(store, diffId);
  const images = (usage.imagesByLayer.get(diffId) ?? []).filter((r) => !gone.has(r.id));
  const containers = usage.containersByDir.get(`${dir}/diff`) ?? [];
  const mounted = mountsAtOrUnder(dir).length > 0;
  if (images.length > 0 || containers.length > 0 || mounted)
    return { diffId, removed: false, images, containers, mounted };
  rmSync(dir, { recursive: true, force: true }); // a symlink is unlinked, not followed
  return { diffId, removed: true };
}

/** "used by image busybox:latest (3f2a…), container web" */
export function usedBy(fate: Extract<LayerFate, { removed: false }>): string {
  const parts = [
    ...fate.images.map(
      (r) => `image ${r.tags[0] ?? r.id.slice(0, 12)}${r.tags[0] ? ` (${r.id.slice(0, 12)})` : ''}`,
    ),
    ...fate.containers.map((c) => `container ${c}`),
    ...(fate.mounted ? ['a mount on or under it'] : []),
  ];
  return `used by ${parts.join(', ')}`;
}
