/**
 * Makes a container's cgroups (record.ts says where) and writes its limits,
 * before its process starts; the helper then joins them (`--cgroup DIR`).
 * On any failure what was made is removed and one line says what failed.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ResourceLimits } from '../confine/types.js';
import { UserError, errnoCode } from '../errors.js';
import { deviceWrites } from './devices.js';
import { cgroupPids, readCgroupFile, tryWriteCgroupFile, writeCgroupFile } from './files.js';
import type { CgroupLayout } from './layout.js';
import { limitWrites } from './limits.js';
import { cgroupDirs, CGROUP_PARENT, controllerDir, type ContainerCgroup } from './record.js';
import { removeEmptyCgroups } from './remove.js';

export interface CgroupOptions {
  limits: ResourceLimits;
  /** --privileged: the v1 devices controller allows every device. */
  allowAllDevices: boolean;
}

const FLAG_OF: Record<string, string> = { memory: '--memory', cpu: '--cpus', pids: '--pids-limit' };

/**
 * mkdir of the parent, then of the cgroup. Another container's teardown may
 * remove the shared parent at any moment: the kernel then answers ENOENT to
 * either mkdir (also to the parent's, while its removal is under way), and
 * both are tried again.
 */
function makeDir(dir: string): void {
  for (let attempt = 0; ; attempt++) {
    try {
      mkdirSync(dirname(dir), { recursive: true });
      mkdirSync(dir);
      return;
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOENT' && attempt < 20) continue;
      // Left by a container of the same name that died unrecorded: reuse it only if empty.
      if (code === 'EEXIST' && cgroupPids(dir).length === 0) return;
      throw err;
    }
  }
}

/** Pure v2: the controllers must be enabled in every parent's cgroup.subtree_control. */
function enableV2Controllers(cg: ContainerCgroup, layout: CgroupLayout): void {
  if (cg.kind !== 'v2' || !cg.v2 || !layout.v2) return;
  const available = (readCgroupFile(layout.v2.mount, 'cgroup.controllers') ?? '').trim().split(' ');
  const parents = [layout.v2.mount, join(layout.v2.mount, CGROUP_PARENT)];
  for (const c of ['pids', 'memory', 'cpu']) {
    if (!available.includes(c)) continue;
    for (const p of parents) tryWriteCgroupFile(p, 'cgroup.subtree_control', `+${c}`);
  }
}

function writeLimits(cg: ContainerCgroup, opts: CgroupOptions): void {
  for (const w of limitWrites(opts.limits, cg.kind === 'v2')) {
    const dir = controllerDir(cg, w.controller);
    const missing = !dir || readCgroupFile(dir, w.file) === undefined;
    if (missing) {
      // pids.max is written always (the default limit): where there is no
      // pids controller it is left out; a memory or CPU limit asked for must hold.
      if (w.optional || w.controller === 'pids') continue;
      throw new UserError(
        `${FLAG_OF[w.controller]} needs the ${w.controller} cgroup controller, which this machine does not provide`,
      );
    }
    writeCgroupFile(dir, w.file, w.value);
  }
  const devices = cg.v1.devices;
  if (cg.kind !== 'v2' && devices) {
    for (const d of deviceWrites(opts.allowAllDevices)) writeCgroupFile(devices, d.file, d.value);
  }
}

export function makeCgroup(cg: ContainerCgroup, layout: CgroupLayout, opts: CgroupOptions): void {
  const made: string[] = [];
  try {
    for (const dir of cgroupDirs(cg)) {
      if (dir === cg.v2) enableV2Controllers(cg, layout);
      makeDir(dir);
      made.push(dir);
    }
    writeLimits(cg, opts);
  } catch (err) {
    removeEmptyCgroups(made);
    if (err instanceof UserError) throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw new UserError(`could not set up the container's cgroup: ${why}`);
  }
}
