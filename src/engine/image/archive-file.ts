/**
 * Checks the file given as an image before anything reads it: a regular,
 * non-empty file (a FIFO would block the read; a device has no size), and
 * not compressed as a whole by anything but gzip. Anything else gets one
 * line saying what it is and what to do.
 */
import { closeSync, fstatSync, openSync, readSync, statSync, type BigIntStats } from 'node:fs';
import { UserError, errnoCode } from '../errors.js';
import { IMAGE_OPEN_FLAGS } from './file-blocks.js';

const OTHER_COMPRESSIONS: [Buffer, string, string][] = [
  [Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), 'xz', 'xz -dk'],
  [Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), 'zstd', 'zstd -d'],
  [Buffer.from('BZh'), 'bzip2', 'bzip2 -dk'],
];

export interface ArchiveFile {
  path: string;
  size: number;
  gzip: boolean;
  /** The one stat taken of the file before it is read: the digest cache keys on it too. */
  stats: BigIntStats;
}

/** What a file that is not a regular one is, in a user's words. */
function kindOf(st: BigIntStats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Refuses anything but a regular file, before it is read: a FIFO would
 * block the read (a FIFO once hung the import, deaf to SIGTERM) and a
 * device has no size (/dev/urandom was called "empty"). A symlink given by
 * the user is theirs to give: it is followed, and what it names is checked.
 */
function requireRegularImage(path: string, st: BigIntStats): void {
  if (st.isFile()) return;
  if (st.isDirectory()) {
    throw new UserError(
      `image ${path} is a directory: give an OCI image layout directory or an image file`,
    );
  }
  throw new UserError(`image ${path} is ${kindOf(st)}: give a tarball file (plain or gzip)`);
}

/** Checks that path is a readable plain or gzip file; throws a UserError otherwise. */
export function inspectArchive(path: string): ArchiveFile {
  let stats: BigIntStats;
  const head = Buffer.alloc(6);
  let got = 0;
  try {
    requireRegularImage(path, statSync(path, { bigint: true }));
    // O_NONBLOCK, then fstat: had the path become a FIFO meanwhile, neither
    // the open nor anything after it blocks, and it is refused.
    const fd = openSync(path, IMAGE_OPEN_FLAGS);
    try {
      stats = fstatSync(fd, { bigint: true });
      requireRegularImage(path, stats);
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
  const size = Number(stats.size);
  if (size === 0) throw new UserError(`image ${path} is empty (0 bytes): it is not a tarball`);
  for (const [magic, name, fix] of OTHER_COMPRESSIONS) {
    if (got >= magic.length && head.subarray(0, magic.length).equals(magic)) {
      throw new UserError(
        `image ${path} is ${name}-compressed: decompress it first (${fix} ${path}) or use a plain or gzip tarball`,
      );
    }
  }
  return { path, size, gzip: got >= 2 && head[0] === 0x1f && head[1] === 0x8b, stats };
}
