/**
 * Reading a record root relies on, under the state root: a directory and
 * the JSON file in it, both root's alone and real (not symlinks, the file
 * read with O_NOFOLLOW). Root mounts what a record names and runs what is
 * in it, so a record that is not what this program writes is refused, not
 * repaired: someone other than overlay-tui wrote in the store.
 */
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { errnoCode } from '../errors.js';
import { lstatOrNone, readFileNoFollow } from '../no-follow.js';

export type CheckedRecord =
  | { kind: 'absent' }
  | { kind: 'parsed'; dir: string; record: Record<string, unknown> }
  /** why: "it is a symlink", "its layer.json is owned by uid 1000, not by root"... */
  | { kind: 'untrusted'; dir: string; why: string };

/** Why a file or directory root relies on is not root's alone, or undefined. */
export function notRootsAlone(st: Stats): string | undefined {
  if (st.uid !== 0) return `is owned by uid ${st.uid}, not by root`;
  if ((st.mode & 0o022) !== 0)
    return `is writable by group or others (mode 0${(st.mode & 0o7777).toString(8)})`;
  return undefined;
}

export const isCount = (v: unknown): boolean =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export const DIFF_ID = /^sha256:[0-9a-f]{64}$/;
export const HEX_NAME = /^[0-9a-f]{64}$/;

/** dir and dir/file, checked and parsed (not yet checked for content). */
export function readRecordDir(dir: string, file: string): CheckedRecord {
  const st = lstatOrNone(dir);
  if (!st) return { kind: 'absent' };
  const untrusted = (why: string): CheckedRecord => ({ kind: 'untrusted', dir, why });
  if (!st.isDirectory())
    return untrusted(st.isSymbolicLink() ? 'it is a symlink' : 'it is not a directory');
  const dirWhy = notRootsAlone(st);
  if (dirWhy) return untrusted(`it ${dirWhy}`);
  let text: string;
  try {
    const read = readFileNoFollow(join(dir, file));
    const fileWhy = notRootsAlone(read.stats);
    if (fileWhy) return untrusted(`its ${file} ${fileWhy}`);
    text = read.text;
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') return untrusted(`it has no ${file}`);
    if (code === 'ELOOP') return untrusted(`its ${file} is a symlink`);
    return untrusted(`its ${file} is unreadable (${code ?? String(err)})`);
  }
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    return untrusted(`its ${file} is not JSON`);
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record))
    return untrusted(`its ${file} is not a JSON object`);
  return { kind: 'parsed', dir, record: record as Record<string, unknown> };
}
