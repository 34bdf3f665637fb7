/**
 * A byte range of a file as chunks: a member of a tar archive, or a whole
 * blob file. Each chunk is a fresh buffer the consumer may keep.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

const CHUNK = 1 << 20;

export interface RangeOptions {
  /** Refuse a symlink as the last component (files inside an OCI layout). */
  noFollow?: boolean;
  /** Called when the file holds fewer bytes than the range: the error to throw. */
  short: () => Error;
}

export async function* readRange(
  path: string,
  start: number,
  length: number,
  opts: RangeOptions,
): AsyncGenerator<Buffer> {
  const flags =
    constants.O_RDONLY | constants.O_NONBLOCK | (opts.noFollow ? constants.O_NOFOLLOW : 0);
  const fh = await open(path, flags);
  try {
    if (!(await fh.stat()).isFile()) throw opts.short();
    let pos = start;
    let left = length;
    while (left > 0) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, left));
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) throw opts.short();
      pos += bytesRead;
      left -= bytesRead;
      yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}
