/**
 * The members of a plain tar file, read header by header: each member's
 * data is skipped by seeking, never read, so walking a multi-gigabyte image
 * archive costs a read per member. Long names (GNU 'L'/'K') and pax 'x'
 * records are applied as tar-parser.ts applies them.
 */
import { closeSync, fstatSync, openSync, readSync, constants } from 'node:fs';
import {
  BLOCK,
  decodeHeader,
  InvalidHeaderError,
  isZeroBlock,
  parsePax,
  type EntryType,
} from '../tar-header.js';

export interface WalkedMember {
  /** As the header (or a long name / pax record) gives it: a byte string. */
  name: string;
  type: EntryType;
  linkname: string;
  size: number;
  /** Where the member's data starts in the file. */
  offset: number;
}

/** Long names and pax records are read into memory: a hostile size must not exhaust it. */
const MAX_META = 1 << 20;

export class TarWalkError extends Error {}

function readAt(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  if (got < length) throw new TarWalkError('is truncated (it ends inside a tar member)');
  return buf;
}

/**
 * Yields each member in order; stops at the first zero block or the end of
 * the file. The caller may stop early (the file is closed either way).
 */
export function* walkTar(path: string): Generator<WalkedMember> {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const fileSize = fstatSync(fd).size;
    let pos = 0;
    let longName: string | undefined;
    let longLink: string | undefined;
    let pax: ReturnType<typeof parsePax> | undefined;
    let headers = 0;
    while (pos + BLOCK <= fileSize) {
      const block = readAt(fd, BLOCK, pos);
      if (isZeroBlock(block, 0)) return;
      let h;
      try {
        h = decodeHeader(block, 0);
      } catch (err) {
        if (err instanceof InvalidHeaderError)
          throw new TarWalkError(
            headers === 0
              ? 'is not a tar archive'
              : `has a corrupt tar header at byte ${pos} (${err.message})`,
          );
        throw err;
      }
      headers++;
      pos += BLOCK;
      const padded = Math.ceil(h.size / BLOCK) * BLOCK;
      if (h.flag === 'L' || h.flag === 'K' || h.flag === 'x' || h.flag === 'g') {
        if (h.size > MAX_META)
          throw new TarWalkError(
            `has a '${h.flag}' tar header of ${h.size} bytes (limit ${MAX_META})`,
          );
        const body = readAt(fd, h.size, pos);
        pos += padded;
        if (h.flag === 'x') pax = { ...pax, ...parsePax(body) };
        else if (h.flag !== 'g') {
          const nul = body.indexOf(0);
          const text = body.toString('latin1', 0, nul < 0 ? body.length : nul);
          if (h.flag === 'L') longName = text;
          else longLink = text;
        }
        continue;
      }
      let { name, linkname, size, type } = h;
      if (longName !== undefined) name = longName;
      if (longLink !== undefined) linkname = longLink;
      if (pax?.path !== undefined) name = pax.path;
      if (pax?.linkpath !== undefined) linkname = pax.linkpath;
      if (pax?.size !== undefined) size = pax.size;
      if (pax?.sparse) type = 'unknown';
      longName = longLink = pax = undefined;
      if (type === 'file' && name.endsWith('/')) type = 'directory';
      // As GNU tar: a directory's or hardlink's size is no data that follows.
      const dataSize = type === 'directory' || type === 'link' ? 0 : size;
      if (pos + dataSize > fileSize)
        throw new TarWalkError('is truncated (it ends inside a tar member)');
      yield { name, type, linkname, size: dataSize, offset: pos };
      pos += Math.ceil(dataSize / BLOCK) * BLOCK;
    }
    if (headers === 0)
      throw new TarWalkError(fileSize === 0 ? 'is empty (0 bytes)' : 'is not a tar archive');
  } finally {
    closeSync(fd);
  }
}
