/**
 * Which cgroup hierarchies this machine has and where this process sits in
 * each, from /proc/self/mountinfo and /proc/self/cgroup. Three layouts:
 * pure v2 (one cgroup2 mount holding the controllers), v1 (a mount per
 * controller), and hybrid (v1 controllers plus a cgroup2 "unified" mount
 * without them: it still gives cgroup.kill, cgroup.freeze and a process
 * list).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMountinfo, type MountEntry } from '../mountinfo.js';

/** The v1 controllers a container's cgroup is made in. */
export const V1_CONTROLLERS = ['pids', 'memory', 'cpu', 'devices', 'freezer'] as const;
export type V1Controller = (typeof V1_CONTROLLERS)[number];

export interface Hierarchy {
  /** Where it is mounted. */
  mount: string;
  /** This process's own cgroup in it, as a directory under mount. */
  own: string;
}

export interface CgroupLayout {
  kind: 'v2' | 'hybrid' | 'v1' | 'none';
  /** The cgroup2 mount (pure v2: with the controllers; hybrid: without). */
  v2?: Hierarchy;
  v1: Partial<Record<V1Controller, Hierarchy>>;
}

interface MountWithRoot extends MountEntry {
  /** The mount's root inside its file system (field 4): not '/' under a cgroup namespace. */
  root: string;
}

function cgroupMounts(mountinfo: string): MountWithRoot[] {
  const roots = mountinfo
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split(' ')[3] ?? '/');
  return parseMountinfo(mountinfo)
    .map((m, i) => ({ ...m, root: roots[i] ?? '/' }))
    .filter((m) => m.fsType === 'cgroup' || m.fsType === 'cgroup2');
}

/** Lines of /proc/self/cgroup: "ID:CONTROLLERS:PATH"; v2's is "0::PATH". */
function ownPaths(procCgroup: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of procCgroup.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    const [, , controllers = '', path = '/'] = m;
    if (controllers === '') out.set('', path);
    for (const c of controllers.split(',')) if (c !== '') out.set(c, path);
  }
  return out;
}

function hierarchy(mount: MountWithRoot, own: string | undefined): Hierarchy {
  const path = own ?? '/';
  // Under a cgroup namespace the mount shows a subtree: our path is relative to its root.
  const rel =
    mount.root !== '/' && path.startsWith(mount.root) ? path.slice(mount.root.length) : path;
  return { mount: mount.mountPoint, own: join(mount.mountPoint, rel) };
}

/** Pure: the layout that these two files describe. */
export function parseLayout(mountinfo: string, procCgroup: string): CgroupLayout {
  const own = ownPaths(procCgroup);
  const layout: CgroupLayout = { kind: 'none', v1: {} };
  for (const m of cgroupMounts(mountinfo)) {
    if (m.fsType === 'cgroup2') {
      layout.v2 ??= hierarchy(m, own.get(''));
      continue;
    }
    const options = m.superOptions.split(',');
    for (const c of V1_CONTROLLERS) {
      if (options.includes(c) && !layout.v1[c]) layout.v1[c] = hierarchy(m, own.get(c));
    }
  }
  const hasV1 = Object.keys(layout.v1).length > 0;
  layout.kind = hasV1 ? (layout.v2 ? 'hybrid' : 'v1') : layout.v2 ? 'v2' : 'none';
  return layout;
}

let cached: CgroupLayout | undefined;

/** This machine's layout (read once: mounts of cgroup file systems do not come and go). */
export function detectLayout(): CgroupLayout {
  cached ??= parseLayout(
    readFileSync('/proc/self/mountinfo', 'utf8'),
    readFileSync('/proc/self/cgroup', 'utf8'),
  );
  return cached;
}
