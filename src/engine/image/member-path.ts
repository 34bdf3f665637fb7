/**
 * Archive member names, made safe to join under the extraction directory.
 * Names are byte strings (src/overlay/byte-path.ts); messages show them escaped.
 */
import { printablePath } from '../../overlay/printable-path.js';

/** The archive tried to write outside its directory: the whole import is refused. */
export class UnsafeArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeArchiveError';
  }
}

/**
 * The relative path a member name stands for ("" for the root). A leading
 * "/" or "./" is dropped, as tar does; any ".." is refused, wherever it is.
 */
export function memberPath(name: string): string {
  if (name.includes('\0'))
    throw new UnsafeArchiveError(`member name has a NUL byte: "${printablePath(name)}"`);
  // Most names are clean once a leading "./" and a trailing "/" are dropped
  // (splitting each is a cost on large images): no empty, "." or ".."
  // component hides in a string that neither starts with "/" or ".", nor
  // ends with "/", nor holds "//" or "/.".
  let s = name.startsWith('./') ? name.slice(2) : name;
  if (s.endsWith('/')) s = s.slice(0, -1);
  const clean = s !== '' && s[0] !== '/' && s[0] !== '.' && !s.endsWith('/') && !s.includes('//');
  if (clean && !s.includes('/.')) return s;
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..'))
    throw new UnsafeArchiveError(`member "${printablePath(name)}" climbs out with ".."`);
  return parts.join('/');
}

/** "a/b/c" -> ["a", "a/b"]: the directories a member needs, outermost first. */
export function parentPaths(rel: string): string[] {
  const out: string[] = [];
  let at = rel.indexOf('/');
  while (at >= 0) {
    out.push(rel.slice(0, at));
    at = rel.indexOf('/', at + 1);
  }
  return out;
}
