/**
 * Decoding one 512-byte tar header block, and the records of a pax
 * extended header. Strict where a wrong value would be written to disk (a
 * bad checksum, a non-octal digit, a negative size), lenient where tars in
 * the wild differ (space- or NUL-terminated numbers, v7 headers without the
 * ustar magic, the signed checksum of old tars).
 */

export const BLOCK = 512;

export type EntryType =
  | 'file'
  | 'link'
  | 'symlink'
  | 'character-device'
  | 'block-device'
  | 'directory'
  | 'fifo'
  | 'unknown';

export interface TarHeader {
  name: string;
  type: EntryType;
  /** The type flag as written ('0', 'L', 'x', 'S'...; '\0' for old files). */
  flag: string;
  mode: number;
  uid: number;
  gid: number;
  /** Bytes of data that follow the header (0 for directories and hardlinks). */
  size: number;
  /** Seconds since the epoch; fractional when a pax header gave nanoseconds. */
  mtime: number;
  linkname: string;
  devmajor: number;
  devminor: number;
  /** Extended attributes from the member's pax header, by name (a byte string); usually absent. */
  xattrs?: Map<string, Buffer>;
}

/** What a pax header ('x' for the next member, 'g' for all) may set. */
export interface Pax {
  path?: string;
  linkpath?: string;
  size?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  /** GNU.sparse.* keys: the member's data is a sparse map, not the file. */
  sparse?: boolean;
  /** GNU.sparse.name: a sparse file's real name (path is a made-up one). */
  sparseName?: string;
  /** SCHILY.xattr.NAME (raw value) and LIBARCHIVE.xattr.NAME (%-escaped name, base64 value). */
  xattrs?: Map<string, Buffer>;
}

/** A block that is not a tar header: the store reports "not a tar archive (or it is corrupt)". */
export class InvalidHeaderError extends Error {
  constructor(detail: string) {
    super(`Invalid tar header: ${detail}`);
    this.name = 'InvalidHeaderError';
  }
}

const TYPES: Record<string, EntryType> = {
  '\0': 'file',
  '0': 'file',
  '7': 'file', // contiguous file: a plain file everywhere but on old Masscomp systems
  '1': 'link',
  '2': 'symlink',
  '3': 'character-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
};

const SPACE = 0x20;
const USTAR = [0x75, 0x73, 0x74, 0x61, 0x72, 0]; // "ustar\0"

export function isZeroBlock(buf: Buffer, off: number): boolean {
  for (let i = off; i < off + BLOCK; i++) if (buf[i] !== 0) return false;
  return true;
}

/**
 * The field's bytes up to its first NUL, as a byte string (one char per
 * byte, see src/overlay/byte-path.ts): a name is bytes, and two names that
 * are not UTF-8 must not both decode to U+FFFD. Decoding the whole field
 * and cutting the string is cheaper than scanning bytes in JS on a first
 * run.
 */
function str(buf: Buffer, off: number, len: number): string {
  if (buf[off] === 0) return '';
  const s = buf.toString('latin1', off, off + len);
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

/**
 * A numeric field: octal digits, optionally after spaces and ended by a
 * NUL or space; or GNU's base-256 (first byte's top bit set, the next bit
 * the sign, big-endian two's complement) for values octal cannot hold.
 */
function num(buf: Buffer, off: number, len: number, what: string): number {
  const first = buf[off] ?? 0;
  const end = off + len;
  let value = 0;
  if (first & 0x80) {
    value = (first & 0x3f) - (first & 0x40 ? 0x40 : 0);
    for (let i = off + 1; i < end; i++) value = value * 256 + (buf[i] ?? 0);
    if (!Number.isSafeInteger(value)) throw new InvalidHeaderError(`${what} is out of range`);
    return value;
  }
  let i = off;
  while (i < end && buf[i] === SPACE) i++;
  for (; i < end; i++) {
    const c = buf[i] ?? 0;
    if (c === 0 || c === SPACE) break;
    if (c < 0x30 || c > 0x37) throw new InvalidHeaderError(`${what} is not an octal number`);
    value = value * 8 + (c - 0x30);
  }
  return value;
}

let words: Int32Array = new Int32Array(0);

/**
 * The unsigned byte sum of the block, four bytes at a time where the block
 * is 4-byte aligned (always, for blocks read from a file): a first import
 * runs this loop before the JIT has compiled it, and on the default image
 * the byte-at-a-time loop was a quarter of the parser's time. Each of the
 * two sums holds two 16-bit lanes (128 bytes of at most 255 each fit), and
 * stays below 2^31: no heap numbers in unoptimized code.
 */
function byteSum(buf: Buffer, off: number): number {
  const at = buf.byteOffset + off;
  if (at % 4 !== 0) {
    let sum = 0;
    for (let i = off; i < off + BLOCK; i++) sum += buf[i] ?? 0;
    return sum;
  }
  // One view per buffer, not one per header.
  if (words.buffer !== buf.buffer)
    words = new Int32Array(buf.buffer, 0, buf.buffer.byteLength >> 2);
  let even = 0;
  let odd = 0;
  for (let i = at >> 2, end = i + BLOCK / 4; i < end; i++) {
    const w = words[i] ?? 0;
    even += w & 0xff00ff;
    odd += (w >> 8) & 0xff00ff;
  }
  return (even & 0xffff) + (even >>> 16) + (odd & 0xffff) + (odd >>> 16);
}

function checksumMatches(buf: Buffer, off: number): boolean {
  const stored = num(buf, off + 148, 8, 'checksum');
  // The checksum field counts as eight spaces.
  let field = 0;
  let high = 0; // bytes > 127, for the signed sum of old tars
  for (let i = off + 148; i < off + 156; i++) field += buf[i] ?? 0;
  const unsigned = byteSum(buf, off) - field + 8 * SPACE;
  if (stored === unsigned) return true;
  for (let i = off; i < off + BLOCK; i++)
    if ((buf[i] ?? 0) > 127 && (i < off + 148 || i >= off + 156)) high++;
  return stored === unsigned - 256 * high;
}

function nonNegative(value: number, what: string): number {
  if (value < 0) throw new InvalidHeaderError(`${what} is negative`);
  return value;
}

/** POSIX magic at 257 (Buffer.compare's argument checks cost more than these six bytes). */
function isPosix(buf: Buffer, off: number): boolean {
  for (let i = 0; i < 6; i++) if (buf[off + 257 + i] !== USTAR[i]) return false;
  return true;
}

/** Decodes the header at buf[off..off+512], which must not be a zero block. */
export function decodeHeader(buf: Buffer, off: number): TarHeader {
  if (!checksumMatches(buf, off)) throw new InvalidHeaderError('bad checksum');
  const flag = String.fromCharCode(buf[off + 156] ?? 0);
  let name = str(buf, off, 100);
  // POSIX ustar ("ustar\0") splits long names into prefix/name. GNU tar's
  // own magic ("ustar  \0") uses that space for other fields, and v7
  // headers have no magic at all.
  const posix = isPosix(buf, off);
  if (posix && buf[off + 345] !== 0) name = `${str(buf, off + 345, 155)}/${name}`;
  const type = TYPES[flag] ?? 'unknown';
  // Only device nodes have device numbers (skipped, but reported as such).
  const device = type === 'character-device' || type === 'block-device';
  return {
    name,
    type,
    flag,
    mode: nonNegative(num(buf, off + 100, 8, 'mode'), 'mode'),
    uid: nonNegative(num(buf, off + 108, 8, 'uid'), 'uid'),
    gid: nonNegative(num(buf, off + 116, 8, 'gid'), 'gid'),
    size: nonNegative(num(buf, off + 124, 12, 'size'), 'size'),
    mtime: num(buf, off + 136, 12, 'mtime'),
    linkname: str(buf, off + 157, 100),
    devmajor: device ? num(buf, off + 329, 8, 'devmajor') : 0,
    devminor: device ? num(buf, off + 337, 8, 'devminor') : 0,
  };
}

function paxInt(value: string, key: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n))
    throw new InvalidHeaderError(`pax ${key}=${value} is not a number`);
  return n;
}

const SCHILY_XATTR = 'SCHILY.xattr.';
const LIBARCHIVE_XATTR = 'LIBARCHIVE.xattr.';

/** libarchive %-escapes bytes of an xattr name that a pax keyword cannot hold ('=', '%', controls). */
function unescapeXattrName(escaped: string): string {
  return escaped.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
}

/**
 * An xattr record. GNU tar and Go's archive/tar (Docker, podman) write
 * SCHILY.xattr.NAME=<raw bytes>; bsdtar writes LIBARCHIVE.xattr.NAME too,
 * with the value in base64. When both name one xattr, the raw one wins.
 * An empty value is an xattr with an empty value, not an unset keyword.
 */
function applyXattr(pax: Pax, key: string, value: string): boolean {
  let name: string;
  let bytes: Buffer;
  if (key.startsWith(SCHILY_XATTR)) {
    name = key.slice(SCHILY_XATTR.length);
    bytes = Buffer.from(value, 'latin1');
  } else if (key.startsWith(LIBARCHIVE_XATTR)) {
    name = unescapeXattrName(key.slice(LIBARCHIVE_XATTR.length));
    if (pax.xattrs?.has(name)) return true;
    bytes = Buffer.from(value, 'base64');
  } else return false;
  if (name === '') throw new InvalidHeaderError(`pax ${key} names no extended attribute`);
  (pax.xattrs ??= new Map()).set(name, bytes);
  return true;
}

function applyPax(pax: Pax, key: string, value: string): void {
  if (applyXattr(pax, key, value)) return;
  // An empty value unsets a keyword: the header's own field applies.
  if (value === '') return;
  if (key === 'path') pax.path = value;
  else if (key === 'linkpath') pax.linkpath = value;
  else if (key === 'size' || key === 'uid' || key === 'gid') pax[key] = paxInt(value, key);
  else if (key === 'mtime') {
    if (!/^-?\d+(\.\d+)?$/.test(value))
      throw new InvalidHeaderError(`pax mtime=${value} is not a time`);
    pax.mtime = Number(value);
  } else if (key.startsWith('GNU.sparse.')) {
    pax.sparse = true;
    if (key === 'GNU.sparse.name') pax.sparseName = value;
  }
  // Other keywords (atime, uname...) are not kept.
}

/**
 * "LEN KEY=VALUE\n" records, where LEN counts the whole record. Values are
 * kept as byte strings: a path is UTF-8 by the standard (or raw bytes with
 * hdrcharset=BINARY), and either way its bytes are the name on disk.
 */
export function parsePax(body: Buffer): Pax {
  const pax: Pax = {};
  let pos = 0;
  while (pos < body.length && body[pos] !== 0) {
    const space = body.indexOf(SPACE, pos);
    const lenText = space < 0 ? '' : body.toString('latin1', pos, space);
    const end = pos + Number(lenText);
    const eq = body.indexOf(0x3d, space + 1);
    if (!/^\d{1,9}$/.test(lenText) || end > body.length || end <= space + 1)
      throw new InvalidHeaderError('malformed pax record length');
    if (body[end - 1] !== 0x0a || eq < 0 || eq >= end)
      throw new InvalidHeaderError('malformed pax record');
    applyPax(pax, body.toString('latin1', space + 1, eq), body.toString('latin1', eq + 1, end - 1));
    pos = end;
  }
  return pax;
}
