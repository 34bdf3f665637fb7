/** Small synchronous reads and writes of cgroup files (teardown must stay synchronous). */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function readCgroupFile(dir: string, file: string): string | undefined {
  try {
    return readFileSync(join(dir, file), 'utf8');
  } catch {
    return undefined;
  }
}

/** Throws the kernel's error (EINVAL, EBUSY...), named by file. */
export function writeCgroupFile(dir: string, file: string, value: string): void {
  writeFileSync(join(dir, file), value);
}

/** True if it could be written (the file may not exist: no such controller or feature). */
export function tryWriteCgroupFile(dir: string, file: string, value: string): boolean {
  try {
    writeCgroupFile(dir, file, value);
    return true;
  } catch {
    return false;
  }
}

/** The pids in a cgroup (empty if it is gone). */
export function cgroupPids(dir: string): number[] {
  const text = readCgroupFile(dir, 'cgroup.procs') ?? '';
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map(Number);
}

/** "key value" lines (memory.events, memory.oom_control, cgroup.events) as a map. */
export function readKeyValues(dir: string, file: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of (readCgroupFile(dir, file) ?? '').split('\n')) {
    const [key, value] = line.split(' ');
    if (key && value !== undefined) out.set(key, Number(value));
  }
  return out;
}
