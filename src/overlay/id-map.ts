/**
 * A container in a user namespace (`--userns`) sees the image's layers
 * through idmapped mounts: container id N is host id BASE+N. What it writes
 * lands in upper with host ids, while the lowers on disk keep the image's.
 * Comparing an upper entry with the lower one it was copied from must
 * therefore shift the lower's ids first, or every copy-up would look like
 * a chown.
 */
export interface IdMap {
  /** The host id of the container's 0. */
  base: number;
  /** Ids mapped: container 0..size-1. */
  size: number;
}

/** The kernel's overflow id: what an unmapped id shows as. */
export const OVERFLOW_ID = 65534;

/** The host id a lower file's id shows as through the idmapped mount. */
export function hostId(id: number, map: IdMap | undefined): number {
  if (!map) return id;
  return id < map.size ? map.base + id : OVERFLOW_ID;
}

/** "BASE:SIZE", as the helper takes it. */
export function idMapArg(map: IdMap): string {
  return `${map.base}:${map.size}`;
}
