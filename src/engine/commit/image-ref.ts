/**
 * The name an image is tagged with: `name[:tag]`, as Docker's reference
 * grammar has it (lower-case path components, an optional registry host
 * in front, a tag of word characters). Pure.
 */
import { UsageError } from '../errors.js';

export interface ImageRef {
  /** 'busybox', 'example.com:5000/team/app'. */
  name: string;
  tag: string;
}

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const HOST =
  '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)?';
const NAME = new RegExp(`^${HOST}${COMPONENT}(?:/${COMPONENT})*$`);
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** `name:tag` or `name` (tag latest); a usage error of `commit` otherwise. */
export function parseImageRef(text: string): ImageRef {
  const slash = text.lastIndexOf('/');
  const colon = text.lastIndexOf(':');
  const hasTag = colon > slash;
  const ref = hasTag
    ? { name: text.slice(0, colon), tag: text.slice(colon + 1) }
    : { name: text, tag: 'latest' };
  if (!NAME.test(ref.name) || ref.name.length > 255 || !TAG.test(ref.tag)) {
    throw new UsageError(
      `--tag: '${text}' is not an image name (lower-case letters, digits and . _ -, then an optional :TAG) (see 'overlay-tui commit --help')`,
      'commit',
    );
  }
  return ref;
}

/** The default tag of a committed container: its name in lower case, tag latest. */
export function defaultImageRef(container: string): ImageRef {
  const name = container
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, '-')
    .replace(/^[^a-z0-9]+/, '');
  return parseImageRef(name || 'committed');
}

export function refText(ref: ImageRef): string {
  return `${ref.name}:${ref.tag}`;
}

/**
 * The fully qualified name containerd and Docker 25+ write in index.json
 * (io.containerd.image.name): docker.io/library/busybox:latest.
 */
export function qualifiedName(ref: ImageRef): string {
  const first = ref.name.split('/')[0] ?? '';
  const hasHost = ref.name.includes('/') && (/[.:]/.test(first) || first === 'localhost');
  const name = hasHost
    ? ref.name
    : ref.name.includes('/')
      ? `docker.io/${ref.name}`
      : `docker.io/library/${ref.name}`;
  return `${name}:${ref.tag}`;
}
