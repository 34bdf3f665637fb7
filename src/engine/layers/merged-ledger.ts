/**
 * The merged state of an image's layers, kept compact enough for a
 * 1,000,000-file image: a tree of names (one Map per directory, keyed by
 * the entry's own name, not its full path), where a non-directory is a
 * single number (owning layer and data size packed together) and only a
 * directory or a hard-linked file is an object. The report (layer-report.ts)
 * lays the layers on it bottom first; when a higher layer replaces or hides
 * an entry, the bytes that entry's layer stored for it are "wasted": still
 * in the image, never seen. Pure bookkeeping: no I/O.
 */

/** Layers a packed number can name (the kernel takes 500 lowers at most). */
const MAX_LAYERS = 1024;

/** The data of a hard-linked inode, shared by its links in one layer: wasted only once all are hidden. */
export interface LinkGroup {
  size: number;
  /** Links still visible in the merged state. */
  visible: number;
}

export interface DirNode {
  /** Index (0 = bottom) of the layer whose directory entry shows. */
  layer: number;
  children: Map<string, MergedNode>;
}

export interface LinkNode {
  layer: number;
  group: LinkGroup;
}

/** A directory, a hard link, or any other entry packed as `size * MAX_LAYERS + layer`. */
export type MergedNode = number | DirNode | LinkNode;

export function packEntry(layer: number, size: number): number {
  if (layer >= MAX_LAYERS) throw new Error(`more than ${MAX_LAYERS} layers`);
  return size * MAX_LAYERS + layer;
}

export function isDirNode(n: MergedNode | undefined): n is DirNode {
  return typeof n === 'object' && 'children' in n;
}

export function newDir(layer: number): DirNode {
  return { layer, children: new Map() };
}

/** Bytes of one layer hidden at one path (a file, or a whole hidden directory's files of that layer). */
export interface Hidden {
  /** Index of the layer whose bytes they are. */
  owner: number;
  path: string;
  bytes: number;
}

/**
 * Everything under (and at) node hidden at path: the bytes each owning
 * layer loses, summed per layer under the hidden path (a deleted directory
 * is one wasted path, as dive lists it). Iterative: an image can be deeper
 * than the stack.
 */
export function hideNode(node: MergedNode, path: string): Hidden[] {
  const perOwner = new Map<number, number>();
  const add = (owner: number, bytes: number): void => {
    if (bytes > 0) perOwner.set(owner, (perOwner.get(owner) ?? 0) + bytes);
  };
  const pending: MergedNode[] = [node];
  for (let n = pending.pop(); n !== undefined; n = pending.pop()) {
    if (typeof n === 'number') {
      add(n % MAX_LAYERS, Math.floor(n / MAX_LAYERS));
    } else if ('children' in n) {
      for (const child of n.children.values()) pending.push(child);
    } else {
      n.group.visible--;
      if (n.group.visible === 0) add(n.layer, n.group.size);
    }
  }
  return [...perOwner].map(([owner, bytes]) => ({ owner, path, bytes }));
}
