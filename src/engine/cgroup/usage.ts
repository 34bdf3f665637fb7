/**
 * What a container uses of its limits, and whether the kernel OOM-killed
 * something in it: a few small reads of cgroup files, no process started,
 * cheap enough to poll every second.
 */
import { humanBytes } from '../human-bytes.js';
import { cgroupPids, readCgroupFile, readKeyValues } from './files.js';
import { controllerDir, type ContainerCgroup } from './record.js';

export interface CgroupUsage {
  memoryBytes?: number;
  /** undefined: no limit. */
  memoryLimit?: number;
  pids: number;
  pidsLimit?: number;
  /** Processes the kernel killed for want of memory, since the cgroup was made. */
  oomKills: number;
}

/** v1 says "no limit" with a huge number (PAGE_COUNTER_MAX pages). */
const NO_LIMIT_ABOVE = 2 ** 60;

function numberIn(dir: string | undefined, file: string): number | undefined {
  if (!dir) return undefined;
  const text = readCgroupFile(dir, file)?.trim();
  if (text === undefined || text === '' || text === 'max') return undefined;
  const n = Number(text);
  return Number.isFinite(n) && n < NO_LIMIT_ABOVE ? n : undefined;
}

/** The count of OOM kills: v2 memory.events, v1 memory.oom_control. */
export function oomKills(cg: ContainerCgroup): number {
  const dir = controllerDir(cg, 'memory');
  if (!dir) return 0;
  const file = cg.kind === 'v2' ? 'memory.events' : 'memory.oom_control';
  return readKeyValues(dir, file).get('oom_kill') ?? 0;
}

export function memoryLimit(cg: ContainerCgroup): number | undefined {
  const dir = controllerDir(cg, 'memory');
  return numberIn(dir, cg.kind === 'v2' ? 'memory.max' : 'memory.limit_in_bytes');
}

export function readUsage(cg: ContainerCgroup): CgroupUsage {
  const v2 = cg.kind === 'v2';
  const mem = controllerDir(cg, 'memory');
  const pidsDir = controllerDir(cg, 'pids');
  const pids = numberIn(pidsDir, 'pids.current') ?? cgroupPids(cg.v2 ?? pidsDir ?? '').length;
  const memoryBytes = numberIn(mem, v2 ? 'memory.current' : 'memory.usage_in_bytes');
  const limit = memoryLimit(cg);
  const pidsLimit = numberIn(pidsDir, 'pids.max');
  return {
    ...(memoryBytes !== undefined ? { memoryBytes } : {}),
    ...(limit !== undefined ? { memoryLimit: limit } : {}),
    pids,
    ...(pidsLimit !== undefined ? { pidsLimit } : {}),
    oomKills: oomKills(cg),
  };
}

/** One line if the kernel OOM-killed something in the container, else undefined. */
export function oomMessage(cg: ContainerCgroup, id: string): string | undefined {
  const kills = oomKills(cg);
  if (kills === 0) return undefined;
  const limit = memoryLimit(cg);
  const what = kills === 1 ? 'a process' : `${kills} processes`;
  return `container ${id}: out of memory: the kernel killed ${what}${limit !== undefined ? ` (limit ${humanBytes(limit)})` : ''}`;
}
