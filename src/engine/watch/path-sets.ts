/**
 * Sets of upper paths, as the watcher narrows a burst to the subtrees it
 * must look at again (paths are the model's byte strings).
 */
import { isAtOrUnder, parentPath, type UpperState } from '../../overlay/index.js';

/** The roots that are not under another root. */
export function outermost(paths: Iterable<string>): string[] {
  const sorted = [...new Set(paths)].sort();
  const out: string[] = [];
  for (const p of sorted) if (!out.some((r) => isAtOrUnder(p, r))) out.push(p);
  return out;
}

/** True if path or a directory above it is in scanned. */
export function readAlready(scanned: ReadonlySet<string>, path: string): boolean {
  for (let p = path; ; p = parentPath(p)) {
    if (scanned.has(p)) return true;
    if (p === '/') return false;
  }
}

/** The states at or under any of roots. */
export function under(
  states: ReadonlyMap<string, UpperState>,
  roots: readonly string[],
): Map<string, UpperState> {
  const out = new Map<string, UpperState>();
  for (const [path, state] of states)
    if (roots.some((r) => isAtOrUnder(path, r))) out.set(path, state);
  return out;
}
