/**
 * What a container run under an OCI runtime could leave behind: the
 * runtime's state entries under the state root, its cgroups, its
 * processes, overlay mounts. Each test ends by asserting all are empty.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runtimeRoot, type RuntimeName } from '../../src/engine/runtime/runtime-record.js';
import { cgroupsPathFor } from '../../src/engine/runtime/runtime-record.js';
import { mountsUnder } from './state-root.js';

/** Directories under /sys/fs/cgroup (a few levels: also inside a sandbox's own cgroup) whose name starts so. */
export function cgroupsStartingWith(prefix: string, dir = '/sys/fs/cgroup', depth = 4): string[] {
  if (depth === 0) return [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const path = join(dir, e.name);
    if (e.name.startsWith(prefix)) found.push(path);
    else found.push(...cgroupsStartingWith(prefix, path, depth - 1));
  }
  return found;
}

/** The cgroup name prefix of every container of this state root under this runtime. */
export function cgroupPrefix(root: string, name: RuntimeName): string {
  const path = cgroupsPathFor({ name, path: '', version: '', root: runtimeRoot(root, name) }, '');
  return path;
}

/** Live processes whose command line names this state root (the runtime's, with --root). */
export function processesMentioning(root: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      const state = readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]?.[0];
      if (cmdline.includes(root) && state !== 'Z') pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

export interface Leftovers {
  containers: string[];
  runtimeState: string[];
  cgroups: string[];
  processes: number[];
  mounts: string[];
}

export function leftovers(root: string): Leftovers {
  const list = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir) : []);
  return {
    containers: list(join(root, 'containers')),
    runtimeState: [...list(runtimeRoot(root, 'runc')), ...list(runtimeRoot(root, 'crun'))],
    cgroups: [
      ...cgroupsStartingWith(cgroupPrefix(root, 'runc')),
      ...cgroupsStartingWith(cgroupPrefix(root, 'crun')),
    ],
    processes: processesMentioning(root),
    mounts: mountsUnder(root),
  };
}

export const NOTHING_LEFT: Leftovers = {
  containers: [],
  runtimeState: [],
  cgroups: [],
  processes: [],
  mounts: [],
};
