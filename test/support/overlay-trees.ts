/**
 * Hand-built layer trees for unit tests of the layer model, without a disk:
 *   layer({ etc: dir({ passwd: file({ size: 10 }) }), bin: whiteout() })
 */
import type { LayerEntry, OverlayXattrs } from '../../src/overlay/layer-entry.js';

type Meta = Partial<
  Pick<LayerEntry, 'mode' | 'uid' | 'gid' | 'size' | 'mtimeMs' | 'ino' | 'nlink'>
>;
type Opts = Meta & { x?: OverlayXattrs; user?: OverlayXattrs };
type Node = Omit<LayerEntry, 'name'>;

let nextIno = 1000;

function make(type: LayerEntry['type'], opts: Opts, extra: Partial<LayerEntry> = {}): Node {
  const { x, user, ...meta } = opts;
  const node: Node = {
    type,
    mode: type === 'dir' ? 0o755 : 0o644,
    uid: 0,
    gid: 0,
    size: 0,
    mtimeMs: 1_000_000,
    ino: nextIno++,
    nlink: type === 'dir' ? 2 : 1,
    ...extra,
    ...meta,
  };
  if (x || user) node.xattrs = { ...(x && { trusted: x }), ...(user && { user }) };
  return node;
}

function named(children: Record<string, Node>): Map<string, LayerEntry> {
  return new Map(Object.entries(children).map(([name, n]) => [name, { ...n, name }]));
}

export function file(opts: Opts = {}): Node {
  return make('file', { size: 5, ...opts });
}

export function dir(children: Record<string, Node> = {}, opts: Opts = {}): Node {
  return make('dir', { size: 4096, ...opts }, { children: named(children) });
}

export function symlink(target: string, opts: Opts = {}): Node {
  return make('symlink', { size: target.length, mode: 0o777, ...opts }, { target });
}

export function fifo(opts: Opts = {}): Node {
  return make('fifo', opts);
}

export function device(major: number, minor: number, opts: Opts = {}): Node {
  return make('char', { mode: 0o666, ...opts }, { rdev: { major, minor } });
}

/** A character device 0/0. */
export function whiteout(): Node {
  return make('char', { mode: 0 }, { rdev: { major: 0, minor: 0 } });
}

/** A zero-size file with overlay.whiteout (its directory should be marked opaque=x). */
export function xwhiteout(): Node {
  return make('file', { size: 0, x: { whiteout: true } });
}

/** A layer root. */
export function layer(children: Record<string, Node> = {}, opts: Opts = {}): LayerEntry {
  return { ...dir(children, opts), name: '' };
}
