/**
 * Extracts an image tarball into a fresh directory, refusing anything that
 * could write outside it.
 *
 * Why not GNU tar or node-tar: GNU tar as root creates device nodes from the
 * archive (a 1:1 /dev/mem in a lower layer), and node-tar's safe mode
 * rewrites absolute symlink targets (/bin/sh -> busybox breaks). Here the
 * rules are ours and each is tested:
 *
 * - a member name with `..` is refused; a leading `/` or `./` is dropped;
 * - we extract into an empty directory nobody else writes, so we know every
 *   path we created and its type: a member whose parent is a symlink we
 *   made (`etc -> /etc`, then `etc/passwd`) is refused, whatever the link
 *   points at, and every final component is created with O_EXCL|O_NOFOLLOW;
 * - a hardlink may only point at a file already extracted from the archive;
 * - device nodes and FIFOs are skipped (counted, reported): a container gets
 *   its own /dev;
 * - absolute symlink targets are kept exactly as written; owners, modes
 *   (setuid too), mtimes, hardlinks and empty directories are kept;
 * - names and link targets are bytes: carried as byte strings
 *   (src/overlay/byte-path.ts), made with their exact bytes, shown escaped;
 * - a member whose header holds a value it cannot be made with (a uid past
 *   2^32, a time out of range, a hardlink to itself) refuses the import in
 *   one line naming it (member-errors.ts);
 * - pax xattrs are set after the owner (chown clears security.capability),
 *   except overlayfs's own, which only the kernel may write (member-xattrs.ts);
 * - in an image layer (`layer`), `.wh.` members are whiteouts and opaque
 *   markers (layer-whiteout.ts): none is written as a file; the whiteouts
 *   are made by the helper at the end, and a later member of the same path
 *   wins, as with tar.
 */
import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  linkSync,
  lutimesSync,
  mkdirSync,
  chmodSync,
  chownSync,
  utimesSync,
  openSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { resolve } from 'node:path';
import { bytesOf, fsPath } from '../../overlay/byte-path.js';
import { printablePath } from '../../overlay/printable-path.js';
import { makeWhiteouts } from '../helper.js';
import { layerMarker, OPAQUE_MARKER, type LayerMarker } from './layer-whiteout.js';
import { checkMemberValues, memberFailure, OddMemberError } from './member-errors.js';
import { memberXattrs, setMemberXattrs, setOpaque, type Xattrs } from './member-xattrs.js';
import { memberPath, parentPaths, UnsafeArchiveError } from './member-path.js';
import { TarParser, type TarHandler, type TarHeader } from './tar-parser.js';

export { UnsafeArchiveError } from './member-path.js';
export { OddMemberError } from './member-errors.js';

export interface ExtractProgress {
  entries: number;
  /** Bytes of file data written. */
  bytes: number;
}

export interface ExtractResult extends ExtractProgress {
  /** Device nodes, FIFOs and unknown member types that were not created. */
  skipped: string[];
  /** Whiteouts made (0 unless `layer`). */
  whiteouts: number;
  /** Directories made opaque (0 unless `layer`). */
  opaques: number;
  /** Xattrs not set, as "NAME on /path (why)": overlayfs's own, or ones the file system refused. */
  droppedXattrs: string[];
}

export interface ExtractOptions {
  /** Called after each chunk of input. */
  onProgress?: (progress: ExtractProgress) => void;
  signal?: AbortSignal;
  /** The tar is an image layer: `.wh.` members are whiteouts and opaque markers. */
  layer?: boolean;
}

/** 'whiteout': made by the helper at the end; nothing is on disk until then. */
type Kind = 'dir' | 'file' | 'symlink' | 'whiteout';

interface Meta {
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch. */
  mtime: number;
}

/** What is set on a member after it is made (a directory's, once all its children are). */
interface Pending {
  /** Relative, a byte string, as every path here. */
  rel: string;
  /** The member's name, for messages. */
  name: string;
  meta: Meta;
  xattrs: Xattrs;
}

// What a new file's owner is without a chown: our own ids.
const OWN_UID = process.geteuid?.() ?? -1;
const OWN_GID = process.getegid?.() ?? -1;

const SKIPPED_TYPES = new Set(['character-device', 'block-device', 'fifo', 'unknown']);
const CREATE_FLAGS =
  constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** fs takes seconds as a number, but turns a negative one into "now": give those as a Date. */
function time(seconds: number): number | Date {
  return seconds < 0 ? new Date(seconds * 1000) : seconds;
}

class Extraction implements TarHandler {
  private readonly kinds = new Map<string, Kind>([['', 'dir']]);
  private readonly dirMeta = new Map<string, Pending>();
  /** Directories a `.wh..wh..opq` member made opaque (while they stay directories). */
  private readonly opaqueDirs = new Set<string>();
  /** The last parent directory prepareParents() found to be ours (see there). */
  private checkedDir: string | undefined;
  /** The file whose data is arriving, while the current member is one. */
  private file: (Pending & { fd: number }) | undefined;
  readonly result: ExtractResult = {
    entries: 0,
    bytes: 0,
    skipped: [],
    whiteouts: 0,
    opaques: 0,
    droppedXattrs: [],
  };

  /** As given (text), for the helper; and as a byte string, as every path here. */
  private readonly destText: string;
  private readonly dest: string;

  constructor(
    dest: string,
    private readonly layer: boolean,
  ) {
    this.destText = resolve(dest);
    this.dest = bytesOf(this.destText);
  }

  /** rel is normalized already (memberPath): no need for path.join's normalizing. */
  private abs(rel: string): string {
    return rel === '' ? this.dest : `${this.dest}/${rel}`;
  }

  /** Creates missing parents; refuses to go through anything but a directory we made. */
  private prepareParents(rel: string, name: string): void {
    const slash = rel.lastIndexOf('/');
    if (slash < 0) return;
    // Members come grouped by directory: one that was fine a moment ago
    // still is, unless clearExisting() removed something since.
    const dir = rel.slice(0, slash);
    if (dir === this.checkedDir) return;
    for (const parent of parentPaths(rel)) {
      const kind = this.kinds.get(parent);
      if (kind === 'dir') continue;
      if (kind === 'symlink') {
        throw new UnsafeArchiveError(
          `member "${printablePath(name)}" would be written through the symlink "${printablePath(parent)}"`,
        );
      }
      if (kind === 'file') {
        throw new UnsafeArchiveError(
          `member "${printablePath(name)}" needs "${printablePath(parent)}" to be a directory, but it is a file`,
        );
      }
      // Not there, or a whiteout of this layer's (nothing on disk yet),
      // which the later member replaces.
      mkdirSync(fsPath(this.abs(parent)), 0o755);
      this.kinds.set(parent, 'dir');
    }
    this.checkedDir = dir;
  }

  /** A later member replaces an earlier one of the same name, as with tar. */
  private clearExisting(rel: string, newKind: Kind): boolean {
    const kind = this.kinds.get(rel);
    if (kind === undefined) return false;
    if (kind === 'dir' && newKind === 'dir') return true;
    if (rel === '') throw new UnsafeArchiveError('the archive replaces its own root directory');
    this.checkedDir = undefined;
    if (kind === 'dir') {
      rmSync(fsPath(this.abs(rel)), { recursive: true });
      const prefix = `${rel}/`;
      for (const key of [...this.kinds.keys()]) if (key.startsWith(prefix)) this.kinds.delete(key);
      for (const key of [...this.dirMeta.keys()])
        if (key.startsWith(prefix)) this.dirMeta.delete(key);
      for (const key of [...this.opaqueDirs])
        if (key.startsWith(prefix)) this.opaqueDirs.delete(key);
      this.dirMeta.delete(rel);
      this.opaqueDirs.delete(rel);
    } else if (kind !== 'whiteout') {
      unlinkSync(fsPath(this.abs(rel)));
    }
    this.kinds.delete(rel);
    return false;
  }

  /** A member's header. Skipped members get no open file, so their data is dropped. */
  entry(h: TarHeader): void {
    this.result.entries++;
    const rel = memberPath(h.name);
    // By name, whatever the member's type: a whiteout may be a hardlink to another.
    const marker = this.layer ? layerMarker(rel, h.name) : undefined;
    if (marker !== undefined) {
      try {
        this.mark(marker, h.name);
      } catch (err) {
        throw memberFailure(h.name, err);
      }
      return;
    }
    if (SKIPPED_TYPES.has(h.type)) {
      this.result.skipped.push(`${h.type} /${printablePath(rel)}`);
      return;
    }
    const meta: Meta = { mode: h.mode & 0o7777, uid: h.uid, gid: h.gid, mtime: h.mtime };
    checkMemberValues(h.name, meta);
    const { keep, dropped } = memberXattrs(h.xattrs);
    for (const x of dropped) this.dropXattr(x, rel, "overlayfs's own: only the kernel writes it");
    try {
      this.make(rel, h, meta, keep);
    } catch (err) {
      throw memberFailure(h.name, err);
    }
  }

  private dropXattr(name: string, rel: string, why: string): void {
    this.result.droppedXattrs.push(`${printablePath(name)} on /${printablePath(rel)} (${why})`);
  }

  /** Sets the member's xattrs on what make() created at rel. */
  private setXattrs(rel: string, isDir: boolean, xattrs: Xattrs, member: string): void {
    if (xattrs.length === 0) return;
    for (const x of setMemberXattrs(this.abs(rel), isDir, xattrs, member))
      this.dropXattr(x, rel, 'the file system refused it');
  }

  /** A whiteout or opaque marker: remembered, made at the end (finishLayer). */
  private mark(m: LayerMarker, member: string): void {
    if (m.kind === 'opaque') {
      // Makes the directory if this layer has no member for it.
      this.prepareParents(m.dir === '' ? OPAQUE_MARKER : `${m.dir}/${OPAQUE_MARKER}`, member);
      this.opaqueDirs.add(m.dir);
      return;
    }
    this.prepareParents(m.target, member);
    this.clearExisting(m.target, 'whiteout');
    this.kinds.set(m.target, 'whiteout');
  }

  private make(rel: string, h: TarHeader, meta: Meta, xattrs: Xattrs): void {
    this.prepareParents(rel, h.name);
    const at = fsPath(this.abs(rel));
    if (h.type === 'link') {
      this.hardlink(rel, h);
      this.setXattrs(rel, false, xattrs, h.name);
    } else if (h.type === 'directory') {
      if (!this.clearExisting(rel, 'dir')) mkdirSync(at, 0o700);
      this.kinds.set(rel, 'dir');
      this.dirMeta.set(rel, { rel, name: h.name, meta, xattrs });
    } else if (h.type === 'symlink') {
      this.clearExisting(rel, 'symlink');
      symlinkSync(fsPath(h.linkname), at);
      if (meta.uid !== OWN_UID || meta.gid !== OWN_GID) lchownSync(at, meta.uid, meta.gid);
      this.kinds.set(rel, 'symlink');
      this.setXattrs(rel, false, xattrs, h.name);
      lutimesSync(at, time(meta.mtime), time(meta.mtime));
    } else {
      this.clearExisting(rel, 'file');
      this.kinds.set(rel, 'file');
      // Created with its final permission bits (the umask is 0 meanwhile)
      // and, as we are root, owned by 0:0 already: most files need no chown
      // or chmod, and on a large image those syscalls add up.
      const fd = openSync(at, CREATE_FLAGS, meta.mode & 0o777);
      this.file = { fd, rel, name: h.name, meta, xattrs };
    }
  }

  data(slice: Buffer): void {
    const file = this.file;
    if (file === undefined) return;
    let off = 0;
    while (off < slice.length) off += writeSync(file.fd, slice, off);
    this.result.bytes += slice.length;
  }

  end(): void {
    const file = this.file;
    if (file === undefined) return;
    this.file = undefined;
    const { fd, meta } = file;
    try {
      if (meta.uid !== OWN_UID || meta.gid !== OWN_GID) fchownSync(fd, meta.uid, meta.gid);
      // After chown, which clears setuid/setgid, and security.capability.
      if (meta.mode & 0o7000) fchmodSync(fd, meta.mode);
      this.setXattrs(file.rel, false, file.xattrs, file.name);
      futimesSync(fd, time(meta.mtime), time(meta.mtime));
    } catch (err) {
      throw memberFailure(file.name, err);
    } finally {
      closeSync(fd);
    }
  }

  /** After a failure: the caller removes the directory, which needs no open file in it. */
  abandon(): void {
    if (this.file) closeSync(this.file.fd);
    this.file = undefined;
  }

  private hardlink(rel: string, h: TarHeader): void {
    const target = memberPath(h.linkname);
    // (tar would unlink the name, then fail to link what is gone.)
    if (target === rel)
      throw new OddMemberError(`hardlink "${printablePath(h.name)}" points at itself`);
    const kind = this.kinds.get(target);
    // Only to something this archive already put inside the directory;
    // link(2) does not follow a symlink, so linking one is safe too.
    if (kind !== 'file' && kind !== 'symlink') {
      throw new UnsafeArchiveError(
        `hardlink "${printablePath(h.name)}" points at "${printablePath(h.linkname)}", which is not a file extracted from this archive`,
      );
    }
    // Never makes a directory, nor refuses: a path is in `kinds` only while
    // every directory above it is one we made (clearExisting drops whole
    // subtrees). Kept as a second check; it costs a few lookups per link.
    this.prepareParents(target, h.linkname);
    this.clearExisting(rel, kind);
    linkSync(fsPath(this.abs(target)), fsPath(this.abs(rel)));
    this.kinds.set(rel, kind);
  }

  /**
   * A layer's whiteouts (one helper process for all) and opaque markers,
   * before finishDirectories: making a whiteout changes its directory's mtime.
   */
  finishLayer(): void {
    const whiteouts: string[] = [];
    for (const [rel, kind] of this.kinds) if (kind === 'whiteout') whiteouts.push(rel);
    makeWhiteouts(this.destText, whiteouts);
    for (const dir of this.opaqueDirs) setOpaque(this.abs(dir));
    this.result.whiteouts = whiteouts.length;
    this.result.opaques = this.opaqueDirs.size;
  }

  /** Directory metadata last, deepest first: adding children changes mtimes, and 0555 would block them. */
  finishDirectories(): void {
    const dirs = [...this.dirMeta.values()].sort((a, b) => b.rel.length - a.rel.length);
    for (const { rel, name, meta, xattrs } of dirs) {
      const at = fsPath(this.abs(rel));
      chownSync(at, meta.uid, meta.gid);
      chmodSync(at, meta.mode);
      this.setXattrs(rel, true, xattrs, name);
      utimesSync(at, time(meta.mtime), time(meta.mtime));
    }
  }
}

/**
 * Reads a (decompressed) tar stream into dest, which must be an empty
 * directory that nothing else writes to. Each chunk is parsed and written
 * synchronously, so a chunk costs one await whatever it holds. Throws
 * UnsafeArchiveError for a hostile archive and the parser's error for a
 * corrupt one; the caller removes dest on failure.
 */
export async function extractTar(
  input: AsyncIterable<Buffer>,
  dest: string,
  opts: ExtractOptions = {},
): Promise<ExtractResult> {
  const job = new Extraction(dest, opts.layer ?? false);
  const parser = new TarParser(job);
  const umask = process.umask(0); // modes exactly as the archive says
  try {
    opts.signal?.throwIfAborted();
    // Leaving this loop early (an error, an abort) closes the input.
    for await (const chunk of input) {
      parser.push(chunk);
      opts.onProgress?.({ entries: job.result.entries, bytes: job.result.bytes });
      opts.signal?.throwIfAborted();
    }
    parser.finish();
  } catch (err) {
    job.abandon();
    throw err;
  } finally {
    process.umask(umask);
  }
  if (job.result.entries === 0) throw new Error('the archive has no entries');
  if (opts.layer) job.finishLayer();
  job.finishDirectories();
  return job.result;
}
