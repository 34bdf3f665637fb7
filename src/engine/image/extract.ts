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
 *   (setuid too), mtimes, hardlinks and empty directories are kept.
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
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { Header } from 'tar-stream';
import { memberPath, parentPaths, UnsafeArchiveError } from './member-path.js';

export { UnsafeArchiveError } from './member-path.js';

export interface ExtractProgress {
  entries: number;
  /** Bytes of file data written. */
  bytes: number;
}

export interface ExtractResult extends ExtractProgress {
  /** Device nodes, FIFOs and unknown member types that were not created. */
  skipped: string[];
}

export interface ExtractOptions {
  onProgress?: (progress: ExtractProgress) => void;
  signal?: AbortSignal;
}

type Kind = 'dir' | 'file' | 'symlink';

interface DirMeta {
  path: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
}

// What a new file's owner is without a chown: our own ids.
const OWN_UID = process.geteuid?.() ?? -1;
const OWN_GID = process.getegid?.() ?? -1;

const SKIPPED_TYPES = new Set(['character-device', 'block-device', 'fifo']);
const CREATE_FLAGS =
  constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

class Extraction {
  private readonly kinds = new Map<string, Kind>([['', 'dir']]);
  private readonly dirMeta = new Map<string, DirMeta>();
  readonly result: ExtractResult = { entries: 0, bytes: 0, skipped: [] };

  constructor(private readonly dest: string) {}

  private abs(rel: string): string {
    return rel === '' ? this.dest : join(this.dest, rel);
  }

  /** Creates missing parents; refuses to go through anything but a directory we made. */
  private prepareParents(rel: string, name: string): void {
    for (const parent of parentPaths(rel)) {
      const kind = this.kinds.get(parent);
      if (kind === 'dir') continue;
      if (kind === 'symlink') {
        throw new UnsafeArchiveError(
          `member "${name}" would be written through the symlink "${parent}"`,
        );
      }
      if (kind === 'file') {
        throw new UnsafeArchiveError(
          `member "${name}" needs "${parent}" to be a directory, but it is a file`,
        );
      }
      mkdirSync(this.abs(parent), 0o755);
      this.kinds.set(parent, 'dir');
    }
  }

  /** A later member replaces an earlier one of the same name, as with tar. */
  private clearExisting(rel: string, newKind: Kind): boolean {
    const kind = this.kinds.get(rel);
    if (kind === undefined) return false;
    if (kind === 'dir' && newKind === 'dir') return true;
    if (rel === '') throw new UnsafeArchiveError('the archive replaces its own root directory');
    if (kind === 'dir') {
      rmSync(this.abs(rel), { recursive: true });
      const prefix = `${rel}/`;
      for (const key of [...this.kinds.keys()]) if (key.startsWith(prefix)) this.kinds.delete(key);
      for (const key of [...this.dirMeta.keys()])
        if (key.startsWith(prefix)) this.dirMeta.delete(key);
      this.dirMeta.delete(rel);
    } else {
      unlinkSync(this.abs(rel));
    }
    this.kinds.delete(rel);
    return false;
  }

  async entry(header: Header, data: AsyncIterable<Buffer>): Promise<void> {
    this.result.entries++;
    const rel = memberPath(header.name);
    if (SKIPPED_TYPES.has(header.type ?? '')) {
      this.result.skipped.push(`${header.type} /${rel}`);
      return discard(data);
    }
    const kind = kindOf(header.type);
    if (kind === undefined && header.type !== 'link') {
      this.result.skipped.push(`${header.type ?? 'unknown'} /${rel}`);
      return discard(data);
    }
    this.prepareParents(rel, header.name);
    const mode = (header.mode ?? 0o644) & 0o7777;
    const uid = header.uid ?? 0;
    const gid = header.gid ?? 0;
    const mtime = header.mtime ?? new Date(0);
    const path = this.abs(rel);
    if (header.type === 'link') {
      this.hardlink(rel, header);
    } else if (kind === 'dir') {
      if (!this.clearExisting(rel, 'dir')) mkdirSync(path, 0o700);
      this.kinds.set(rel, 'dir');
      this.dirMeta.set(rel, { path, mode, uid, gid, mtime });
    } else if (kind === 'symlink') {
      this.clearExisting(rel, 'symlink');
      symlinkSync(header.linkname ?? '', path);
      if (uid !== OWN_UID || gid !== OWN_GID) lchownSync(path, uid, gid);
      lutimesSync(path, mtime, mtime);
      this.kinds.set(rel, 'symlink');
    } else {
      this.clearExisting(rel, 'file');
      this.kinds.set(rel, 'file');
      await this.writeFile(path, data, { mode, uid, gid, mtime });
    }
    // tar-stream attaches no data to a directory (its stream never ends): skip it.
    if (kind !== 'file' && kind !== 'dir') await discard(data);
  }

  private hardlink(rel: string, header: Header): void {
    const target = memberPath(header.linkname ?? '');
    const kind = this.kinds.get(target);
    // Only to something this archive already put inside the directory;
    // link(2) does not follow a symlink, so linking one is safe too.
    if (kind !== 'file' && kind !== 'symlink') {
      throw new UnsafeArchiveError(
        `hardlink "${header.name}" points at "${header.linkname ?? ''}", which is not a file extracted from this archive`,
      );
    }
    this.prepareParents(target, header.linkname ?? '');
    this.clearExisting(rel, kind);
    linkSync(this.abs(target), this.abs(rel));
    this.kinds.set(rel, kind);
  }

  private async writeFile(
    path: string,
    data: AsyncIterable<Buffer>,
    meta: Omit<DirMeta, 'path'>,
  ): Promise<void> {
    // Created with its final permission bits (the umask is 0 meanwhile) and,
    // as we are root, owned by 0:0 already: most files need no chown or
    // chmod, and on a large image those syscalls add up.
    const fd = openSync(path, CREATE_FLAGS, meta.mode & 0o777);
    try {
      for await (const chunk of data) {
        let off = 0;
        while (off < chunk.length) off += writeSync(fd, chunk, off);
        this.result.bytes += chunk.length;
      }
      if (meta.uid !== OWN_UID || meta.gid !== OWN_GID) fchownSync(fd, meta.uid, meta.gid);
      // After chown, which clears setuid/setgid.
      if (meta.mode & 0o7000) fchmodSync(fd, meta.mode);
      futimesSync(fd, meta.mtime, meta.mtime);
    } finally {
      closeSync(fd);
    }
  }

  /** Directory metadata last, deepest first: adding children changes mtimes, and 0555 would block them. */
  finishDirectories(): void {
    const dirs = [...this.dirMeta.values()].sort((a, b) => b.path.length - a.path.length);
    for (const d of dirs) {
      chownSync(d.path, d.uid, d.gid);
      chmodSync(d.path, d.mode);
      utimesSync(d.path, d.mtime, d.mtime);
    }
  }
}

/**
 * Reads and drops a member's data. tar-stream parses the next header only
 * once the current member's data has been read, so a symlink, hardlink,
 * device or unknown member (a GNU sparse file) whose header declares a size
 * would otherwise stall the import forever.
 */
async function discard(data: AsyncIterable<Buffer>): Promise<void> {
  for await (const _chunk of data) {
    // dropped
  }
}

function kindOf(type: Header['type']): Kind | undefined {
  switch (type) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'dir';
    case 'symlink':
      return 'symlink';
    default:
      return undefined;
  }
}

/**
 * tar-stream says "Unexpected end of data" both for a tar cut off inside a
 * member and for input shorter than one 512-byte header (a short text file):
 * the second is not a truncated tar, it is not a tar at all.
 */
function tooShort(err: unknown, entries: number): unknown {
  if (entries === 0 && err instanceof Error && err.message === 'Unexpected end of data')
    return new Error('the file ends before its first tar header');
  return err;
}

/**
 * Reads a (decompressed) tar stream into dest, which must be an empty
 * directory that nothing else writes to. Throws UnsafeArchiveError for a
 * hostile archive and the parser's error for a corrupt one; the caller
 * removes dest on failure.
 */
export async function extractTar(
  input: Readable,
  dest: string,
  opts: ExtractOptions = {},
): Promise<ExtractResult> {
  const { extract } = await import('tar-stream');
  const parser = extract();
  const job = new Extraction(dest);
  const umask = process.umask(0); // modes exactly as the archive says
  const feeding = pipeline(input, parser, opts.signal ? { signal: opts.signal } : {});
  // Surface a parse error even while we are between entries.
  const fed = feeding.then(
    () => undefined,
    (err: unknown) => err,
  );
  try {
    for await (const entry of parser) {
      await job.entry(entry.header, entry as AsyncIterable<Buffer>);
      opts.onProgress?.({ entries: job.result.entries, bytes: job.result.bytes });
    }
  } catch (err) {
    input.destroy();
    parser.destroy();
    throw tooShort(err, job.result.entries);
  } finally {
    process.umask(umask);
  }
  const feedError = await fed;
  if (feedError) throw tooShort(feedError, job.result.entries);
  if (job.result.entries === 0) throw new Error('the archive has no entries');
  job.finishDirectories();
  return job.result;
}
