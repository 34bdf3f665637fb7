/**
 * Where a tar is written: a file descriptor, with the sha256 and the byte
 * count of everything written (a layer's diff_id and size, a blob's digest).
 * Synchronous: a commit reads a frozen container, and nothing else waits on
 * this process meanwhile.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { createHash, type Hash } from 'node:crypto';
import { encodeMember, END_OF_ARCHIVE, padding, type TarMember } from './tar-encode.js';

const CHUNK = 1 << 20;

export class TarSink {
  private readonly hash: Hash = createHash('sha256');
  bytes = 0;

  constructor(private readonly fd: number) {}

  write(buf: Buffer): void {
    for (let off = 0; off < buf.length; ) off += writeSync(this.fd, buf, off, buf.length - off);
    this.hash.update(buf);
    this.bytes += buf.length;
  }

  /** A member without data (a directory, a link, a whiteout). */
  member(m: TarMember): void {
    this.write(encodeMember(m));
  }

  /**
   * A member whose data is read from fd (m.size bytes). A file that no
   * longer holds them (it changed while it was read) is an error: the
   * header already promised that many bytes.
   */
  memberFromFd(m: TarMember, fd: number, what: string): void {
    this.write(encodeMember(m));
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(m.size, 1)));
    let left = m.size;
    let pos = 0;
    while (left > 0) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, left), pos);
      if (n === 0) throw new Error(`${what} became shorter while it was read`);
      this.write(buf.subarray(0, n));
      left -= n;
      pos += n;
    }
    this.write(padding(m.size));
  }

  /** A member whose data is a buffer held in memory (a manifest, a config). */
  memberWithData(m: Omit<TarMember, 'size'>, data: Buffer): void {
    this.write(encodeMember({ ...m, size: data.length }));
    this.write(data);
    this.write(padding(data.length));
  }

  /** A member whose data is a whole file (a layer blob), opened by path. */
  memberFromFile(m: Omit<TarMember, 'size'>, path: string): void {
    const fd = openSync(path, 'r');
    try {
      this.memberFromFd({ ...m, size: fstatSync(fd).size }, fd, path);
    } finally {
      closeSync(fd);
    }
  }

  end(): void {
    this.write(END_OF_ARCHIVE);
  }

  /** 'sha256:<hex>' of everything written. */
  digest(): string {
    return `sha256:${this.hash.digest('hex')}`;
  }
}
