/**
 * Reading a stored image, images/<id>/{image.json,config.json}, and its
 * layers, deciding whether they can be trusted (stored-record.ts): the
 * record must be root's alone, real, and name its own id; every layer it
 * lists must be a trusted stored layer (stored-layer.ts). Anything else is
 * refused with one line, not re-imported over: it means someone other than
 * overlay-tui wrote in the store, which the operator should look at.
 *
 * A directory of the previous store format (images/<sha256>/lower, one
 * flattened image per directory) is recognised as such and never used.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { lstatOrNone } from '../no-follow.js';
import type { StateRoot } from '../state-root.js';
import type { ImageRecord, LayeredImage, StoredLayer } from './image-record.js';
import { readStoredLayer, untrustedLayerError } from './stored-layer.js';
import { DIFF_ID, HEX_NAME, readRecordDir } from './stored-record.js';

export type StoredImage =
  | { kind: 'absent' }
  | { kind: 'trusted'; record: ImageRecord; dir: string }
  | { kind: 'untrusted'; dir: string; why: string }
  /** images/<sha256>/lower of the previous format: listed, never used, removed by clean. */
  | { kind: 'old'; dir: string; id: string };

export { HEX_NAME as IMAGE_ID };

/** What is wrong with a parsed image.json stored under the name `id`, or undefined. */
function imageRecordProblem(r: Record<string, unknown>, id: string): string | undefined {
  if (r.id !== id) return `names id ${JSON.stringify(r.id)}, not its directory's`;
  if (!Array.isArray(r.layers) || !r.layers.every((l) => typeof l === 'string' && DIFF_ID.test(l)))
    return 'lacks layers (sha256 diff_ids)';
  if (r.layers.length === 0) return 'lists no layers';
  if (!Array.isArray(r.tags) || !r.tags.every((t) => typeof t === 'string')) return 'lacks tags';
  const config = r.config as Record<string, unknown> | undefined;
  if (typeof config !== 'object' || config === null || !Array.isArray(config.history))
    return 'lacks config';
  if (
    typeof r.source !== 'string' ||
    typeof r.importedAt !== 'string' ||
    typeof r.form !== 'string'
  )
    return 'lacks source, form or importedAt';
  return undefined;
}

/** The image record `id` (a directory name in images/), checked; its layers are not looked at. */
export function readStoredImage(store: StateRoot, id: string): StoredImage {
  if (!HEX_NAME.test(id)) return { kind: 'absent' };
  const dir = join(store.images, id);
  // The previous format: a lower directory and no image id in the record.
  if (lstatOrNone(join(dir, 'lower'))) return { kind: 'old', dir, id };
  const read = readRecordDir(dir, 'image.json');
  if (read.kind !== 'parsed') return read;
  if ('digest' in read.record && !('id' in read.record)) return { kind: 'old', dir, id };
  const why = imageRecordProblem(read.record, id);
  if (why) return { kind: 'untrusted', dir, why: `its image.json ${why}` };
  return { kind: 'trusted', record: read.record as unknown as ImageRecord, dir };
}

/** Every image directory in the store, in any state. */
export function listStoredImages(store: StateRoot): StoredImage[] {
  let names: string[];
  try {
    names = readdirSync(store.images);
  } catch {
    return [];
  }
  return names.filter((n) => HEX_NAME.test(n)).map((n) => readStoredImage(store, n));
}

/** One line for an image record that is there but cannot be trusted. */
export function untrustedImageError(dir: string, why: string): UserError {
  return new UserError(
    `refusing the stored image ${dir}: ${why}, so overlay-tui did not make it and nothing was run from it; if you did not put it there, look at who did, then remove it (rm -rf ${dir}) and run again`,
  );
}

/**
 * A trusted record's layers: 'complete' when each is stored and trusted,
 * 'incomplete' when some are missing (an import restores them). An
 * untrusted layer is refused with one line.
 */
export function recordLayers(
  store: StateRoot,
  record: ImageRecord,
): { kind: 'complete'; image: LayeredImage } | { kind: 'incomplete'; missing: string[] } {
  const layers: StoredLayer[] = [];
  const missing: string[] = [];
  for (const diffId of record.layers) {
    const found = readStoredLayer(store, diffId);
    if (found.kind === 'untrusted') throw untrustedLayerError(found.dir, found.why);
    if (found.kind === 'absent') missing.push(diffId);
    else layers.push(found.layer);
  }
  if (missing.length > 0) return { kind: 'incomplete', missing };
  return { kind: 'complete', image: { record, layers } };
}

/**
 * The image `id` if its record and every layer are stored and trusted;
 * undefined if anything is missing (or it is of the previous format).
 * Refuses, with one line, a record or layer it cannot trust.
 */
export function loadImage(store: StateRoot, id: string): LayeredImage | undefined {
  const stored = readStoredImage(store, id);
  if (stored.kind === 'untrusted') throw untrustedImageError(stored.dir, stored.why);
  if (stored.kind !== 'trusted') return undefined;
  const layers = recordLayers(store, stored.record);
  return layers.kind === 'complete' ? layers.image : undefined;
}
