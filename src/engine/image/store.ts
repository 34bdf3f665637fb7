/**
 * The image store: each image is extracted once, into
 * images/<sha256>/lower, and never written again. An extraction goes into a
 * private temporary directory that is renamed into place only when it is
 * whole, so an interrupted or failed one never leaves a lower that a later
 * run trusts. Two processes importing the same image at once both extract;
 * the first rename wins and the other discards its copy.
 */
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { InterruptedError, UserError, errnoCode } from '../errors.js';
import { processRef } from '../proc.js';
import type { StateRoot } from '../state-root.js';
import { inspectArchive, openArchive } from './archive-file.js';
import { imageDigest } from './digest.js';
import { extractTar, UnsafeArchiveError } from './extract.js';
import { progressLine } from './progress.js';

export interface ImageRecord {
  digest: string;
  /** The file it was imported from (the first time). */
  source: string;
  entries: number;
  bytes: number;
  skipped: string[];
  importedAt: string;
}

export interface Image {
  record: ImageRecord;
  lower: string;
}

const TMP_PREFIX = '.tmp-';

function imageDir(store: StateRoot, digest: string): string {
  return join(store.images, digest);
}

function readRecord(dir: string): ImageRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'image.json'), 'utf8')) as ImageRecord;
  } catch {
    return undefined;
  }
}

function describeFailure(err: unknown): string {
  if (err instanceof UnsafeArchiveError) return `is unsafe: ${err.message}; nothing was imported`;
  const code = errnoCode(err);
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR')
    return 'is a corrupt or truncated gzip file';
  const message = err instanceof Error ? err.message : String(err);
  if (/before its first tar header/.test(message))
    return 'is not a tar archive (it ends before the first 512-byte tar header)';
  if (/unexpected end/i.test(message))
    return 'is truncated (the tar data ends in the middle of a member)';
  if (/invalid tar header|unknown format/i.test(message))
    return 'is not a tar archive (or it is corrupt)';
  if (/no entries/.test(message)) return 'is an empty tar archive (no entries)';
  return `could not be extracted: ${message}`;
}

export interface ImportOptions {
  signal?: AbortSignal;
  /** Called when the image is not in the store yet and extraction starts. */
  onExtract?: () => void;
}

/** The image's lower directory, extracting the file first if it is new. */
export async function ensureImage(
  store: StateRoot,
  file: string,
  opts: ImportOptions = {},
): Promise<Image> {
  const archive = inspectArchive(file);
  const digest = await imageDigest(file, join(store.images, '.sources'));
  const dir = imageDir(store, digest);
  const existing = readRecord(dir);
  if (existing && existsSync(join(dir, 'lower')))
    return { record: existing, lower: join(dir, 'lower') };

  opts.onExtract?.();
  // The pid in the name lets `clean` tell a live extraction from a dead one.
  const tmp = join(store.images, `${TMP_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`);
  const lower = join(tmp, 'lower');
  mkdirSync(lower, { recursive: true, mode: 0o700 });
  const progress = progressLine(basename(file), archive.size);
  let inputRead = 0;
  try {
    const input = openArchive(archive, (n) => (inputRead += n));
    const result = await extractTar(input, lower, {
      onProgress: (p) => progress.update(p, inputRead),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    progress.done();
    const record: ImageRecord = {
      digest,
      source: resolve(file),
      entries: result.entries,
      bytes: result.bytes,
      skipped: result.skipped,
      importedAt: new Date().toISOString(),
    };
    writeFileSync(join(tmp, 'image.json'), `${JSON.stringify(record, null, 2)}\n`);
    warnSkipped(file, result.skipped);
    try {
      renameSync(tmp, dir);
    } catch (err) {
      // Another process finished the same image first: use theirs.
      if (errnoCode(err) !== 'ENOTEMPTY' && errnoCode(err) !== 'EEXIST') throw err;
      rmSync(tmp, { recursive: true, force: true });
    }
    return { record: readRecord(dir) ?? record, lower: join(dir, 'lower') };
  } catch (err) {
    progress.done();
    rmSync(tmp, { recursive: true, force: true });
    if (opts.signal?.aborted)
      throw new InterruptedError(`import of ${file} interrupted; nothing was kept`);
    if (err instanceof UserError) throw err;
    throw new UserError(`image ${file} ${describeFailure(err)}`);
  }
}

function warnSkipped(file: string, skipped: string[]): void {
  if (skipped.length === 0) return;
  const shown = skipped.slice(0, 3).join(', ');
  const more = skipped.length > 3 ? ` and ${skipped.length - 3} more` : '';
  process.stderr.write(
    `overlay-tui: ${file}: skipped ${skipped.length} device node(s)/FIFO(s) (${shown}${more}); containers get their own /dev\n`,
  );
}

/** Every image in the store, newest first. */
export function listImages(store: StateRoot): Image[] {
  let names: string[];
  try {
    names = readdirSync(store.images);
  } catch {
    return [];
  }
  const images: Image[] = [];
  for (const name of names) {
    if (!/^[0-9a-f]{64}$/.test(name)) continue;
    const record = readRecord(join(store.images, name));
    if (record) images.push({ record, lower: join(store.images, name, 'lower') });
  }
  return images.sort((a, b) => b.record.importedAt.localeCompare(a.record.importedAt));
}

/** Removes extraction directories left by processes that died mid-import. */
export function removeStaleExtractions(store: StateRoot): string[] {
  const removed: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(store.images);
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = /^\.tmp-(\d+)-/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (processRef(pid) !== undefined) continue; // still extracting
    rmSync(join(store.images, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
