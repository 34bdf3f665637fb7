/**
 * `clean`: cgroups named overlay-tui/<id> that no container owns any more
 * (its record was lost in a crash). Only an empty one is removed, and only
 * if its container is not one of this state root's live ones and it is
 * old enough not to be a container of another state root that is just
 * starting (its cgroup is made a moment before its process joins).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupPids } from './files.js';
import type { CgroupLayout } from './layout.js';
import { CGROUP_PARENT } from './record.js';
import { removeEmptyCgroups } from './remove.js';

export const STRAY_AGE_MS = 60_000;

/** The overlay-tui parent directories we may have made in this layout. */
function parents(layout: CgroupLayout): string[] {
  const out = new Set<string>();
  if (layout.v2) {
    out.add(join(layout.v2.mount, CGROUP_PARENT));
    out.add(join(layout.v2.own, CGROUP_PARENT));
  }
  for (const h of Object.values(layout.v1)) out.add(join(h.own, CGROUP_PARENT));
  return [...out];
}

function isOld(dir: string, now: number): boolean {
  try {
    return now - statSync(dir).mtimeMs > STRAY_AGE_MS;
  } catch {
    return false;
  }
}

/** Removes stray cgroups; returns those removed. `live`: ids whose container still runs here. */
export function removeStrayCgroups(
  layout: CgroupLayout,
  live: ReadonlySet<string>,
  now = Date.now(),
): string[] {
  const removed: string[] = [];
  for (const parent of parents(layout)) {
    let names: string[];
    try {
      names = readdirSync(parent, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name);
    } catch {
      continue;
    }
    for (const name of names) {
      const dir = join(parent, name);
      if (live.has(name) || !isOld(dir, now) || cgroupPids(dir).length > 0) continue;
      if (removeEmptyCgroups([dir]).length === 0) removed.push(dir);
    }
  }
  return removed;
}
