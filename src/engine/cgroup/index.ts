/**
 * A cgroup of its own per container: what create, teardown, recovery,
 * `clean`, `run` and the app use of this folder.
 */
import { detectLayout, type CgroupLayout } from './layout.js';
import { checkRecorded, cgroupDirs, planCgroup, type ContainerCgroup } from './record.js';
import { killAndRemoveCgroup } from './remove.js';

export { makeCgroup, type CgroupOptions } from './create.js';
export { removeStrayCgroups } from './stray.js';
export { memoryLimit, oomKills, oomMessage, readUsage, type CgroupUsage } from './usage.js';
export { parseLimits, DEFAULT_PIDS_LIMIT, LimitError } from './limits.js';
export { cgroupDirs, detectLayout, planCgroup, type CgroupLayout, type ContainerCgroup };

function mountsOf(layout: CgroupLayout): string[] {
  return [...(layout.v2 ? [layout.v2.mount] : []), ...Object.values(layout.v1).map((h) => h.mount)];
}

/** Teardown's part: thaw, kill all, wait until empty (bounded), remove. */
export function tearDownCgroup(cg: ContainerCgroup, id: string, timeoutMs: number): void {
  checkRecorded(cg, id, mountsOf(detectLayout()));
  killAndRemoveCgroup(cg, id, timeoutMs);
}
