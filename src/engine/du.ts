/** Disk use of a directory tree (bytes of regular files, each inode once), for `ps`. */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { bytesOf, fsPath } from '../overlay/byte-path.js';

export function treeBytes(dir: string): number {
  const seen = new Set<bigint>();
  let total = 0;
  // Byte strings (byte-path.ts): a name that is not UTF-8 is counted too.
  const walk = (d: string): void => {
    let names: string[];
    try {
      names = readdirSync(fsPath(d), 'latin1');
    } catch {
      return;
    }
    for (const name of names) {
      const p = join(d, name);
      const st = lstatSync(fsPath(p), { bigint: true, throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && !seen.has(st.ino)) {
        seen.add(st.ino);
        total += Number(st.size);
      }
    }
  };
  // Walked only if a real directory: a symlink in its place is not followed.
  if (lstatSync(dir, { throwIfNoEntry: false })?.isDirectory()) walk(bytesOf(dir));
  return total;
}
