/**
 * A small random lower layer for the kernel oracle: directories, files,
 * symlinks (some dangling), hard links, fifos, a device node, odd modes and
 * owners, and a few stray 0/0 whiteouts (a bottom layer may hold them).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, linkSync, lchownSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Rng } from './overlay-rng.js';

/** Short names from a small pool, so later operations reuse (and recreate) them. */
export const NAMES = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
export const MODES = [0o644, 0o600, 0o755, 0o700, 0o444, 0o4755, 0o1777, 0o2750];
export const OWNERS = [0, 1, 1000, 65534];
const TARGETS = ['a', '../b', '/etc/passwd', 'missing', 'c/d', '.'];

export function buildRandomBase(dir: string, rng: Rng): void {
  const files: string[] = [];
  const nodes: string[] = []; // one shell run makes every fifo and device node
  const fill = (abs: string, depth: number): void => {
    const names = NAMES.filter(() => rng.chance(depth === 0 ? 0.8 : 0.45));
    for (const name of names) {
      const p = join(abs, name);
      const kind = rng.weighted({
        dir: depth < 2 ? 3 : 0,
        file: 5,
        symlink: 1.5,
        link: files.length > 0 ? 0.8 : 0,
        fifo: 0.5,
        device: 0.2,
        whiteout: 0.3,
      });
      if (kind === 'dir') {
        mkdirSync(p);
        fill(p, depth + 1);
      } else if (kind === 'file') {
        writeFileSync(p, rng.bytes(rng.int(0, 200)));
        files.push(p);
      } else if (kind === 'symlink') symlinkSync(rng.pick(TARGETS), p);
      else if (kind === 'link') linkSync(rng.pick(files), p);
      else if (kind === 'fifo') nodes.push(`mkfifo ${p}`);
      else if (kind === 'device') nodes.push(`mknod ${p} c 1 3`);
      else nodes.push(`mknod ${p} c 0 0`);
      if (kind === 'dir' || kind === 'file') {
        chmodSync(p, rng.pick(MODES));
        lchownSync(p, rng.pick(OWNERS), rng.pick(OWNERS));
      }
    }
  };
  fill(dir, 0);
  if (nodes.length > 0) execFileSync('sh', ['-ec', nodes.join('\n')]);
}
