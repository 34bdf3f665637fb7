/**
 * What each layer of an image does, in figures: its entries as `docker
 * diff` letters against the layers below (A added, C changed, D deleted by
 * a whiteout; opaque directories counted apart), the bytes of file data it
 * stores, and the bytes it stores that a higher layer replaces or hides
 * ("wasted", as dive calls them: in the image, never seen), with the paths
 * that waste most.
 *
 * Built to scale to a 1,000,000-file, 20-layer image: each layer directory
 * is walked once (readdir with file types; lstat only for regular files,
 * and for directories and character devices, which need their xattrs or
 * device numbers), and the only state kept is the compact merged tree of
 * merged-ledger.ts. Names are byte strings (byte-path.ts).
 */
import { lstatSync, readdirSync, type Dirent } from 'node:fs';
import { bytesOf, fsPath } from '../../overlay/byte-path.js';
import { opaqueValue } from '../../overlay/entry-rules.js';
import { layerChange, type LayerChange } from '../../overlay/layer-change.js';
import type { EntryType, LayerEntry } from '../../overlay/layer-entry.js';
import type { LayerLabel } from '../../overlay/layer-label.js';
import { entryType, scanEntry } from '../../overlay/layer-scan.js';
import { printablePath } from '../../overlay/printable-path.js';
import {
  hideNode,
  isDirNode,
  newDir,
  packEntry,
  type DirNode,
  type LinkGroup,
  type MergedNode,
} from './merged-ledger.js';
import { TopPaths } from './top-paths.js';

/** Bytes of a layer's files that a higher layer replaced or hid. */
export interface WastedPath {
  /** Container path (a byte string): a file, or a directory deleted or hidden whole. */
  path: string;
  bytes: number;
  /** The number of the layer that replaced or deleted it. */
  by: number;
}

export interface LayerFigures {
  number: number;
  diffId: string;
  createdBy: string;
  /** Entries with nothing below at their path. */
  added: number;
  /** Entries that replace what the layers below show there (directories included). */
  changed: number;
  /** Whiteouts. */
  deleted: number;
  /** Directories marked opaque (also counted in added or changed). */
  opaque: number;
  /** Every entry of the layer but its root: added + changed + deleted. */
  entries: number;
  /** Bytes of regular-file data (a hard-linked file's once). */
  sizeBytes: number;
  /** Bytes of sizeBytes that higher layers replace or hide. */
  wastedBytes: number;
  /** This layer's biggest wasted paths, biggest first. */
  topWasted: WastedPath[];
}

export interface ImageFigures {
  /** Bottom first (layer 1 first). */
  layers: LayerFigures[];
  total: {
    sizeBytes: number;
    wastedBytes: number;
    /** The share of stored bytes the merged image shows: 1 - wasted / size (1 when empty). */
    efficiency: number;
    /** The image's biggest wasted paths, with the layer they are in. */
    topWasted: (WastedPath & { layer: number })[];
  };
}

export interface ReportLayer {
  /** The layer's directory (text, as the store names it). */
  dir: string;
  label: LayerLabel;
}

export interface ReportOptions {
  /** How many wasted paths to keep per layer and for the image (default 10). */
  top?: number;
}

// layerChange only asks whether anything is below, not what.
const SOMETHING: LayerEntry = {
  name: '',
  type: 'file',
  mode: 0,
  uid: 0,
  gid: 0,
  size: 0,
  mtimeMs: 0,
  ino: 0,
  nlink: 1,
};

function bareEntry(name: string, type: EntryType, size = 0): LayerEntry {
  return { ...SOMETHING, name, type, size };
}

function direntType(d: Dirent): EntryType | undefined {
  if (d.isFile()) return 'file';
  if (d.isDirectory()) return 'dir';
  if (d.isSymbolicLink()) return 'symlink';
  if (d.isCharacterDevice()) return 'char';
  if (d.isBlockDevice()) return 'block';
  if (d.isFIFO()) return 'fifo';
  if (d.isSocket()) return 'socket';
  return undefined; // DT_UNKNOWN: a file system that does not say (lstat does)
}

/** One layer walked: its figures so far and the wasted paths charged to it. */
class LayerTally {
  added = 0;
  changed = 0;
  deleted = 0;
  opaque = 0;
  sizeBytes = 0;
  wastedBytes = 0;
  readonly top: TopPaths<WastedPath>;
  constructor(
    readonly label: LayerLabel,
    top: number,
  ) {
    this.top = new TopPaths(top);
  }

  count(change: LayerChange): void {
    if (change.letter === 'A') this.added++;
    else if (change.letter === 'C') this.changed++;
    else this.deleted++;
    if (change.opaque) this.opaque++;
  }

  figures(): LayerFigures {
    const { number, diffId, createdBy } = this.label;
    return {
      number,
      diffId,
      createdBy,
      added: this.added,
      changed: this.changed,
      deleted: this.deleted,
      opaque: this.opaque,
      entries: this.added + this.changed + this.deleted,
      sizeBytes: this.sizeBytes,
      wastedBytes: this.wastedBytes,
      topWasted: this.top.list(),
    };
  }
}

/** A directory being walked: its names, in byte order, and the next to look at. */
interface Frame {
  abs: string;
  path: string;
  node: DirNode;
  names: Dirent[];
  next: number;
  /** The directory's overlay.opaque value: 'x' allows xattr whiteouts in it. */
  opaque?: string;
}

/** The layers laid one by one on the merged tree, bottom first. */
class Stack {
  readonly root = newDir(0);
  readonly imageTop: TopPaths<WastedPath & { layer: number }>;
  constructor(
    readonly tallies: LayerTally[],
    topN: number,
  ) {
    this.imageTop = new TopPaths(topN);
  }

  /** Hides what the merged tree holds at path: its bytes are wasted by layer index `by`. */
  private hide(node: MergedNode, path: string, by: number): void {
    const byNumber = this.tallies[by]?.label.number ?? by + 1;
    for (const h of hideNode(node, path)) {
      const owner = this.tallies[h.owner];
      if (!owner) continue;
      const item = { path: h.path, bytes: h.bytes, by: byNumber };
      owner.wastedBytes += h.bytes;
      owner.top.offer(item);
      this.imageTop.offer({ ...item, layer: owner.label.number });
    }
  }

  /**
   * Layer k's directory, walked depth first with each directory's names in
   * byte order: entries are met in path order, so which link of a
   * hard-linked file is hidden last (and named as the wasted path) does not
   * depend on readdir's order.
   */
  lay(dir: string, k: number): void {
    const links = new Map<number, LinkGroup>(); // this layer's hard-linked inodes, by ino
    const top = bytesOf(dir);
    const frames: Frame[] = [
      { abs: top, path: '', node: this.root, names: readNames(top), next: 0 },
    ];
    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as Frame;
      const d = frame.names[frame.next++];
      if (!d) frames.pop();
      else {
        const sub = this.entry(frame, d, k, links);
        if (sub) frames.push(sub);
      }
    }
  }

  /** One entry of layer k laid on the merged tree; a directory comes back to be walked. */
  private entry(
    dir: Frame,
    d: Dirent,
    k: number,
    links: Map<number, LinkGroup>,
  ): Frame | undefined {
    const tally = this.tallies[k] as LayerTally;
    const name = d.name;
    const abs = `${dir.abs}/${name}`;
    const path = `${dir.path}/${name}`;
    const below = dir.node.children.get(name);
    const somethingBelow = below === undefined ? undefined : SOMETHING;
    let type = direntType(d);
    const st = type === 'file' || type === undefined ? lstatSync(fsPath(abs)) : undefined;
    if (type === undefined && st) type = entryType(st);
    let entry: LayerEntry | undefined;
    if (type === 'dir' || type === 'char') {
      // Its xattrs (opaque) or device numbers (a whiteout) are needed.
      entry = scanEntry(abs, name);
      if (!entry) return undefined; // gone meanwhile: a store is not written while read
    } else {
      const size = type === 'file' ? (st?.size ?? 0) : 0;
      entry = bareEntry(name, type ?? 'file', size);
      // An xattr whiteout (Linux 6.7+) counts only in a directory marked opaque=x.
      if (type === 'file' && size === 0 && dir.opaque === 'x')
        entry = scanEntry(abs, name) ?? entry;
    }
    const change = layerChange(entry, somethingBelow);
    tally.count(change);
    // A directory over a directory merges with it, unless it is opaque;
    // anything else replaces or deletes all that was there.
    const merges = type === 'dir' && isDirNode(below) && !change.opaque;
    if (below !== undefined && !merges) this.hide(below, path, k);
    if (change.letter === 'D') {
      dir.node.children.delete(name);
      return undefined;
    }
    if (type === 'dir') {
      let node: DirNode;
      if (merges && isDirNode(below)) {
        node = below;
        node.layer = k;
      } else {
        node = newDir(k);
        dir.node.children.set(name, node);
      }
      const opaque = opaqueValue(entry, 'trusted');
      const frame: Frame = { abs, path, node, names: readNames(abs), next: 0 };
      if (opaque !== undefined) frame.opaque = opaque;
      return frame;
    }
    const size = entry.type === 'file' ? entry.size : 0;
    if (st && st.nlink > 1 && type === 'file') {
      let group = links.get(st.ino);
      if (!group) {
        group = { size, visible: 0 };
        links.set(st.ino, group);
        tally.sizeBytes += size; // a hard-linked file's data once
      }
      group.visible++;
      dir.node.children.set(name, { layer: k, group });
    } else {
      tally.sizeBytes += size;
      dir.node.children.set(name, packEntry(k, size));
    }
    return undefined;
  }
}

export function reportLayers(
  layers: readonly ReportLayer[],
  opts: ReportOptions = {},
): ImageFigures {
  const topN = opts.top ?? 10;
  const tallies = layers.map((l) => new LayerTally(l.label, topN));
  const stack = new Stack(tallies, topN);
  layers.forEach((layer, k) => stack.lay(layer.dir, k));
  const figures = tallies.map((t) => t.figures());
  const sizeBytes = figures.reduce((s, f) => s + f.sizeBytes, 0);
  const wastedBytes = figures.reduce((s, f) => s + f.wastedBytes, 0);
  return {
    layers: figures,
    total: {
      sizeBytes,
      wastedBytes,
      efficiency: sizeBytes === 0 ? 1 : (sizeBytes - wastedBytes) / sizeBytes,
      topWasted: stack.imageTop.list(),
    },
  };
}

function readNames(abs: string): Dirent[] {
  try {
    const names = readdirSync(fsPath(abs), { withFileTypes: true, encoding: 'latin1' });
    // latin1 strings compare as their bytes do.
    return names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (err) {
    throw new Error(`read layer ${printablePath(abs)}: ${(err as Error).message}`, { cause: err });
  }
}
