/**
 * A minimal ustar writer for the generated benchmark tarball. Written by
 * hand rather than with tar-stream's pack so the bytes depend on nothing
 * but this file (same version string, same tarball, on any Node), and so
 * it can write synchronously to a file without buffering 200 MB.
 */
import { writeSync } from 'node:fs';

export type UstarType = 'file' | 'hardlink' | 'symlink' | 'dir';

export interface UstarHeader {
  /** Relative, no leading `/`; a directory without the trailing `/` (added here). */
  name: string;
  type: UstarType;
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch. */
  mtime: number;
  size?: number;
  linkname?: string;
}

const BLOCK = 512;
const TYPEFLAG: Record<UstarType, string> = { file: '0', hardlink: '1', symlink: '2', dir: '5' };

function put(buf: Buffer, offset: number, length: number, value: string): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > length) throw new Error(`ustar field too long: ${value}`);
  bytes.copy(buf, offset);
}

/** An octal field: digits, zero-padded, then NUL. */
function octal(buf: Buffer, offset: number, length: number, value: number): void {
  put(buf, offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
}

/** Splits a long name at a `/` into ustar's prefix (≤155) and name (≤100). */
function splitName(name: string): [string, string] {
  if (Buffer.byteLength(name) <= 100) return ['', name];
  for (let i = name.indexOf('/'); i !== -1; i = name.indexOf('/', i + 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100) return [prefix, rest];
  }
  throw new Error(`name too long for ustar: ${name}`);
}

export function encodeHeader(h: UstarHeader): Buffer {
  const buf = Buffer.alloc(BLOCK);
  const [prefix, name] = splitName(h.type === 'dir' ? `${h.name}/` : h.name);
  put(buf, 0, 100, name);
  octal(buf, 100, 8, h.mode);
  octal(buf, 108, 8, h.uid);
  octal(buf, 116, 8, h.gid);
  octal(buf, 124, 12, h.type === 'file' ? (h.size ?? 0) : 0);
  octal(buf, 136, 12, h.mtime);
  put(buf, 156, 1, TYPEFLAG[h.type]);
  put(buf, 157, 100, h.linkname ?? '');
  put(buf, 257, 6, 'ustar\0');
  put(buf, 263, 2, '00');
  put(buf, 265, 32, h.uid === 0 ? 'root' : '');
  put(buf, 297, 32, h.gid === 0 ? 'root' : '');
  put(buf, 345, 155, prefix);
  // The checksum is computed with its own field read as eight spaces.
  buf.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of buf) sum += byte;
  put(buf, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return buf;
}

/** Appends to an open file descriptor: header, data, padding to a block. */
export class UstarWriter {
  bytes = 0;
  constructor(
    private readonly fd: number,
    private readonly onData?: (buf: Buffer) => void,
  ) {}

  private write(buf: Buffer): void {
    this.onData?.(buf);
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off);
    this.bytes += buf.length;
  }

  entry(h: UstarHeader, data?: Buffer): void {
    this.write(encodeHeader(h));
    if (h.type !== 'file' || !data || data.length === 0) return;
    this.write(data);
    const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
    if (pad > 0) this.write(Buffer.alloc(pad));
  }

  /** Two zero blocks end the archive. */
  end(): void {
    this.write(Buffer.alloc(2 * BLOCK));
  }
}
