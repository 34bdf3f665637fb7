/** A directory tree as text: every path with its type, mode, owner, link target and content hash. */
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

export function snapshotTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    const abs = rel ? join(root, rel) : root;
    const st = lstatSync(abs);
    const mode = (st.mode & 0o7777).toString(8);
    let what: string;
    if (st.isSymbolicLink()) what = `link -> ${readlinkSync(abs)}`;
    else if (st.isFile())
      what = `file ${st.size} ${createHash('sha256').update(readFileSync(abs)).digest('hex')}`;
    else if (st.isDirectory()) what = 'dir';
    else what = `other ${st.rdev}`;
    out.set(rel || '/', `${what} mode=${mode} owner=${st.uid}:${st.gid} mtime=${st.mtimeMs}`);
    if (st.isDirectory())
      for (const name of readdirSync(abs).sort()) walk(rel ? `${rel}/${name}` : name);
  };
  walk('');
  return out;
}
