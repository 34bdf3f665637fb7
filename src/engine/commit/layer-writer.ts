/**
 * Writes a layer tar: a container's upper (over its lowers), or a stored
 * layer directory. Returns its diff_id (the sha256 of the tar, which is
 * uncompressed) and size. What goes in, and in what order: layer-plan.ts.
 *
 * A stored layer's tar is made anew from its directory, so its diff_id is
 * the original one only if the bytes come out the same (they rarely do:
 * another tool wrote the original, in its own order and header form). An
 * exported image therefore lists the new diff_ids in its config.
 */
import { closeSync, constants, fstatSync, openSync, rmSync } from 'node:fs';
import { bytesOf, fsPath } from '../../overlay/byte-path.js';
import { baseName, parentPath, type LayerRef } from '../../overlay/layer-entry.js';
import { scanLayer } from '../../overlay/layer-scan.js';
import { printablePath } from '../../overlay/printable-path.js';
import { tarXattrs } from './entry-xattrs.js';
import { NO_LOWERS, planLayer, type PlannedItem } from './layer-plan.js';
import type { TarMember } from './tar-encode.js';
import { OVERFLOW_ID, type IdMap } from '../../overlay/id-map.js';
import { TarSink } from './tar-sink.js';

export interface WrittenLayer {
  /** 'sha256:<hex>' of the tar. */
  diffId: string;
  /** Bytes of the tar. */
  size: number;
  /** Tar members written (whiteouts and opaque markers included). */
  members: number;
  /** What could not be carried over, one line each (a socket, an unreadable xattr). */
  warnings: string[];
}

/** What an upper is written from: the container's directories (topmost lower first). */
export interface UpperSource {
  upper: string;
  lowers: readonly string[];
  /** --userns: upper holds host ids (base+N); the layer gets the container's (N). */
  userns?: IdMap;
}

/** A host id of an upper entry as the container's id; unmapped ones as the overflow id. */
function containerId(id: number, map: IdMap | undefined): number {
  if (!map) return id;
  return id >= map.base && id < map.base + map.size ? id - map.base : OVERFLOW_ID;
}

const seconds = (ms: number): number => Math.floor(ms / 1000);

/** 'a/b' for '/a/b'; directories get the trailing '/' that image tools write. */
function tarName(path: string, isDir: boolean): string {
  return `${path.slice(1)}${isDir ? '/' : ''}`;
}

class LayerTarWriter {
  private readonly firstName = new Map<string, string>();
  members = 0;
  readonly warnings: string[] = [];

  constructor(
    private readonly sink: TarSink,
    private readonly roots: { upper: string; lowers: readonly string[] },
    private readonly userns?: IdMap,
  ) {}

  private abs(ref: LayerRef): string {
    const root = ref.layer === 'upper' ? this.roots.upper : this.roots.lowers[ref.layer];
    if (root === undefined) throw new Error(`no lower layer ${String(ref.layer)}`);
    return ref.path === '/' ? root : `${root}${ref.path}`;
  }

  write(item: PlannedItem): void {
    const e = item.entry;
    const mtime = seconds(e.mtimeMs);
    if (item.what === 'whiteout') {
      const name = `${tarName(parentPath(item.path), true)}.wh.${baseName(item.path)}`;
      this.put({
        name: name.replace(/^\//, ''),
        kind: 'file',
        mode: 0o600,
        uid: 0,
        gid: 0,
        size: 0,
        mtime,
      });
      return;
    }
    if (item.what === 'opaque') {
      const name = `${tarName(item.path, true)}.wh..wh..opq`;
      this.put({ name, kind: 'file', mode: 0o600, uid: 0, gid: 0, size: 0, mtime });
      return;
    }
    if (e.type === 'socket') {
      this.warnings.push(
        `${printablePath(item.path)}: a socket, which a tar cannot hold: left out`,
      );
      return;
    }
    const source = this.abs(item.ref);
    const m: TarMember = {
      name: tarName(item.path, e.type === 'dir'),
      kind: e.type === 'char' || e.type === 'block' || e.type === 'symlink' ? e.type : 'file',
      mode: e.mode,
      uid: item.ref.layer === 'upper' ? containerId(e.uid, this.userns) : e.uid,
      gid: item.ref.layer === 'upper' ? containerId(e.gid, this.userns) : e.gid,
      size: 0,
      mtime,
    };
    if (e.type === 'dir') m.kind = 'dir';
    if (e.type === 'fifo') m.kind = 'fifo';
    if (e.type === 'symlink') m.linkname = e.target ?? '';
    if (e.rdev && (e.type === 'char' || e.type === 'block')) {
      m.devmajor = e.rdev.major;
      m.devminor = e.rdev.minor;
    }
    const xattrs = tarXattrs(source, (abs) =>
      this.warnings.push(`${printablePath(abs)}: its name is not UTF-8: its xattrs were not read`),
    );
    if (xattrs) m.xattrs = xattrs;
    if (e.type !== 'file') {
      this.put(m);
      return;
    }
    if (item.linkKey !== undefined) {
      const first = this.firstName.get(item.linkKey);
      if (first !== undefined) {
        this.put({ ...m, kind: 'link', linkname: first });
        return;
      }
      this.firstName.set(item.linkKey, m.name);
    }
    this.putFile(m, item.data ? this.abs(item.data) : source);
  }

  private put(m: TarMember): void {
    this.sink.member(m);
    this.members++;
  }

  private putFile(m: TarMember, dataPath: string): void {
    const fd = openSync(fsPath(dataPath), constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new Error(`${printablePath(dataPath)} is no longer a regular file`);
      this.sink.memberFromFd({ ...m, size: st.size }, fd, printablePath(dataPath));
      this.members++;
    } finally {
      closeSync(fd);
    }
  }
}

/** Writes the layer to outFile (made new, 0600); removes it again if anything fails. */
function writeLayerFile(outFile: string, roots: UpperSource, withLowers: boolean): WrittenLayer {
  const fd = openSync(outFile, 'wx', 0o600);
  let ok = false;
  try {
    const sink = new TarSink(fd);
    const upperDir = bytesOf(roots.upper);
    const lowerDirs = roots.lowers.map(bytesOf);
    const writer = new LayerTarWriter(sink, { upper: upperDir, lowers: lowerDirs }, roots.userns);
    const plan = planLayer({
      upper: scanLayer(upperDir),
      lowers: withLowers ? () => lowerDirs.map((d) => scanLayer(d)) : NO_LOWERS,
      ns: 'trusted',
    });
    for (const item of plan) writer.write(item);
    sink.end();
    ok = true;
    return {
      diffId: sink.digest(),
      size: sink.bytes,
      members: writer.members,
      warnings: writer.warnings,
    };
  } finally {
    closeSync(fd);
    if (!ok) rmSync(outFile, { force: true });
  }
}

/**
 * A container's upper as a layer tar at outFile. A running container must
 * be frozen meanwhile (freeze.ts): the upper is read as it is on disk.
 */
export function writeUpperLayer(container: UpperSource, outFile: string): WrittenLayer {
  return writeLayerFile(outFile, container, true);
}

/** A stored layer directory (whiteouts as 0/0 devices, opaque xattrs) as a layer tar at outFile. */
export function writeLayerFromDir(layerDir: string, outFile: string): WrittenLayer {
  return writeLayerFile(outFile, { upper: layerDir, lowers: [] }, false);
}
