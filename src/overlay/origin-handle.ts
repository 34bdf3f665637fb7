/**
 * Decoding overlay.origin: the file handle of the lower inode a file was
 * copied up from (struct ovl_fb in fs/overlayfs/overlayfs.h). Pure.
 *
 * The handle's contents belong to the lower file system. ext4 and xfs (with
 * 32-bit inodes) encode FILEID_INO32_GEN[_PARENT] with the inode number
 * first; tmpfs uses the same type number with the generation first, so the
 * inode number read here is a hint to be confirmed against the lower tree,
 * never proof.
 */

export interface OriginHandle {
  version: number;
  flags: number;
  /** The lower file system's handle type (1, 2: FILEID_INO32_GEN[_PARENT]). */
  fhType: number;
  uuid: string;
  /** The file system's own handle bytes, hex. */
  fid: string;
  /** The inode number, when fhType says it leads the handle. */
  ino?: number;
}

const OVL_FH_MAGIC = 0xfb;
const OVL_FH_FLAG_BIG_ENDIAN = 1 << 0;
const HEADER = 5 + 16; // version, magic, len, flags, type, uuid[16]

/** Undefined for '' ("copied up, origin unknown") and for anything that is not an ovl_fb. */
export function decodeOriginHandle(hex: string): OriginHandle | undefined {
  const b = Buffer.from(hex, 'hex');
  if (b.length < HEADER || b[1] !== OVL_FH_MAGIC) return undefined;
  const len = b[2] ?? 0;
  if (len < HEADER || len > b.length) return undefined;
  const handle: OriginHandle = {
    version: b[0] ?? 0,
    flags: b[3] ?? 0,
    fhType: b[4] ?? 0,
    uuid: b.subarray(5, HEADER).toString('hex'),
    fid: b.subarray(HEADER, len).toString('hex'),
  };
  if ((handle.fhType === 1 || handle.fhType === 2) && len >= HEADER + 4) {
    const big = (handle.flags & OVL_FH_FLAG_BIG_ENDIAN) !== 0;
    handle.ino = big ? b.readUInt32BE(HEADER) : b.readUInt32LE(HEADER);
  }
  return handle;
}
