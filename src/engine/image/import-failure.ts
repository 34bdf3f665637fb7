/**
 * What went wrong with a layer's extraction, in a user's words, and the
 * one line that names the layer: "layer 3/7 (RUN echo hi) of FILE: ...". A
 * flat rootfs tarball is its own single layer: its line names the file
 * only, as before layers ("image FILE is truncated ...").
 */
import { errnoCode, InterruptedError, UserError } from '../errors.js';
import { OddMemberError, UnsafeArchiveError } from './extract.js';
import { LayerBlobError } from './blob-decompress.js';
import { LayerDigestError } from './layer-extract.js';
import { InvalidHeaderError } from './tar-header.js';
import { TRUNCATED } from './tar-parser.js';

/** "is unsafe: ...", "is truncated (...)": what follows the thing's name. */
export function describeFailure(err: unknown): string {
  if (err instanceof UnsafeArchiveError) return `is unsafe: ${err.message}; nothing was imported`;
  if (err instanceof OddMemberError)
    return `cannot be imported: ${err.message}; nothing was imported`;
  // "its gzip data is corrupt (...)", "its blob is xz-compressed, ...": said of the file.
  if (err instanceof LayerBlobError) {
    return err.message
      .replace(/^its (\w+) data is corrupt/, 'is a corrupt or truncated $1 file')
      .replace(/^its blob is /, 'is ');
  }
  if (err instanceof LayerDigestError)
    return `is not what it claims: ${err.message}; nothing was imported`;
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

export interface LayerPlace {
  /** The archive, as the user named it. */
  file: string;
  /** 1-based, bottom first. */
  index: number;
  count: number;
  /** created_by trimmed ('' when the history says nothing). */
  label: string;
  /** A flat rootfs: the file is the layer. */
  rootfs: boolean;
}

/** "layer 3/7 (RUN echo hi >> /etc/passwd)" */
export function layerName(p: LayerPlace): string {
  return `layer ${p.index}/${p.count}${p.label ? ` (${p.label})` : ''}`;
}

/** The one line for a layer that failed; an interrupt stays an interrupt. */
export function layerFailure(err: unknown, p: LayerPlace, signal?: AbortSignal): UserError {
  if (signal?.aborted)
    return new InterruptedError(`import of ${p.file} interrupted; nothing was kept`);
  if (err instanceof UserError) return err;
  const what = describeFailure(err);
  return new UserError(
    p.rootfs ? `image ${p.file} ${what}` : `${layerName(p)} of ${p.file}: it ${what}`,
  );
}
