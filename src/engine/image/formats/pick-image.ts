/**
 * Which image of an archive the user means: `FILE:TAG` names one; an
 * archive of one image needs no tag; several without a tag are one line
 * listing them (exit 2, a usage mistake).
 */
import { existsSync } from 'node:fs';
import { UserError } from '../../errors.js';
import type { ImageSource, SourceImage } from '../image-source.js';
import { sha256Of } from './config-member.js';
import { refVariants } from './image-refs.js';

/**
 * 'FILE:TAG' -> {file, tag}. A path that exists as given is a file with no
 * tag (a file name may hold ':'); else the split is at the last ':' after
 * the last '/', so "dir:x/file" is never split inside a directory name.
 */
export function splitImageArg(arg: string): { file: string; tag?: string } {
  if (existsSync(arg)) return { file: arg };
  const colon = arg.lastIndexOf(':');
  if (colon <= 0 || colon < arg.lastIndexOf('/') || colon === arg.length - 1) return { file: arg };
  // "FILE:name:tag" keeps "name:tag" whole: split at the first ':' that leaves an existing file.
  for (let at = arg.indexOf(':'); at > 0; at = arg.indexOf(':', at + 1)) {
    if (at < arg.lastIndexOf('/')) continue;
    if (existsSync(arg.slice(0, at))) return { file: arg.slice(0, at), tag: arg.slice(at + 1) };
  }
  return { file: arg.slice(0, colon), tag: arg.slice(colon + 1) };
}

const listed = (source: ImageSource): string =>
  source.images
    .map((i, n) => (i.tags.length ? i.tags.join(' = ') : `(untagged image ${n + 1})`))
    .join(', ');

function matches(image: SourceImage, tag: string): boolean {
  const wanted = new Set(refVariants(tag));
  if (image.tags.some((t) => t === tag || refVariants(t).some((v) => wanted.has(v)))) return true;
  // An image id (or a prefix of 12+ hex), as `docker images` shows it.
  const id = tag.startsWith('sha256:') ? tag.slice(7) : tag;
  return (
    /^[0-9a-f]{12,64}$/.test(id) &&
    image.configBytes !== undefined &&
    sha256Of(image.configBytes).startsWith(id)
  );
}

export function pickImage(source: ImageSource, tag?: string): SourceImage {
  if (tag === undefined) {
    const [only, ...more] = source.images;
    if (only !== undefined && more.length === 0) return only;
    throw new UserError(
      `image ${source.path} holds ${source.images.length} images: name one as ${source.path}:TAG (${listed(source)})`,
      2,
    );
  }
  const found = source.images.filter((i) => matches(i, tag));
  const [one, ...others] = found;
  if (one !== undefined && others.length === 0) return one;
  if (one === undefined)
    throw new UserError(
      `image ${source.path} has no image tagged ${tag}; it has: ${listed(source)}`,
      2,
    );
  throw new UserError(
    `image ${source.path}: ${tag} names ${found.length} images; give a full tag (${listed(source)})`,
    2,
  );
}
