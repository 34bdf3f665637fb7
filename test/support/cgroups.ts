/**
 * The cgroups a test's container has (or left behind): every directory
 * named overlay-tui/<id> in this machine's hierarchies, where we would
 * have made one. Read from the same layout the engine uses.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { detectLayout, planCgroup, cgroupDirs } from '../../src/engine/cgroup/index.js';

/** Where container `id`'s cgroups are (whether or not they exist). */
export function cgroupPlan(id: string) {
  const cg = planCgroup(detectLayout(), id);
  if (!cg) throw new Error('no cgroup hierarchy on this machine');
  return cg;
}

/** Those of container `id`'s cgroup directories that exist. */
export function cgroupsLeft(id: string): string[] {
  return cgroupDirs(cgroupPlan(id)).filter((d) => existsSync(d));
}

/** Every overlay-tui/<id> cgroup of ids starting with `prefix` (a test's own names). */
export function cgroupsWithPrefix(prefix: string): string[] {
  const layout = detectLayout();
  const parents = [
    ...(layout.v2
      ? [join(layout.v2.mount, 'overlay-tui'), join(layout.v2.own, 'overlay-tui')]
      : []),
    ...Object.values(layout.v1).map((h) => join(h.own, 'overlay-tui')),
  ];
  return [...new Set(parents)].flatMap((p) =>
    existsSync(p)
      ? readdirSync(p)
          .filter((n) => n.startsWith(prefix))
          .map((n) => join(p, n))
      : [],
  );
}

export function readCg(dir: string, file: string): string {
  return readFileSync(join(dir, file), 'utf8').trim();
}

export function procsIn(dir: string): number[] {
  try {
    return readCg(dir, 'cgroup.procs')
      .split('\n')
      .filter((l) => l !== '')
      .map(Number);
  } catch {
    return [];
  }
}

export async function waitUntil(
  what: string,
  cond: () => boolean,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
