/**
 * A container's cgroups as its state.json records them, so that teardown,
 * crash recovery and `clean` find them again. Where they go:
 *   pure v2: <v2 mount>/overlay-tui/<id>, the controllers enabled on the way
 *            (the root cgroup is exempt from the no-internal-process rule);
 *   v1:      <own cgroup of each hierarchy>/overlay-tui/<id>, under our own
 *            so that a limit we are under (a sandbox's memory) still holds;
 *   hybrid:  as v1, plus <own unified cgroup>/overlay-tui/<id> for
 *            cgroup.kill, cgroup.freeze and its process list.
 */
import { join, normalize } from 'node:path';
import { UserError } from '../errors.js';
import type { CgroupLayout, V1Controller } from './layout.js';

export const CGROUP_PARENT = 'overlay-tui';

export interface ContainerCgroup {
  kind: 'v2' | 'hybrid' | 'v1';
  /** The cgroup2 directory: with the controllers on pure v2, without on hybrid. */
  v2?: string;
  /** One directory per v1 controller (co-mounted controllers share one). */
  v1: Partial<Record<V1Controller, string>>;
}

/** Pure: where container `id`'s cgroups go in this layout (nothing is made). */
export function planCgroup(layout: CgroupLayout, id: string): ContainerCgroup | undefined {
  if (layout.kind === 'none') return undefined;
  const cg: ContainerCgroup = { kind: layout.kind, v1: {} };
  if (layout.v2) {
    const base = layout.kind === 'v2' ? layout.v2.mount : layout.v2.own;
    cg.v2 = join(base, CGROUP_PARENT, id);
  }
  for (const [c, h] of Object.entries(layout.v1)) {
    cg.v1[c as V1Controller] = join(h.own, CGROUP_PARENT, id);
  }
  return cg;
}

/** Every directory, each once. */
export function cgroupDirs(cg: ContainerCgroup): string[] {
  return [...new Set([...(cg.v2 ? [cg.v2] : []), ...Object.values(cg.v1)])];
}

/** The directory whose files say `name` (memory.*, pids.*): v2's on pure v2, else the v1 controller's. */
export function controllerDir(cg: ContainerCgroup, controller: V1Controller): string | undefined {
  return cg.kind === 'v2' ? cg.v2 : cg.v1[controller];
}

/**
 * A recorded directory is acted on (killed, removed) only if it is what we
 * would have made: under a cgroup mount, named overlay-tui/<id>, nothing
 * odd in between. state.json is ours, but nothing it says may make us
 * kill or remove another cgroup.
 */
export function checkRecorded(cg: ContainerCgroup, id: string, mounts: readonly string[]): void {
  for (const dir of cgroupDirs(cg)) {
    const ok =
      typeof dir === 'string' &&
      normalize(dir) === dir &&
      dir.endsWith(`/${CGROUP_PARENT}/${id}`) &&
      mounts.some((m) => dir.startsWith(`${m}/`));
    if (!ok) {
      throw new UserError(
        `container ${id}: its record names ${JSON.stringify(dir)} as its cgroup, which is not one of ours; left it alone`,
      );
    }
  }
}
