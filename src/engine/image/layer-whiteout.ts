/**
 * What an image layer's `.wh.` members mean (OCI image-spec layer.md,
 * Docker's archive package): `DIR/.wh.NAME` deletes NAME from the layers
 * below; `DIR/.wh..wh..opq` hides everything below in DIR. The member's
 * type, mode, size and link name do not matter: real tools write whiteouts
 * as empty files of mode 0600 or 0000, and a second whiteout as a hardlink
 * to the first (the kernel's whiteouts share one inode). Pure.
 */
import { printablePath } from '../../overlay/printable-path.js';
import { OddMemberError } from './member-errors.js';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';

export type LayerMarker =
  | { kind: 'whiteout'; /** the path NAME deleted (relative, a byte string) */ target: string }
  | { kind: 'opaque'; /** the directory made opaque ("" for the layer's root) */ dir: string };

function refuse(member: string, why: string): never {
  throw new OddMemberError(`member "${printablePath(member)}" ${why}`);
}

/**
 * The whiteout or opaque marker `rel` (memberPath's result for `member`)
 * stands for; undefined for an ordinary member. Refuses names that are
 * neither one nor an ordinary name: `.wh.` alone, `.wh..`, any other
 * `.wh..wh.` name (aufs's metadata), or a member inside a `.wh.` directory.
 */
export function layerMarker(rel: string, member: string): LayerMarker | undefined {
  if (!rel.includes(WHITEOUT_PREFIX)) return undefined; // nearly every member
  const slash = rel.lastIndexOf('/');
  const dir = slash < 0 ? '' : rel.slice(0, slash);
  const base = rel.slice(slash + 1);
  if (dir.split('/').some((part) => part.startsWith(WHITEOUT_PREFIX)))
    refuse(member, 'is inside a whiteout (".wh.") directory');
  if (!base.startsWith(WHITEOUT_PREFIX)) return undefined;
  if (base === OPAQUE_MARKER) return { kind: 'opaque', dir };
  if (base.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`))
    refuse(
      member,
      `is an overlay metadata name that image layers do not use (only ${OPAQUE_MARKER} is)`,
    );
  const name = base.slice(WHITEOUT_PREFIX.length);
  if (name === '') refuse(member, 'is a whiteout with no name');
  if (name === '.' || name === '..') refuse(member, `is a whiteout of "${name}"`);
  return { kind: 'whiteout', target: dir === '' ? name : `${dir}/${name}` };
}
