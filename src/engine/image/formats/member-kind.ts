/**
 * Is a tar an image archive or a root filesystem? Decided from its member
 * names, as they come: an image archive's top level holds only
 * manifest.json, repositories, oci-layout, index.json, blobs/, and
 * <64 hex> directories and files; the first member that is anything else
 * (bin/, etc/...) makes it a root filesystem, so a rootfs is known after
 * its first member or two. Legacy docker save writes its <hex>/ layer
 * directories before manifest.json: an image archive is only confirmed
 * once its whole index has been read.
 */

export type MemberKind = 'marker' | 'image' | 'other' | 'unsafe' | 'neutral';

const MARKERS = new Set(['manifest.json', 'repositories', 'oci-layout', 'index.json']);
const HEX_TOP = /^[0-9a-f]{64}(\.json|\.tar)?$/;

export function memberKind(raw: string): MemberKind {
  if (raw.startsWith('/') || raw.includes('\0')) return 'unsafe';
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return 'unsafe';
  const top = parts[0];
  if (top === undefined) return 'neutral'; // "./"
  if (parts.length === 1 && MARKERS.has(top)) return 'marker';
  if (top === 'blobs' || HEX_TOP.test(top)) return 'image';
  return 'other';
}

/** The name as a path inside the archive: "./" and empty components dropped (memberKind said it is safe). */
export function cleanName(raw: string): string {
  return raw
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/');
}
