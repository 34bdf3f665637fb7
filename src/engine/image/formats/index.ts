/**
 * PLACEHOLDER, replaced at merge by the real archive reader (the
 * image-formats branch: docker save, OCI layouts and archives, podman's
 * docker-archive). It exists only so that the layered store on this branch
 * compiles and runs: it reads a flat rootfs tarball (plain or gzip) as one
 * layer of unknown diff_id, with the same three exports and signatures as
 * the real one. Keep it minimal.
 */
import { createReadStream } from 'node:fs';
import { UserError } from '../../errors.js';
import { inspectArchive } from '../archive-file.js';
import type { ImageSource, SourceImage } from '../image-source.js';

/** FILE[:TAG]: the tag is what follows the last ':' after the last '/', if anything does. */
export function splitImageArg(arg: string): { file: string; tag?: string } {
  const slash = arg.lastIndexOf('/');
  const colon = arg.indexOf(':', slash + 1);
  if (colon <= slash + 1 || colon === arg.length - 1) return { file: arg };
  return { file: arg.slice(0, colon), tag: arg.slice(colon + 1) };
}

export function openImageSource(
  path: string,
  _opts: { tempDir?: string } = {},
): Promise<ImageSource> {
  const archive = inspectArchive(path); // one line for a missing, non-regular, empty or xz file
  const image: SourceImage = {
    tags: [],
    config: { history: [] },
    layers: [
      {
        size: archive.size,
        where: path,
        open: () => createReadStream(path) as AsyncIterable<Buffer>,
      },
    ],
  };
  return Promise.resolve({ form: 'rootfs', path, images: [image], close() {} });
}

export function pickImage(source: ImageSource, tag?: string): SourceImage {
  const tags = source.images.flatMap((i) => i.tags);
  const found =
    tag === undefined ? source.images : source.images.filter((i) => i.tags.includes(tag));
  const [one] = found;
  if (one && found.length === 1) return one;
  throw new UserError(
    tag === undefined
      ? `${source.path} holds ${source.images.length} images: pick one as FILE:TAG (${tags.join(', ')})`
      : `${source.path} has no image tagged ${tag} (it has: ${tags.join(', ') || 'no tags'})`,
    2,
  );
}
