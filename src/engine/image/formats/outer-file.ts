/**
 * What the path given is, from its content: a directory (an OCI layout),
 * a plain tar, or a gzip file. Other compressions (zstd, xz, bzip2) get one
 * line saying to decompress first.
 */
import { closeSync, openSync, readSync, statSync, constants, type Stats } from 'node:fs';
import { UserError, errnoCode } from '../../errors.js';
import { inspectArchive } from '../archive-file.js';

export type Outer = { kind: 'dir' } | { kind: 'tar' | 'gzip'; size: number };

const OTHER: [Buffer, string, string][] = [
  [Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), 'zstd', 'zstd -d'],
  [Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), 'xz', 'xz -dk'],
  [Buffer.from('BZh'), 'bzip2', 'bzip2 -dk'],
];

function statImage(path: string): Stats {
  try {
    return statSync(path);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT')
      throw new UserError(`image ${path} does not exist: check the path given`);
    if (code === 'EACCES') throw new UserError(`image ${path} cannot be read (permission denied)`);
    throw new UserError(`image ${path} cannot be read (${code ?? String(err)})`);
  }
}

export function outerForm(path: string): Outer {
  const st = statImage(path);
  if (st.isDirectory()) return { kind: 'dir' };
  // A FIFO, a device or an empty file: refused before it is read, saying what
  // it is (a FIFO would block the read; a device has no size).
  if (!st.isFile() || st.size === 0) inspectArchive(path);
  const head = Buffer.alloc(6);
  let got = 0;
  try {
    const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      got = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw new UserError(`image ${path} cannot be read (${errnoCode(err) ?? String(err)})`);
  }
  for (const [magic, name, fix] of OTHER) {
    if (got >= magic.length && head.subarray(0, magic.length).equals(magic))
      throw new UserError(
        `image ${path} is ${name}-compressed as a whole: decompress it first (${fix} ${path}), or give a plain or gzip file`,
      );
  }
  const gzip = got >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  return { kind: gzip ? 'gzip' : 'tar', size: st.size };
}
