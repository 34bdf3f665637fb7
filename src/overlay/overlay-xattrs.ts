/**
 * The overlay xattrs by name, and turning raw xattr values into
 * OverlayXattrs. Pure: the caller reads the values (layer-scan.ts does,
 * with @napi-rs/xattr).
 */
import type { OverlayXattrs, XattrNamespace } from './layer-entry.js';

type Key = keyof OverlayXattrs;

/** The overlay xattrs the model reads, by their name after "<namespace>.overlay.". */
const OVERLAY_XATTR_KEYS: readonly Key[] = [
  'opaque',
  'redirect',
  'origin',
  'metacopy',
  'whiteout',
  'impure',
];

// Text values are shown as text; file handles and metacopy digests are binary.
const TEXT_KEYS = new Set<Key>(['opaque', 'redirect', 'impure']);

/** "trusted.overlay.origin" -> ['trusted', 'origin']; undefined for other xattrs. */
function overlayXattrName(name: string): [XattrNamespace, Key] | undefined {
  const m = /^(trusted|user)\.overlay\.([a-z]+)$/.exec(name);
  if (!m) return undefined;
  const key = m[2] as Key;
  return OVERLAY_XATTR_KEYS.includes(key) ? [m[1] as XattrNamespace, key] : undefined;
}

/**
 * Builds the overlay xattrs of one entry from the names listxattr gave and a
 * reader for their values. Undefined when there are none (most entries), so
 * a tree of 100,000 files carries no empty objects.
 */
export function parseOverlayXattrs(
  names: readonly string[],
  read: (name: string) => Uint8Array | null,
): Partial<Record<XattrNamespace, OverlayXattrs>> | undefined {
  let out: Partial<Record<XattrNamespace, OverlayXattrs>> | undefined;
  for (const name of names) {
    const parsed = overlayXattrName(name);
    if (!parsed) continue;
    const [ns, key] = parsed;
    const value = read(name);
    if (value === null) continue; // removed between list and get
    out ??= {};
    const attrs = (out[ns] ??= {});
    if (key === 'whiteout') attrs.whiteout = true;
    else attrs[key] = TEXT_KEYS.has(key) ? textValue(value) : hexValue(value);
  }
  return out;
}

// The kernel stores redirect without a terminating NUL; tolerate one. A
// redirect is a path: a byte string, as every path (byte-path.ts).
function textValue(v: Uint8Array): string {
  const s = Buffer.from(v).toString('latin1');
  return s.endsWith('\0') ? s.slice(0, -1) : s;
}

function hexValue(v: Uint8Array): string {
  return Buffer.from(v).toString('hex');
}
