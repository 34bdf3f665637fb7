/**
 * One import: the archive is read once, hashed (in a worker thread when it
 * is large, see hasher.ts) and extracted in the same pass, into a private
 * temporary directory under images/ (its name carries our pid and start
 * time, so a later start can tell a live import from a dead one); or, when the caller has read and
 * hashed it already, extracted from those bytes. The caller renames the
 * directory into place when it is whole.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { InterruptedError, UserError, errnoCode } from '../errors.js';
import { writeNewFile } from '../no-follow.js';
import type { StateRoot } from '../state-root.js';
import { openArchive, type ArchiveFile } from './archive-file.js';
import { extractTar, UnsafeArchiveError } from './extract.js';
import { InvalidHeaderError } from './tar-header.js';
import { TRUNCATED } from './tar-parser.js';
import { BlockPool } from './file-blocks.js';
import type { HashedFile } from './digest.js';
import { knownDigest, sha256Hasher } from './hasher.js';
import { progressLine } from './progress.js';
import { extractionDirName } from './stale-extractions.js';

export interface ImageRecord {
  digest: string;
  /** The file it was imported from (the first time). */
  source: string;
  /** Size of that file: only a file of the same size can have the same digest. */
  archiveSize: number;
  entries: number;
  bytes: number;
  skipped: string[];
  importedAt: string;
}

export interface ImportedTemp {
  /** images/.tmp-PID-START-XXXX (stale-extractions.ts), holding lower/ and image.json. */
  dir: string;
  record: ImageRecord;
}

function describeFailure(err: unknown): string {
  if (err instanceof UnsafeArchiveError) return `is unsafe: ${err.message}; nothing was imported`;
  const code = errnoCode(err);
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR')
    return 'is a corrupt or truncated gzip file';
  const message = err instanceof Error ? err.message : String(err);
  if (/before its first tar header/.test(message))
    return 'is not a tar archive (it ends before the first 512-byte tar header)';
  if (message === TRUNCATED) return 'is truncated (the tar data ends in the middle of a member)';
  if (err instanceof InvalidHeaderError) return 'is not a tar archive (or it is corrupt)';
  if (/no entries/.test(message)) return 'is an empty tar archive (no entries)';
  return `could not be extracted: ${message}`;
}

function warnSkipped(file: string, skipped: string[]): void {
  if (skipped.length === 0) return;
  const shown = skipped.slice(0, 3).join(', ');
  const more = skipped.length > 3 ? ` and ${skipped.length - 3} more` : '';
  // Each is "<kind> /path"; 'unknown' is what the parser calls GNU sparse files and other kinds.
  const devicesOnly = skipped.every((s) => !s.startsWith('unknown '));
  const what = devicesOnly
    ? 'device node(s)/FIFO(s)'
    : 'member(s) of kinds it does not make (device nodes, FIFOs, GNU sparse files, unknown types)';
  const why = devicesOnly ? '; containers get their own /dev' : '';
  process.stderr.write(
    `overlay-tui: ${file}: skipped ${skipped.length} ${what} (${shown}${more})${why}\n`,
  );
}

export async function importToTemp(
  store: StateRoot,
  archive: ArchiveFile,
  signal?: AbortSignal,
  held?: HashedFile,
): Promise<ImportedTemp> {
  const file = archive.path;
  const dir = join(store.images, extractionDirName());
  const lower = join(dir, 'lower');
  mkdirSync(dir, { mode: 0o700 });
  mkdirSync(lower, { mode: 0o700 });
  const progress = progressLine(basename(file), archive.size);
  const pool = new BlockPool();
  const hasher = held
    ? knownDigest(held.digest)
    : sha256Hasher(archive.size, (ab) => pool.give(ab));
  let inputRead = 0;
  try {
    const input = openArchive(
      archive,
      (block) => {
        inputRead += block.length; // before update(), which moves the block away
        hasher.update(block);
      },
      pool,
      held?.blocks,
    );
    const result = await extractTar(input, lower, {
      onProgress: (p) => progress.update(p, inputRead),
      ...(signal ? { signal } : {}),
    });
    const digest = await hasher.digest();
    progress.done();
    const record: ImageRecord = {
      digest,
      source: resolve(file),
      archiveSize: archive.size,
      entries: result.entries,
      bytes: result.bytes,
      skipped: result.skipped,
      importedAt: new Date().toISOString(),
    };
    writeNewFile(join(dir, 'image.json'), `${JSON.stringify(record, null, 2)}\n`, 0o644);
    warnSkipped(file, result.skipped);
    return { dir, record };
  } catch (err) {
    hasher.abandon();
    progress.done();
    rmSync(dir, { recursive: true, force: true });
    if (signal?.aborted)
      throw new InterruptedError(`import of ${file} interrupted; nothing was kept`);
    if (err instanceof UserError) throw err;
    throw new UserError(`image ${file} ${describeFailure(err)}`);
  }
}
