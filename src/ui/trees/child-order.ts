/**
 * A directory's children in display order, with their paths, cached per
 * children map. Re-sorting and re-building 100,000 path strings on every
 * expand or keystroke of a search is most of a flatten's cost; and a path
 * string reused across calls keeps its hash, so the map lookups keyed by
 * path (states, expanded) get cheaper too.
 *
 * Valid because the layer model never changes a children map in place
 * except by adding (LowerLoader loads a directory whole into the map it
 * had): withEntry and the watcher build new maps. A change of size is
 * therefore a change of content.
 */
import { childPath } from '../../overlay/index.js';

export interface ChildOrder {
  /** Directories first, then the rest, each group by name in code-unit order. */
  names: readonly string[];
  /** paths[i] is the path of names[i]. */
  paths: readonly string[];
}

interface Cached extends ChildOrder {
  size: number;
  dirPath: string;
}

const cache = new WeakMap<ReadonlyMap<string, unknown>, Cached>();

export function childOrder<N>(
  kids: ReadonlyMap<string, N>,
  dirPath: string,
  isDir: (node: N) => boolean,
): ChildOrder {
  const hit = cache.get(kids);
  if (hit && hit.size === kids.size && hit.dirPath === dirPath) return hit;
  const dirs: string[] = [];
  const rest: string[] = [];
  for (const [name, node] of kids) (isDir(node) ? dirs : rest).push(name);
  // The default sort compares strings by code units, as the layer model does.
  const names = dirs.sort().concat(rest.sort());
  const made: Cached = {
    names,
    paths: names.map((name) => childPath(dirPath, name)),
    size: kids.size,
    dirPath,
  };
  cache.set(kids, made);
  return made;
}
