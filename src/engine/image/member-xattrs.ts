/**
 * A member's extended attributes (pax SCHILY.xattr / LIBARCHIVE.xattr), set
 * on what the extraction made: file capabilities (security.capability),
 * ACLs, SELinux labels, user.* attributes.
 *
 * Never overlayfs's own: trusted.overlay.* and user.overlay.* (with
 * userxattr) redirect, metacopy, opaque and whiteout xattrs would let an
 * archive plant what only the kernel or a `.wh..wh..opq` member may say;
 * they are dropped and reported.
 *
 * @napi-rs/xattr calls lsetxattr: a symlink at the end of the path is not
 * followed (and every directory above it is one the extraction made). It
 * takes paths and names as text, so a path that is not UTF-8 is reached
 * through a descriptor (see xattrPath).
 */
import { closeSync, constants, linkSync, openSync, unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { setAttributeSync } from '@napi-rs/xattr';
import { fsPath, utf8Text } from '../../overlay/byte-path.js';
import { printablePath } from '../../overlay/printable-path.js';
import { OddMemberError } from './member-errors.js';

export type Xattrs = readonly (readonly [name: string, value: Buffer])[];

const OVERLAY_PRIVATE = /^(trusted|user)\.overlay\./;

/** Nearly every member's: no object made per member. */
const NONE: { keep: Xattrs; dropped: readonly string[] } = Object.freeze({
  keep: Object.freeze([]),
  dropped: Object.freeze([]),
});

/** The member's xattrs to set, and the names of those dropped (overlayfs's own). */
export function memberXattrs(all: ReadonlyMap<string, Buffer> | undefined): {
  keep: Xattrs;
  dropped: readonly string[];
} {
  if (all === undefined) return NONE;
  const keep: [string, Buffer][] = [];
  const dropped: string[] = [];
  for (const [name, value] of all) {
    if (OVERLAY_PRIVATE.test(name)) dropped.push(name);
    else keep.push([name, value]);
  }
  return { keep, dropped };
}

// @napi-rs/xattr gives errno only in its message: "... (os error 95)".
function errnoOf(err: unknown): number | undefined {
  const m = /\(os error (\d+)\)$/.exec((err as { message?: string }).message ?? '');
  return m ? Number(m[1]) : undefined;
}

const EPERM = 1;
const EOPNOTSUPP = 95;

/**
 * Runs `set` with a text path that names `abs` (a byte string) without
 * following a symlink at its end. Nearly always abs itself; a path that is
 * not UTF-8 goes through /proc/self/fd/N of its directory, and a name that
 * is not UTF-8 through a temporary hardlink with an ASCII name (or, for a
 * directory, the directory's own descriptor and "."): no descriptor of the
 * file itself would do, as lsetxattr on /proc/self/fd/N acts on the link.
 */
function withXattrPath(abs: string, isDir: boolean, set: (path: string) => void): void {
  const text = utf8Text(abs);
  if (text !== undefined) {
    set(text);
    return;
  }
  const slash = abs.lastIndexOf('/');
  const dir = abs.slice(0, slash) || '/';
  const name = utf8Text(abs.slice(slash + 1));
  const dirFd = openSync(
    fsPath(name === undefined && isDir ? abs : dir),
    constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW,
  );
  try {
    if (name !== undefined) set(`/proc/self/fd/${dirFd}/${name}`);
    else if (isDir) set(`/proc/self/fd/${dirFd}/.`);
    else {
      const tmp = `.ovl-xattr-${randomBytes(8).toString('hex')}`;
      linkSync(fsPath(abs), fsPath(`${dir}/${tmp}`)); // link(2) does not follow a symlink
      try {
        set(`/proc/self/fd/${dirFd}/${tmp}`);
      } finally {
        unlinkSync(fsPath(`${dir}/${tmp}`));
      }
    }
  } finally {
    closeSync(dirFd);
  }
}

/**
 * Sets each xattr on abs (a byte string; made by the extraction, after its
 * chown, which clears security.capability). Returns the names the file
 * system would not take (EPERM: user.* on a symlink; EOPNOTSUPP: no xattrs
 * there), as Docker skips those; any other failure refuses the member.
 */
export function setMemberXattrs(
  abs: string,
  isDir: boolean,
  xattrs: Xattrs,
  member: string,
): string[] {
  const unset: string[] = [];
  if (xattrs.length === 0) return unset;
  withXattrPath(abs, isDir, (path) => {
    for (const [name, value] of xattrs) {
      const textName = utf8Text(name);
      if (textName === undefined) {
        unset.push(name); // the package takes names as text: no way to name it
        continue;
      }
      try {
        setAttributeSync(path, textName, value);
      } catch (err) {
        const errno = errnoOf(err);
        if (errno === EPERM || errno === EOPNOTSUPP) {
          unset.push(name);
          continue;
        }
        const reason = err instanceof Error ? err.message : String(err);
        throw new OddMemberError(
          `member "${printablePath(member)}" has the extended attribute "${printablePath(name)}", which could not be set: ${reason}`,
        );
      }
    }
  });
  return unset;
}

/** What `.wh..wh..opq` says, as overlayfs reads it. */
export const OPAQUE_XATTR = 'trusted.overlay.opaque';

/** Makes the directory abs (a byte string) opaque; any failure is an error. */
export function setOpaque(abs: string): void {
  try {
    withXattrPath(abs, true, (path) => setAttributeSync(path, OPAQUE_XATTR, Buffer.from('y')));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`could not make "${printablePath(abs)}" an opaque directory: ${reason}`);
  }
}
