/**
 * Digests as archives write them ('sha256:<64 hex>'). A digest names a blob
 * file (blobs/sha256/<hex>), so one that is anything else is refused
 * before it comes near a path.
 */

const SHA256 = /^sha256:([0-9a-f]{64})$/;
export const HEX64 = /^[0-9a-f]{64}$/;

/** The hex of a 'sha256:<64 hex>' digest, or undefined for anything else. */
export function sha256Hex(value: unknown): string | undefined {
  return typeof value === 'string' ? SHA256.exec(value)?.[1] : undefined;
}

/** The blob file a sha256 hex names, inside an OCI layout. */
export function blobPath(hex: string): string {
  if (!HEX64.test(hex)) throw new Error(`not a sha256 hex: ${hex}`);
  return `blobs/sha256/${hex}`;
}
