/**
 * Opens an image file as a tar stream: plain or gzip, detected by its magic
 * bytes. Anything else gets one line saying what it is and what to do.
 */
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { Transform, type Readable } from 'node:stream';
import { UserError, errnoCode } from '../errors.js';

const OTHER_COMPRESSIONS: [Buffer, string, string][] = [
  [Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), 'xz', 'xz -dk'],
  [Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), 'zstd', 'zstd -d'],
  [Buffer.from('BZh'), 'bzip2', 'bzip2 -dk'],
];

export interface ArchiveFile {
  path: string;
  size: number;
  gzip: boolean;
}

/** Checks that path is a readable plain or gzip file; throws a UserError otherwise. */
export function inspectArchive(path: string): ArchiveFile {
  let size: number;
  const head = Buffer.alloc(6);
  let got = 0;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new UserError(`image ${path} is a directory, not a tarball`);
    size = st.size;
    const fd = openSync(path, 'r');
    try {
      got = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = errnoCode(err);
    if (code === 'ENOENT')
      throw new UserError(`image ${path} does not exist: check the path given to --image`);
    if (code === 'EACCES') throw new UserError(`image ${path} cannot be read (permission denied)`);
    throw new UserError(`image ${path} cannot be read (${code ?? String(err)})`);
  }
  if (size === 0) throw new UserError(`image ${path} is empty (0 bytes): it is not a tarball`);
  for (const [magic, name, fix] of OTHER_COMPRESSIONS) {
    if (got >= magic.length && head.subarray(0, magic.length).equals(magic)) {
      throw new UserError(
        `image ${path} is ${name}-compressed: decompress it first (${fix} ${path}) or use a plain or gzip tarball`,
      );
    }
  }
  return { path, size, gzip: got >= 2 && head[0] === 0x1f && head[1] === 0x8b };
}

/** The decompressed tar stream; onRead sees every byte read from the file (to hash it, and for progress). */
export function openArchive(file: ArchiveFile, onRead?: (chunk: Buffer) => void): Readable {
  const raw = createReadStream(file.path, { highWaterMark: 1 << 20 });
  // Counting in a transform, not a 'data' listener: that would start the
  // flow before anyone consumes it, and lose data.
  const counted = onRead
    ? raw.pipe(
        new Transform({
          transform(chunk: Buffer, _enc, done) {
            onRead(chunk);
            done(null, chunk);
          },
        }),
      )
    : raw;
  const out = file.gzip ? counted.pipe(createGunzip()) : counted;
  if (out !== raw) {
    raw.on('error', (err) => out.destroy(err));
    out.on('close', () => raw.destroy()); // a consumer that stops early frees the file too
  }
  return out;
}
