/**
 * Writing image records: a new one is written whole in a private temporary
 * directory under images/ and renamed into place (a crash never leaves
 * half a record that a later run trusts; stale-extractions.ts removes the
 * leftovers); a stored one is rewritten (its tags) by an atomic rename of
 * a complete file over it.
 */
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { errnoCode } from '../errors.js';
import { writeNewFile } from '../no-follow.js';
import type { StateRoot } from '../state-root.js';
import type { ImageRecord } from './image-record.js';
import { extractionDirName } from './stale-extractions.js';
import { listStoredImages } from './stored-image.js';

const json = (record: ImageRecord): string => `${JSON.stringify(record, null, 2)}\n`;

/** Puts a new record in place; false if a record of that id was there already (kept as it is). */
export function placeImageRecord(
  store: StateRoot,
  record: ImageRecord,
  configBytes: Buffer,
): boolean {
  const temp = join(store.images, extractionDirName());
  mkdirSync(temp, { mode: 0o755 });
  try {
    writeNewFile(join(temp, 'config.json'), configBytes, 0o644);
    writeNewFile(join(temp, 'image.json'), json(record), 0o644);
    renameSync(temp, join(store.images, record.id));
    return true;
  } catch (err) {
    rmSync(temp, { recursive: true, force: true });
    if (['ENOTEMPTY', 'EEXIST', 'ENOTDIR'].includes(errnoCode(err) ?? '')) return false;
    throw err;
  }
}

function rewrite(store: StateRoot, record: ImageRecord): void {
  const file = join(store.images, record.id, 'image.json');
  const tmp = `${file}.${process.pid}.tmp`;
  rmSync(tmp, { force: true }); // left by an earlier process with our pid
  try {
    writeNewFile(tmp, json(record), 0o644);
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Gives `record` the tags `tags` too, taking them from any other image
 * that had them (as docker load moves a tag to the image loaded last).
 * Returns the record as stored.
 */
export function tagImage(
  store: StateRoot,
  record: ImageRecord,
  tags: readonly string[],
): ImageRecord {
  if (tags.length === 0) return record;
  const wanted = new Set(tags);
  for (const other of listStoredImages(store)) {
    if (other.kind !== 'trusted' || other.record.id === record.id) continue;
    if (!other.record.tags.some((t) => wanted.has(t))) continue;
    rewrite(store, { ...other.record, tags: other.record.tags.filter((t) => !wanted.has(t)) });
  }
  const missing = tags.filter((t) => !record.tags.includes(t));
  if (missing.length === 0) return record;
  const updated = { ...record, tags: [...record.tags, ...missing] };
  rewrite(store, updated);
  return updated;
}
