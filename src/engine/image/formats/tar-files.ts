/**
 * A plain tar file as an image archive's members: indexed by walking its
 * headers (tar-walk.ts), while deciding whether it is an image archive at
 * all (member-kind.ts). Symlinks and hardlinks between members (podman's
 * <id>/layer.tar -> ../<diffid>.tar) are followed inside the index only, a
 * bounded number of hops, and never out of the archive.
 */
import { posix } from 'node:path';
import type { EntryType } from '../tar-header.js';
import { archiveError } from './archive-error.js';
import type { ArchiveFiles } from './archive-files.js';
import { cleanName, memberKind } from './member-kind.js';
import { readRange } from './read-range.js';
import { TarWalkError, walkTar, type WalkedMember } from './tar-walk.js';

const MAX_HOPS = 8;
/**
 * An image archive holds a few members per layer (a 128-layer docker save:
 * about 520); this many is something else, and its index is not kept.
 */
const MAX_MEMBERS = 100_000;

interface Member {
  type: EntryType;
  linkname: string;
  size: number;
  offset: number;
}

export type TarIndex = { kind: 'rootfs' } | { kind: 'image'; files: TarFiles };

export class TarFiles implements ArchiveFiles {
  constructor(
    readonly label: string,
    /** The tar file read (the archive, or its decompressed copy). */
    private readonly path: string,
    private readonly members: Map<string, Member>,
  ) {}

  /** The regular member name leads to, and whether a link was followed; throws on an escape or loop. */
  private resolve(name: string): { member: Member; linked: boolean } | undefined {
    let at = name;
    for (let hop = 0; hop <= MAX_HOPS; hop++) {
      const m = this.members.get(at);
      if (m === undefined) return undefined;
      if (m.type === 'file') return { member: m, linked: hop > 0 };
      if (m.type === 'link') at = this.inside(name, m.linkname, '');
      else if (m.type === 'symlink') at = this.inside(name, m.linkname, posix.dirname(at));
      else return undefined;
    }
    throw archiveError(this.label, name, `leads through more than ${MAX_HOPS} links (a loop?)`);
  }

  /** A link target as a member name; one that leaves the archive is refused. */
  private inside(name: string, target: string, from: string): string {
    if (target.startsWith('/'))
      throw archiveError(this.label, name, 'is a link to an absolute path, outside the archive');
    const parts: string[] = from === '.' || from === '' ? [] : from.split('/');
    for (const p of target.split('/')) {
      if (p === '' || p === '.') continue;
      if (p !== '..') parts.push(p);
      else if (parts.pop() === undefined)
        throw archiveError(this.label, name, 'is a link that leads out of the archive');
    }
    return parts.join('/');
  }

  size(name: string): number | undefined {
    return this.resolve(name)?.member.size;
  }

  private found(name: string): Member {
    const r = this.resolve(name);
    if (r === undefined) throw archiveError(this.label, name, 'is missing');
    return r.member;
  }

  async read(name: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of this.open(name)) chunks.push(c);
    return Buffer.concat(chunks);
  }

  open(name: string): AsyncIterable<Buffer> {
    const m = this.found(name);
    return readRange(this.path, m.offset, m.size, {
      short: () =>
        archiveError(this.label, name, 'is cut short: the archive changed or is truncated'),
    });
  }
}

/**
 * Walks the tar at path (a plain tar: the archive, or its decompressed
 * copy) and says whether it is an image archive, with its index, or a root
 * filesystem. label names the archive in messages.
 */
export function indexTar(path: string, label: string): TarIndex {
  const members = new Map<string, Member>();
  let marker = false;
  let current = '';
  try {
    for (const w of walkTar(path) as Iterable<WalkedMember>) {
      current = w.name;
      const kind = memberKind(w.name);
      if (kind === 'other') return { kind: 'rootfs' };
      if (kind === 'neutral') continue;
      if (kind === 'unsafe') {
        // Before any image-archive file, let the rootfs extraction refuse it (it says why).
        if (!marker) return { kind: 'rootfs' };
        throw archiveError(label, w.name, 'climbs out of the archive (".." or an absolute name)');
      }
      if (kind === 'marker') marker = true;
      if (members.size >= MAX_MEMBERS)
        throw archiveError(
          label,
          undefined,
          `holds more than ${MAX_MEMBERS} image archive members: it is no image archive this reads`,
        );
      const name = cleanName(w.name);
      const prior = members.get(name);
      if (prior !== undefined && !(prior.type === 'directory' && w.type === 'directory'))
        throw archiveError(label, w.name, 'appears twice in the archive');
      members.set(name, { type: w.type, linkname: w.linkname, size: w.size, offset: w.offset });
    }
  } catch (err) {
    if (!(err instanceof TarWalkError)) throw err;
    // Nothing of an image archive yet: the rootfs import reads it and says what is wrong with it.
    if (members.size === 0) return { kind: 'rootfs' };
    throw archiveError(label, current || undefined, err.message);
  }
  if (!members.has('manifest.json') && !members.has('index.json')) return { kind: 'rootfs' };
  return { kind: 'image', files: new TarFiles(label, path, members) };
}
