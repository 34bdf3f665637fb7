/** `overlay-tui images`: the extracted images (lower directories) in the store. */
import { listImages, listStoredImages } from '../engine/image/store.js';
import { containerPaths, listContainerIds, readState } from '../engine/container/state.js';
import { humanBytes } from '../engine/human-bytes.js';
import { ago, table } from './format.js';
import { HELP_OPTION, ROOT_OPTION, parse, stateRootArg } from './args.js';
import { prepare } from './prepare.js';
import { safeLine } from '../overlay/printable-path.js';

export const IMAGES_HELP = `NAME
    overlay-tui images - list extracted images

SYNOPSIS
    overlay-tui images [--root DIR]

DESCRIPTION
    Lists the images extracted under the state root. Each is extracted once,
    keyed by the sha256 of its tarball, into a lower directory that is never
    written again.

    Columns: DIGEST (sha256 prefix), SOURCE (the file first imported),
    ENTRIES, SIZE (file data), IMPORTED, CONTAINERS (how many use it), LOWER.
    An image directory overlay-tui did not make (not root's alone, or its
    record does not match its name) is not listed, and never used: a line
    on stderr names it.

OPTIONS
    --root DIR     state root (default: /var/lib/overlay-tui)
    -h, --help     show this help
`;

export function imagesCommand(argv: string[]): number {
  const { values } = parse(
    'images',
    argv,
    { ...ROOT_OPTION, ...HELP_OPTION },
    { min: 0, max: 0, what: '' },
  );
  if (values.help) {
    process.stdout.write(IMAGES_HELP);
    return 0;
  }
  const store = prepare(['images', ...argv], stateRootArg(values.root));
  const users = new Map<string, number>();
  for (const id of listContainerIds(store)) {
    const digest = readState(containerPaths(store, id))?.image.digest;
    if (digest) users.set(digest, (users.get(digest) ?? 0) + 1);
  }
  const stored = listStoredImages(store); // each image.json read once
  const rows = listImages(store, stored).map(({ record, lower }) => [
    record.digest.slice(0, 12),
    safeLine(record.source),
    String(record.entries),
    humanBytes(record.bytes),
    ago(record.importedAt),
    String(users.get(record.digest) ?? 0),
    lower,
  ]);
  process.stdout.write(
    table(['DIGEST', 'SOURCE', 'ENTRIES', 'SIZE', 'IMPORTED', 'CONTAINERS', 'LOWER'], rows),
  );
  for (const s of stored) {
    if (s.kind === 'untrusted')
      process.stderr.write(safeLine(`overlay-tui: not listed, not used: ${s.dir} ${s.why}`) + '\n');
  }
  return 0;
}
