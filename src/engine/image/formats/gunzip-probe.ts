/**
 * A gzip file that may be a whole image archive (`docker save | gzip`) or a
 * gzip'd root filesystem. Its tar is decompressed into a temporary file
 * while its member names are watched: the first name no image archive has
 * (bin/, etc/) stops it there, and the rootfs import reads the original
 * file as before. An image archive ends up whole in the temporary file,
 * where its members can be indexed and read by seeking, as a plain tar's.
 */
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { UserError } from '../../errors.js';
import { TarParser } from '../tar-parser.js';
import { memberKind } from './member-kind.js';

class RootfsFound extends Error {}

export type GunzipProbe = { kind: 'rootfs' } | { kind: 'image'; tar: string; dir: string };

/** Decompresses path into a new directory under tempDir unless it is a rootfs; the caller removes dir. */
export async function gunzipProbe(path: string, tempDir: string): Promise<GunzipProbe> {
  const dir = mkdtempSync(join(tempDir, 'ovt-image-'));
  const tar = join(dir, 'archive.tar');
  const fd = openSync(tar, 'wx', 0o600);
  let open = true;
  const closeTar = (): void => {
    if (open) closeSync(fd);
    open = false;
  };
  let imageish = false;
  const parser = new TarParser({
    entry: (h) => {
      const kind = memberKind(h.name);
      if (kind === 'other' || (kind === 'unsafe' && !imageish)) throw new RootfsFound();
      if (kind === 'marker') imageish = true;
    },
    data: () => undefined,
    end: () => undefined,
  });
  const input = createReadStream(path);
  const gunzip = createGunzip({ chunkSize: 256 << 10 });
  input.on('error', (err) => gunzip.destroy(err));
  input.pipe(gunzip);
  try {
    for await (const chunk of gunzip) {
      const buf = chunk as Buffer;
      parser.push(buf);
      for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off);
    }
    parser.finish();
    closeTar();
    return { kind: 'image', tar, dir };
  } catch (err) {
    closeTar();
    rmSync(dir, { recursive: true, force: true });
    // A rootfs, or a file the rootfs import will name the fault of (corrupt gzip, not a tar).
    if (err instanceof RootfsFound || !imageish) return { kind: 'rootfs' };
    throw new UserError(
      `image ${path} is a gzip'd image archive that cannot be read whole (${(err as Error).message}): it is corrupt or truncated`,
    );
  } finally {
    input.destroy();
    gunzip.destroy();
  }
}
