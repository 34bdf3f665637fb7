/**
 * `--pids-limit`, `--memory` and `--cpus` as Docker reads them, and what
 * they become in the kernel's files. Pure: no file is touched here.
 */
import { availableParallelism } from 'node:os';
import type { ResourceLimits } from '../confine/types.js';

export const DEFAULT_PIDS_LIMIT = 4096;
/** Docker refuses less: the container could not even start in it. */
export const MIN_MEMORY_BYTES = 6 * 1024 * 1024;
/** The CFS period Docker uses for --cpus. */
export const CPU_PERIOD_US = 100_000;

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** A problem with a value, worded for a usage error line. */
export class LimitError extends Error {}

/** Docker's --pids-limit: 0 or less is unlimited. */
export function parsePidsLimit(text: string | undefined): number {
  if (text === undefined) return DEFAULT_PIDS_LIMIT;
  if (!/^-?\d+$/.test(text)) throw new LimitError(`--pids-limit: "${text}" is not a whole number`);
  const n = Number(text);
  return n <= 0 ? -1 : n;
}

/** Docker's --memory: a number with an optional unit b, k, m or g (1024-based), at least 6m. */
export function parseMemory(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)\s?([bkmg]?)(?:i?b)?$/i.exec(text);
  if (!m) {
    throw new LimitError(
      `--memory: "${text}" is not a size (a number with b, k, m or g, e.g. 64m)`,
    );
  }
  const bytes = Math.floor(Number(m[1]) * (UNITS[(m[2] ?? '').toLowerCase()] ?? 1));
  if (bytes < MIN_MEMORY_BYTES) {
    throw new LimitError(`--memory: ${text} is below the minimum of 6m`);
  }
  return bytes;
}

/** Docker's --cpus: from 0.01 to the number of CPUs there are. */
export function parseCpus(
  text: string | undefined,
  cpusThere = availableParallelism(),
): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d*\.?\d+$/.test(text)) throw new LimitError(`--cpus: "${text}" is not a number`);
  const cpus = Number(text);
  if (cpus < 0.01 || cpus > cpusThere) {
    throw new LimitError(`--cpus: ${text} is out of range: from 0.01 to ${cpusThere} (CPUs here)`);
  }
  return cpus;
}

export function parseLimits(values: {
  pidsLimit?: string | undefined;
  memory?: string | undefined;
  cpus?: string | undefined;
}): ResourceLimits {
  const memoryBytes = parseMemory(values.memory);
  const cpus = parseCpus(values.cpus);
  return {
    pidsLimit: parsePidsLimit(values.pidsLimit),
    ...(memoryBytes !== undefined ? { memoryBytes } : {}),
    ...(cpus !== undefined ? { cpus } : {}),
  };
}

/** The CFS quota for --cpus, in microseconds per CPU_PERIOD_US (the kernel's minimum is 1 ms). */
export function cpuQuotaUs(cpus: number): number {
  return Math.max(1000, Math.round(cpus * CPU_PERIOD_US));
}

/** One file to write in one controller's directory. */
export interface LimitWrite {
  controller: 'pids' | 'memory' | 'cpu';
  file: string;
  value: string;
  /** Written only where the file exists (memsw needs swap accounting). */
  optional?: boolean;
}

/** The files that set these limits, in the order to write them. */
export function limitWrites(limits: ResourceLimits, v2: boolean): LimitWrite[] {
  const out: LimitWrite[] = [];
  const pids = limits.pidsLimit > 0 ? String(limits.pidsLimit) : 'max';
  out.push({ controller: 'pids', file: 'pids.max', value: pids });
  if (limits.memoryBytes !== undefined) {
    const bytes = String(limits.memoryBytes);
    if (v2) {
      out.push({ controller: 'memory', file: 'memory.max', value: bytes });
      // No swap on top (v2 counts swap apart): the limit is the limit.
      out.push({ controller: 'memory', file: 'memory.swap.max', value: '0', optional: true });
    } else {
      out.push({ controller: 'memory', file: 'memory.limit_in_bytes', value: bytes });
      // memory+swap equal to memory: no escape into swap (set after the memory limit,
      // which the kernel wants no larger than it).
      out.push({
        controller: 'memory',
        file: 'memory.memsw.limit_in_bytes',
        value: bytes,
        optional: true,
      });
    }
  }
  if (limits.cpus !== undefined) {
    const quota = cpuQuotaUs(limits.cpus);
    if (v2) out.push({ controller: 'cpu', file: 'cpu.max', value: `${quota} ${CPU_PERIOD_US}` });
    else {
      out.push({ controller: 'cpu', file: 'cpu.cfs_period_us', value: String(CPU_PERIOD_US) });
      out.push({ controller: 'cpu', file: 'cpu.cfs_quota_us', value: String(quota) });
    }
  }
  return out;
}
