/**
 * Archives whose headers hold bytes tar-stream will not write: a name that
 * is not UTF-8, a uid past 2^32, an mtime past what a file system keeps.
 * The test packs an ordinary archive with placeholder values, then this
 * rewrites header fields in place and fixes each checksum.
 */
import { makeTar, type TarEntry } from './tarballs.js';

/** Header fields by offset and length (ustar). */
const FIELDS = { name: [0, 100], uid: [108, 8], mtime: [136, 12], linkname: [157, 100] } as const;

export type Field = keyof typeof FIELDS;

/** A field's new raw bytes, for the member whose name (as packed) is `member`. */
export interface Patch {
  member: string;
  field: Field;
  bytes: Buffer;
}

function fixChecksum(tar: Buffer, off: number): void {
  tar.fill(0x20, off + 148, off + 156);
  let sum = 0;
  for (let b = off; b < off + 512; b++) sum += tar[b] ?? 0;
  tar.write(`${sum.toString(8).padStart(6, '0')}\0 `, off + 148, 'ascii');
}

function* headerOffsets(tar: Buffer): Generator<number> {
  for (let off = 0; off + 512 <= tar.length; ) {
    if (tar.subarray(off, off + 512).every((b) => b === 0)) return;
    yield off;
    const size = parseInt(tar.toString('ascii', off + 124, off + 136).replace(/\0.*$/, ''), 8) || 0;
    off += 512 + Math.ceil(size / 512) * 512;
  }
}

/** Rewrites the archive's headers as asked; throws if a member is not found. */
export function patchHeaders(tar: Buffer, patches: Patch[]): Buffer {
  const out = Buffer.from(tar);
  for (const p of patches) {
    let done = false;
    for (const off of headerOffsets(out)) {
      const name = out.toString('latin1', off, off + 100).replace(/\0.*$/s, '');
      if (name !== p.member) continue;
      const [at, len] = FIELDS[p.field];
      if (p.bytes.length > len) throw new Error(`${p.field} too long`);
      out.fill(0, off + at, off + at + len);
      p.bytes.copy(out, off + at);
      fixChecksum(out, off);
      done = true;
    }
    if (!done) throw new Error(`no member ${p.member}`);
  }
  return out;
}

/** makeTar, then patchHeaders. Placeholders must be ASCII names shorter than 100 bytes. */
export async function makePatchedTar(entries: TarEntry[], patches: Patch[]): Promise<Buffer> {
  return patchHeaders(await makeTar(entries), patches);
}

/** GNU base-256: the field's first byte 0x80, the value big-endian in the rest. */
export function base256(value: bigint, len: number): Buffer {
  const b = Buffer.alloc(len);
  let v = value;
  for (let i = len - 1; i > 0; i--) {
    b[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  b[0] = 0x80;
  return b;
}
