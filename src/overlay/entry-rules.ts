/**
 * What an entry means to overlayfs: whiteout, opaque, redirect, metacopy,
 * origin. Pure predicates over LayerEntry, in the kernel's terms
 * (fs/overlayfs/namei.c, readdir.c), as measured on Linux 6.18.
 */
import type { LayerEntry, OverlayXattrs, XattrNamespace } from './layer-entry.js';

export function overlayXattrs(entry: LayerEntry, ns: XattrNamespace): OverlayXattrs | undefined {
  return entry.xattrs?.[ns];
}

/** A character device 0/0: what overlayfs writes for a deleted lower entry. */
export function isDeviceWhiteout(entry: LayerEntry): boolean {
  return entry.type === 'char' && entry.rdev?.major === 0 && entry.rdev.minor === 0;
}

/** A zero-size regular file with overlay.whiteout (the "xwhiteout" of Linux 6.7+). */
export function isXattrWhiteout(entry: LayerEntry, ns: XattrNamespace): boolean {
  return entry.type === 'file' && entry.size === 0 && overlayXattrs(entry, ns)?.whiteout === true;
}

/**
 * Whiteout as lookup sees it. Measured on 6.18: lookup treats an xattr
 * whiteout as a whiteout in any layer, upper included, whether or not its
 * directory is marked opaque=x (overlayfs.rst says lower layers, in an
 * "x" directory). readdir is stricter: see hiddenFromReaddir.
 */
export function isWhiteout(entry: LayerEntry, ns: XattrNamespace): boolean {
  return isDeviceWhiteout(entry) || isXattrWhiteout(entry, ns);
}

/**
 * Whether a merged directory's listing leaves this name out. A device
 * whiteout always; an xattr whiteout only in a lower directory marked
 * opaque=x. (Anything else lookup calls a whiteout is listed by readdir but
 * cannot be stat'ed: a "ghost" name.)
 */
export function hiddenFromReaddir(
  entry: LayerEntry,
  dir: LayerEntry,
  inUpper: boolean,
  ns: XattrNamespace,
): boolean {
  if (isDeviceWhiteout(entry)) return true;
  return !inUpper && opaqueValue(dir, ns) === 'x' && isXattrWhiteout(entry, ns);
}

export function opaqueValue(entry: LayerEntry, ns: XattrNamespace): string | undefined {
  return entry.type === 'dir' ? overlayXattrs(entry, ns)?.opaque : undefined;
}

/** opaque="y": the lower directories of the same name are not merged in. */
export function isOpaqueDir(entry: LayerEntry, ns: XattrNamespace): boolean {
  return opaqueValue(entry, ns) === 'y';
}

/** A regular file whose data is still in a lower layer (metacopy=on). */
export function isMetacopy(entry: LayerEntry, ns: XattrNamespace): boolean {
  return entry.type === 'file' && overlayXattrs(entry, ns)?.metacopy !== undefined;
}

/** Has the copy-up origin xattr (even an empty one: "copied up, origin unknown"). */
export function hasOrigin(entry: LayerEntry, ns: XattrNamespace): boolean {
  return overlayXattrs(entry, ns)?.origin !== undefined;
}

/**
 * The redirect the kernel would follow, or undefined if there is none or
 * the kernel would reject it (ovl_check_redirect): an absolute redirect
 * needs non-empty components, a relative one is a single name.
 */
export function validRedirect(entry: LayerEntry, ns: XattrNamespace): string | undefined {
  const r = overlayXattrs(entry, ns)?.redirect;
  if (!r) return undefined;
  if (r.startsWith('/')) return /^(\/[^/]+)+$/.test(r) ? r : undefined;
  return r.includes('/') ? undefined : r;
}
