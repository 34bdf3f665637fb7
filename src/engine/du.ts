/** Disk use of a directory tree (bytes of regular files, each inode once), for `ps`. */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export function treeBytes(dir: string): number {
  const seen = new Set<bigint>();
  let total = 0;
  const walk = (d: string): void => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names) {
      const p = join(d, name);
      const st = lstatSync(p, { bigint: true, throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && !seen.has(st.ino)) {
        seen.add(st.ino);
        total += Number(st.size);
      }
    }
  };
  // Walked only if a real directory: a symlink in its place is not followed.
  if (lstatSync(dir, { throwIfNoEntry: false })?.isDirectory()) walk(dir);
  return total;
}
