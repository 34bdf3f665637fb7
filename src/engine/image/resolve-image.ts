/**
 * The stored image a user names: a tag ("busybox:latest", or "busybox" for
 * its :latest), an id, or an id prefix; with every layer stored and
 * trusted. For `layers`, `commit`'s base and `run --image TAG`.
 */
import { UserError } from '../errors.js';
import type { StateRoot } from '../state-root.js';
import type { LayeredImage } from './image-record.js';
import { imageName, resolveTarget } from './remove-images.js';
import { storeUsage, type StoreUsage } from './store-usage.js';
import { loadImage } from './stored-image.js';

/** "busybox" means "busybox:latest" when only the latter is stored, as Docker reads it. */
function withDefaultTag(usage: StoreUsage, ref: string): string {
  if (ref.includes(':') || usage.images.some((r) => r.tags.includes(ref))) return ref;
  const latest = `${ref}:latest`;
  return usage.images.some((r) => r.tags.includes(latest)) ? latest : ref;
}

export function resolveImage(store: StateRoot, ref: string): LayeredImage {
  const usage = storeUsage(store);
  const target = resolveTarget(usage, withDefaultTag(usage, ref));
  if (target.kind === 'old') {
    throw new UserError(
      `image ${JSON.stringify(ref)} is of the previous store format: import its file again (overlay-tui load FILE)`,
    );
  }
  const image = loadImage(store, target.record.id);
  if (!image) {
    throw new UserError(
      `image ${imageName(target.record)} has layers missing from the store: import its file again (overlay-tui load FILE)`,
    );
  }
  return image;
}

/** Like resolveImage, but undefined when nothing in the store has that name. */
export function findStoredImage(store: StateRoot, ref: string): LayeredImage | undefined {
  try {
    return resolveImage(store, ref);
  } catch (err) {
    if (err instanceof UserError && /^no image /.test(err.message)) return undefined;
    throw err;
  }
}
