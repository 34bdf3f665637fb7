/**
 * Temporary directories for one bench run, and the guarantee that none of
 * them, and no mount under them, survives it: every run ends by unmounting
 * what is left (deepest first), checking /proc/self/mountinfo, and only
 * then deleting, so a stuck mount never makes us delete through it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const made: string[] = [];

/** A fresh directory under /tmp (never the real state root), removed by cleanupSandboxes. */
export function makeSandbox(label: string): string {
  const dir = mkdtempSync(`/tmp/ovl-bench-${label}-`);
  made.push(dir);
  return dir;
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Mount points at or under dir, deepest first. */
export function mountsUnder(dir: string): string[] {
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    .map(unescapeMountPath)
    .filter((p) => p === dir || p.startsWith(`${dir}/`));
  return points.sort((a, b) => b.length - a.length);
}

/** Mounts under any sandbox made so far (a leak of the engine or of our script). */
export function leakedMounts(): string[] {
  return made.flatMap((dir) => mountsUnder(dir));
}

/** Unmounts whatever is left, then deletes; returns what it had to unmount. */
export function cleanupSandboxes(): string[] {
  const leaked: string[] = [];
  for (const dir of made.splice(0)) {
    for (const point of mountsUnder(dir)) {
      leaked.push(point);
      spawnSync('umount', [point], { stdio: 'ignore' });
    }
    const still = mountsUnder(dir);
    if (still.length > 0) {
      process.stderr.write(`bench: ${still[0]} is still mounted; left ${dir} in place\n`);
      continue;
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return leaked;
}

/** Writes dirty pages out, so one run's writeback does not land in the next run's time. */
export function syncDisks(): void {
  spawnSync('sync', [], { stdio: 'ignore' });
}
