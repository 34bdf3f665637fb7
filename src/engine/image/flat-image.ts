/**
 * TEMPORARY: the image store still imports a flat root filesystem into one
 * lower directory (stored-image.ts's Image), while containers are now made
 * from a LayeredImage. Until the layered store lands (ensureImage returning
 * a LayeredImage), its callers (commands/run.ts, ui/run-app.tsx) see the
 * flat image as what it is: a stack of one layer, with an empty config.
 * Remove this file, and its two calls, when that lands.
 */
import type { Image } from './stored-image.js';
import type { LayeredImage } from './image-record.js';

export function asLayeredImage(image: Image): LayeredImage {
  const { record } = image;
  return {
    record: {
      id: record.digest,
      tags: [],
      // The archive's digest, not a diff_id: a flat import hashes the file as it was given.
      layers: [`sha256:${record.digest}`],
      config: { history: [] },
      source: record.source,
      form: 'rootfs',
      importedAt: record.importedAt,
    },
    layers: [
      {
        record: {
          diffId: `sha256:${record.digest}`,
          tarSize: record.archiveSize,
          entries: record.entries,
          bytes: record.bytes,
          whiteouts: 0,
          opaques: 0,
          skipped: record.skipped,
          importedAt: record.importedAt,
        },
        dir: image.lower,
      },
    ],
  };
}
