/**
 * A push parser for tar archives: fed chunks of any size, it reports each
 * member's header, then its data as slices of the chunk it came in, then the
 * member's end. Everything is synchronous, so the caller can write a file's
 * data straight from the read buffer, with no per-chunk promise or copy.
 *
 * Formats: ustar, GNU (long names 'L' and long links 'K', base-256 numbers)
 * and pax ('x' per member; 'g' global for uid, gid and mtime). The rules
 * follow GNU tar, the tool our extraction is compared with: a directory's
 * or a hardlink's size field carries no data, every other member's data is
 * skipped when it is not wanted, and the first zero block ends the archive.
 * Header fields are decoded in tar-header.ts.
 */
import {
  BLOCK,
  decodeHeader,
  isZeroBlock,
  parsePax,
  InvalidHeaderError,
  type Pax,
  type TarHeader,
} from './tar-header.js';

export { InvalidHeaderError, type EntryType, type TarHeader } from './tar-header.js';

export interface TarHandler {
  /** A member starts; `data` calls follow for its `size` bytes, then `end`. */
  entry(header: TarHeader): void;
  /** Part of the member's data: a view of the pushed chunk, valid only during the call. */
  data(slice: Buffer): void;
  end(): void;
}

/** Long names and pax records are kept in memory: a hostile size must not exhaust it. */
const MAX_META = 1 << 20;

/** The message the store names "truncated". */
export const TRUNCATED = 'Unexpected end of data';

export class TarParser {
  /** A header split across pushes collects here. */
  private readonly block = Buffer.alloc(BLOCK);
  private blockFill = 0;
  /** Data bytes left in the current member, and padding after it. */
  private remaining = 0;
  private padding = 0;
  /** The body of an 'L', 'K', 'x' or 'g' member being collected. */
  private meta: { flag: string; body: Buffer; fill: number } | undefined;
  private longName: string | undefined;
  private longLink: string | undefined;
  private pax: Pax | undefined;
  private globalPax: Pax = {};
  /** An old GNU sparse member's extension blocks come next, then its data. */
  private sparseBlocks: { size: number } | undefined;
  private headers = 0;
  private ended = false;

  constructor(private readonly handler: TarHandler) {}

  /** Parses as much as `chunk` holds; throws on a corrupt header or what the handler throws. */
  push(chunk: Buffer): void {
    let pos = 0;
    const len = chunk.length;
    while (pos < len && !this.ended) {
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, len - pos);
        this.body(chunk.subarray(pos, pos + n));
        pos += n;
        this.remaining -= n;
        if (this.remaining === 0) this.memberDone();
      } else if (this.padding > 0) {
        const n = Math.min(this.padding, len - pos);
        pos += n;
        this.padding -= n;
      } else if (this.blockFill === 0 && len - pos >= BLOCK) {
        // The usual case: a whole header inside the chunk, read in place.
        this.header(chunk, pos);
        pos += BLOCK;
      } else {
        const n = Math.min(BLOCK - this.blockFill, len - pos);
        chunk.copy(this.block, this.blockFill, pos, pos + n);
        this.blockFill += n;
        pos += n;
        if (this.blockFill === BLOCK) {
          this.blockFill = 0;
          this.header(this.block, 0);
        }
      }
    }
  }

  /**
   * The input is over. An archive may end without its zero blocks (GNU tar
   * accepts that), but not inside a header, a member, its padding, or
   * between a long-name/pax header and the member it describes.
   */
  finish(): void {
    if (this.ended) return;
    if (this.headers === 0 && this.blockFill > 0)
      throw new Error('the file ends before its first tar header');
    const pending = this.longName ?? this.longLink ?? this.pax ?? this.meta ?? this.sparseBlocks;
    if (this.blockFill > 0 || this.remaining > 0 || this.padding > 0 || pending !== undefined)
      throw new Error(TRUNCATED);
  }

  private header(buf: Buffer, off: number): void {
    this.headers++;
    if (this.sparseBlocks) {
      // Each holds more of the sparse map, and says whether another follows.
      if (buf[off + 504] === 0) {
        this.startData(this.sparseBlocks.size);
        this.sparseBlocks = undefined;
      }
      return;
    }
    if (isZeroBlock(buf, off)) {
      this.ended = true;
      return;
    }
    const h = decodeHeader(buf, off);
    if (h.flag === 'L' || h.flag === 'K' || h.flag === 'x' || h.flag === 'g') {
      if (h.size > MAX_META)
        throw new InvalidHeaderError(`a '${h.flag}' header of ${h.size} bytes (limit ${MAX_META})`);
      this.meta = { flag: h.flag, body: Buffer.alloc(h.size), fill: 0 };
      this.startData(h.size);
      return;
    }
    const g = this.globalPax;
    const p = this.pax;
    if (g.uid !== undefined) h.uid = g.uid;
    if (g.gid !== undefined) h.gid = g.gid;
    if (g.mtime !== undefined) h.mtime = g.mtime;
    if (this.longName !== undefined) h.name = this.longName;
    if (this.longLink !== undefined) h.linkname = this.longLink;
    if (p) {
      if (p.path !== undefined) h.name = p.path;
      if (p.linkpath !== undefined) h.linkname = p.linkpath;
      if (p.size !== undefined) h.size = p.size;
      if (p.uid !== undefined) h.uid = p.uid;
      if (p.gid !== undefined) h.gid = p.gid;
      if (p.mtime !== undefined) h.mtime = p.mtime;
      // GNU pax sparse files: the data is a map plus fragments, not the file.
      if (p.sparse) h.type = 'unknown';
      if (p.sparseName !== undefined) h.name = p.sparseName;
      if (p.xattrs !== undefined) h.xattrs = p.xattrs;
    }
    this.longName = this.longLink = this.pax = undefined;
    // Old tars mark a directory only by the trailing slash (GNU tar agrees).
    if (h.type === 'file' && h.name.endsWith('/')) h.type = 'directory';
    // As GNU tar: a directory's or hardlink's size is no data that follows.
    if (h.type === 'directory' || h.type === 'link') h.size = 0;
    this.handler.entry(h);
    // An old GNU sparse header ('S') whose map did not fit: extension blocks
    // (not counted in the size) come before the data.
    if (h.flag === 'S' && buf[off + 482] !== 0) this.sparseBlocks = { size: h.size };
    else this.startData(h.size);
  }

  private startData(size: number): void {
    this.remaining = size;
    this.padding = (BLOCK - (size % BLOCK)) % BLOCK;
    if (size === 0) this.memberDone();
  }

  private body(slice: Buffer): void {
    const meta = this.meta;
    if (meta === undefined) {
      this.handler.data(slice);
      return;
    }
    slice.copy(meta.body, meta.fill);
    meta.fill += slice.length;
  }

  private memberDone(): void {
    const meta = this.meta;
    if (meta === undefined) {
      this.handler.end();
      return;
    }
    this.meta = undefined;
    const { flag, body } = meta;
    if (flag === 'L' || flag === 'K') {
      const nul = body.indexOf(0);
      const name = body.toString('latin1', 0, nul < 0 ? body.length : nul); // bytes, as str() in tar-header.ts
      if (flag === 'L') this.longName = name;
      else this.longLink = name;
    } else if (flag === 'x') {
      this.pax = { ...this.pax, ...parsePax(body) };
    } else {
      // Global: a path, link or size for every member would make no sense.
      const { uid, gid, mtime } = parsePax(body);
      this.globalPax = {
        ...this.globalPax,
        ...(uid !== undefined ? { uid } : {}),
        ...(gid !== undefined ? { gid } : {}),
        ...(mtime !== undefined ? { mtime } : {}),
      };
    }
  }
}
