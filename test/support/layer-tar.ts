/** Reading a layer tar back in a test (tar-stream's extract): every member, in order, with its data and pax xattrs. */
import { createReadStream } from 'node:fs';
import { extract } from 'tar-stream';

export interface TarRead {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  linkname: string | null;
  data: Buffer;
  /**
   * Names of the SCHILY.xattr.* pax records (tar-stream decodes their values
   * as UTF-8, which mangles binary ones: check those with paxRecordIn).
   */
  xattrs: string[];
}

export async function readTar(file: string): Promise<TarRead[]> {
  const out: TarRead[] = [];
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (h, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => {
        chunks.push(c as Buffer);
      });
      stream.on('end', () => {
        const xattrs = Object.keys(h.pax ?? {})
          .filter((k) => k.startsWith('SCHILY.xattr.'))
          .map((k) => k.slice('SCHILY.xattr.'.length))
          .sort();
        out.push({
          name: h.name,
          type: h.type ?? 'file',
          mode: (h.mode ?? 0) & 0o7777,
          uid: h.uid ?? 0,
          gid: h.gid ?? 0,
          size: h.size ?? 0,
          linkname: h.linkname ?? null,
          data: Buffer.concat(chunks),
          xattrs,
        });
        next();
      });
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  createReadStream(file).pipe(ex);
  await done;
  return out;
}

/** True if the tar's bytes hold the pax record KEY=VALUE exactly (binary values included). */
export function paxRecordIn(tar: Buffer, key: string, value: Buffer): boolean {
  const body = Buffer.concat([Buffer.from(` ${key}=`, 'latin1'), value, Buffer.from('\n')]);
  const len = body.length + String(body.length + 2).length;
  return tar.includes(Buffer.concat([Buffer.from(String(len)), body]));
}
