/**
 * The image a user names (a tag, an id or its prefix) found in the layered
 * store, with every layer trusted. A placeholder while the store is being
 * rewritten: wired to it when the layered store lands.
 */
import type { StateRoot } from '../state-root.js';
import type { LayeredImage } from './image-record.js';

export function resolveImage(_store: StateRoot, _ref: string): LayeredImage {
  throw new Error('not wired yet');
}
