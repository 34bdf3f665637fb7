/**
 * The xattrs a layer tar carries for an entry: all of them but overlayfs's
 * own (trusted.overlay.*, user.overlay.*), which describe the overlay, not
 * the file, and mean something else (or nothing) below another upper.
 * security.capability is kept: it is what makes `ping` work unprivileged.
 */
import { closeSync, constants, openSync } from 'node:fs';
import { getAttributeSync, listAttributesSync } from '@napi-rs/xattr';
import { fsPath, utf8Text } from '../../overlay/byte-path.js';

const OVERLAY_PRIVATE = /^(trusted|user)\.overlay\./;

/** True for an xattr a layer must not carry. */
export function isOverlayPrivate(name: string): boolean {
  return OVERLAY_PRIVATE.test(name);
}

function readAt(path: string): Map<string, Buffer> | undefined {
  let names: string[];
  try {
    names = listAttributesSync(path);
  } catch {
    return undefined; // no xattrs on this file system
  }
  let out: Map<string, Buffer> | undefined;
  for (const name of names.filter((n) => !isOverlayPrivate(n)).sort()) {
    const value = getAttributeSync(path, name);
    if (value === null) continue; // removed between list and get
    (out ??= new Map()).set(name, Buffer.from(value));
  }
  return out;
}

/**
 * The xattrs of the entry at abs (a byte string), without following a
 * symlink; undefined when it has none. The xattr package takes text paths:
 * a path that is not UTF-8 is reached through its directory's descriptor
 * (/proc/self/fd/N/NAME). `unreadable` is called when not even that names
 * it (a file whose own name is not UTF-8).
 */
export function tarXattrs(
  abs: string,
  unreadable: (abs: string) => void,
): Map<string, Buffer> | undefined {
  const text = utf8Text(abs);
  if (text !== undefined) return readAt(text);
  const slash = abs.lastIndexOf('/');
  const name = utf8Text(abs.slice(slash + 1));
  if (name === undefined) {
    unreadable(abs);
    return undefined;
  }
  const fd = openSync(
    fsPath(abs.slice(0, slash) || '/'),
    constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW,
  );
  try {
    return readAt(`/proc/self/fd/${fd}/${name}`);
  } finally {
    closeSync(fd);
  }
}
