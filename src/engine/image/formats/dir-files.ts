/**
 * An OCI image layout directory as an image archive's members. Only the
 * names a layout has are reachable (oci-layout, index.json,
 * blobs/sha256/<hex>), and none through a symlink: the layout's files are
 * read as found, never followed elsewhere on the machine.
 */
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { archiveError } from './archive-error.js';
import type { ArchiveFiles } from './archive-files.js';
import { HEX64 } from './digest-ref.js';
import { readRange } from './read-range.js';

export class DirFiles implements ArchiveFiles {
  constructor(
    readonly label: string,
    private readonly dir: string,
  ) {}

  private allowed(name: string): boolean {
    if (name === 'oci-layout' || name === 'index.json') return true;
    const parts = name.split('/');
    return (
      parts.length === 3 &&
      parts[0] === 'blobs' &&
      parts[1] === 'sha256' &&
      HEX64.test(parts[2] ?? '')
    );
  }

  size(name: string): number | undefined {
    if (!this.allowed(name)) return undefined;
    const parts = name.split('/');
    let path = this.dir;
    for (const [i, part] of parts.entries()) {
      path = join(path, part);
      const st = lstatSync(path, { throwIfNoEntry: false });
      if (st === undefined) return undefined;
      if (st.isSymbolicLink())
        throw archiveError(
          this.label,
          parts.slice(0, i + 1).join('/'),
          "is a symlink: an OCI layout's files are read only as they are",
        );
      const last = i === parts.length - 1;
      if (last ? !st.isFile() : !st.isDirectory()) return undefined;
      if (last) return st.size;
    }
    return undefined;
  }

  async read(name: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of this.open(name)) chunks.push(c);
    return Buffer.concat(chunks);
  }

  open(name: string): AsyncIterable<Buffer> {
    const size = this.size(name);
    if (size === undefined) throw archiveError(this.label, name, 'is missing');
    return readRange(join(this.dir, name), 0, size, {
      noFollow: true,
      short: () => archiveError(this.label, name, 'changed while it was read'),
    });
  }
}
