/**
 * Encoding tar headers: POSIX ustar blocks, with a pax extended header ('x')
 * in front when a field does not fit (a name or link target over 100 bytes,
 * an id or size too big for octal) or the member carries xattrs
 * (SCHILY.xattr.NAME, which Docker, containerd, podman and GNU tar read).
 * The decoder is ../image/tar-header.ts. Names and link targets are byte
 * strings (src/overlay/byte-path.ts): each char is written as its byte.
 * Pure: the caller writes the blocks.
 */
import { BLOCK } from '../image/tar-header.js';
import { utf8Text } from '../../overlay/byte-path.js';

export type TarKind = 'file' | 'link' | 'symlink' | 'char' | 'block' | 'dir' | 'fifo';

const FLAGS: Record<TarKind, string> = {
  file: '0',
  link: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
};

export interface TarMember {
  /** Byte string, relative ('etc/passwd'); directories end with '/'. */
  name: string;
  kind: TarKind;
  /** Permission bits with setuid, setgid and sticky. */
  mode: number;
  uid: number;
  gid: number;
  /** Bytes of data that follow (files only; 0 for the rest). */
  size: number;
  /** Whole seconds since the epoch. */
  mtime: number;
  /** Symlink target, or the member a hardlink names. Byte string. */
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  /** Xattrs other than overlay's own, by name, values as read. */
  xattrs?: ReadonlyMap<string, Buffer>;
}

// The largest value each octal field holds (its width less one for the NUL).
const MAX_ID = 0o7777777;
const MAX_SIZE = 0o77777777777;

function putString(block: Buffer, off: number, len: number, value: string): void {
  block.write(value.slice(0, len), off, len, 'latin1');
}

function putOctal(block: Buffer, off: number, len: number, value: number): void {
  // Zero-padded digits, then a NUL, as GNU tar and Go's archive/tar write them.
  block.write(`${value.toString(8).padStart(len - 1, '0')}\0`, off, len, 'latin1');
}

/** One ustar header block; fields that do not fit hold what fits (the pax header says the rest). */
function ustarBlock(m: TarMember, name: string, linkname: string, flag = FLAGS[m.kind]): Buffer {
  const block = Buffer.alloc(BLOCK);
  putString(block, 0, 100, name);
  putOctal(block, 100, 8, m.mode & 0o7777);
  putOctal(block, 108, 8, Math.min(m.uid, MAX_ID));
  putOctal(block, 116, 8, Math.min(m.gid, MAX_ID));
  putOctal(block, 124, 12, Math.min(m.size, MAX_SIZE));
  putOctal(block, 136, 12, Math.max(0, Math.min(m.mtime, MAX_SIZE)));
  block.fill(0x20, 148, 156); // the checksum counts its own field as spaces
  block.write(flag, 156, 1, 'latin1');
  putString(block, 157, 100, linkname);
  block.write('ustar\0', 257, 6, 'latin1');
  block.write('00', 263, 2, 'latin1');
  putOctal(block, 329, 8, m.devmajor ?? 0);
  putOctal(block, 337, 8, m.devminor ?? 0);
  let sum = 0;
  for (const b of block) sum += b;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return block;
}

/** "LEN KEY=VALUE\n", LEN counting the whole record, its own digits included. */
function paxRecord(key: string, value: Buffer): Buffer {
  const rest = 1 + Buffer.byteLength(key, 'latin1') + 1 + value.length + 1;
  let len = rest + String(rest).length;
  if (String(len).length !== String(len - rest).length) len = rest + String(len).length;
  return Buffer.concat([
    Buffer.from(`${len} ${key}=`, 'latin1'),
    value,
    Buffer.from('\n', 'latin1'),
  ]);
}

/** The pax records this member needs, in a fixed order (the same member gives the same bytes). */
function paxRecords(m: TarMember): Buffer[] {
  const out: Buffer[] = [];
  const binary =
    utf8Text(m.name) === undefined || (m.linkname !== undefined && !utf8Text(m.linkname));
  // The standard says pax strings are UTF-8; a name that is not says so.
  if (binary && (m.name.length > 100 || (m.linkname?.length ?? 0) > 100))
    out.push(paxRecord('hdrcharset', Buffer.from('BINARY')));
  if (m.name.length > 100) out.push(paxRecord('path', Buffer.from(m.name, 'latin1')));
  if (m.linkname !== undefined && m.linkname.length > 100)
    out.push(paxRecord('linkpath', Buffer.from(m.linkname, 'latin1')));
  if (m.uid > MAX_ID) out.push(paxRecord('uid', Buffer.from(String(m.uid))));
  if (m.gid > MAX_ID) out.push(paxRecord('gid', Buffer.from(String(m.gid))));
  if (m.size > MAX_SIZE) out.push(paxRecord('size', Buffer.from(String(m.size))));
  if (m.mtime < 0 || m.mtime > MAX_SIZE) out.push(paxRecord('mtime', Buffer.from(String(m.mtime))));
  for (const key of [...(m.xattrs?.keys() ?? [])].sort()) {
    const value = m.xattrs?.get(key) as Buffer;
    out.push(paxRecord(`SCHILY.xattr.${key}`, value));
  }
  return out;
}

/** Zero bytes that bring `size` bytes of data to a whole block. */
export function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

/** The two zero blocks that end an archive. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);

/** The header blocks of one member: a pax header and its records if needed, then the ustar block. */
export function encodeMember(m: TarMember): Buffer {
  const linkname = m.linkname ?? '';
  const records = paxRecords(m);
  const header = ustarBlock(m, m.name, linkname);
  if (records.length === 0) return header;
  const body = Buffer.concat(records);
  // The pax header's own name: what GNU tar would call it, cut to fit.
  const base = m.name.replace(/\/$/, '').split('/').pop() ?? '';
  const pax = ustarBlock(
    { name: '', kind: 'file', mode: 0o644, uid: 0, gid: 0, size: body.length, mtime: 0 },
    `PaxHeaders/${base}`.slice(0, 100),
    '',
    'x',
  );
  return Buffer.concat([pax, body, padding(body.length), header]);
}
