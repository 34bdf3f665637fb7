/**
 * A flat root filesystem tarball (docker export, the default busybox
 * image) as an image of one layer: the whole file is the layer's blob
 * (plain or gzip; the extractor decides by its magic bytes). It names no
 * digest and no diff_id, and has no config of its own: one history entry
 * stands for its one layer.
 */
import type { SourceImage } from '../image-source.js';
import { archiveError } from './archive-error.js';
import { readRange } from './read-range.js';

export function rootfsImage(path: string, size: number): SourceImage {
  return {
    tags: [],
    config: { history: [{ createdBy: '', emptyLayer: false }] },
    layers: [
      {
        size,
        where: path,
        open: () =>
          readRange(path, 0, size, {
            short: () =>
              archiveError(path, undefined, 'changed while it was read (it is shorter now)'),
          }),
      },
    ],
  };
}
