/** `overlay-tui commit`: a container's upper as a new image layer, written as an archive Docker and podman load. */
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError } from '../engine/errors.js';
import { SignalGuard } from '../engine/signal-guard.js';
import { ARCHIVE_FORMATS, type ArchiveFormat } from '../engine/commit/image-archive.js';
import { commitContainer } from '../engine/commit/commit-container.js';
import type { ContainerState } from '../engine/container/state.js';
import type { ImageConfig } from '../engine/image/image-record.js';
import { loadImage } from '../engine/image/stored-image.js';
import type { StateRoot } from '../engine/state-root.js';
import { defaultImageRef, parseImageRef, refText } from '../engine/commit/image-ref.js';
import { safeLine } from '../overlay/printable-path.js';
import { HELP_OPTION, ROOT_OPTION, parse, stateRootArg, usageError } from './args.js';
import { namedContainer } from './container-arg.js';
import { prepare } from './prepare.js';

export const COMMIT_HELP = `NAME
    overlay-tui commit - write a container's upper as a new image layer

SYNOPSIS
    overlay-tui commit [--tag NAME[:TAG]] [--output|-o FILE]
                       [--format docker|oci] [--root DIR] NAME

DESCRIPTION
    Writes the container's upper directory as a layer tar in the form image
    tools read, on top of its image's layers: a deleted file becomes a
    .wh.NAME whiteout, a directory deleted and made again (opaque) becomes
    the directory followed by DIR/.wh..wh..opq and its new children, a
    renamed directory (redirect) is written in full at its new path with a
    whiteout at the old one, a metacopy file gets its data from the lower
    layer, and overlayfs's own xattrs (trusted.overlay.*) are left out;
    other xattrs (security.capability) are kept. The same upper gives the
    same layer, byte for byte.

    A running container is frozen with its cgroup's freezer while its upper
    is read, and thawed afterwards; a kept (stopped) container is read as it
    is.

    Without -o the new image is stored: its base layers are shared with the
    image the container was made from (nothing is copied), the new layer is
    stored once by its diff_id, and 'overlay-tui run --image NAME:TAG'
    starts it ('overlay-tui images' lists it).

    With -o the image (its layers, the new one on top, and a config with a
    history entry 'overlay-tui commit NAME') is written to FILE, which
    'docker load -i FILE' and 'podman load -i FILE' take. The image's own
    layers are written again from their directories, so their diff_ids in
    the archive's config are those of the new tars.

OPTIONS
    --tag NAME[:TAG]  the image's name (default: the container's name, :latest)
    -o, --output FILE write the image archive to FILE
    --format docker|oci
                      docker (the default): the form 'docker save' of Docker
                      25+ writes (an OCI layout plus manifest.json), which
                      Docker 20.10 loads too; oci: an OCI image archive
    --root DIR        state root (default: /var/lib/overlay-tui)
    -h, --help        show this help
`;

const OPTIONS = {
  tag: { type: 'string' },
  output: { type: 'string', short: 'o' },
  format: { type: 'string' },
  ...ROOT_OPTION,
  ...HELP_OPTION,
} as const;

function formatArg(value: string | undefined): ArchiveFormat {
  if (value === undefined) return 'docker';
  if ((ARCHIVE_FORMATS as readonly string[]).includes(value)) return value as ArchiveFormat;
  throw usageError('commit', `--format: '${value}' is not one of ${ARCHIVE_FORMATS.join(', ')}`);
}

/** The config of the image the container was made from, if it is still stored. */
function baseConfigOf(store: StateRoot, state: ContainerState): { baseConfig?: ImageConfig } {
  try {
    const image = loadImage(store, state.image.digest);
    return image ? { baseConfig: image.record.config } : {};
  } catch {
    return {}; // an untrusted record: the labels give the history instead
  }
}

export async function commitCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse('commit', argv, OPTIONS, { min: 1, max: 1, what: 'NAME' });
  if (values.help) {
    process.stdout.write(COMMIT_HELP);
    return 0;
  }
  const format = formatArg(values.format);
  const name = positionals[0] ?? '';
  const ref = values.tag !== undefined ? parseImageRef(values.tag) : defaultImageRef(name);
  const store = prepare(['commit', ...argv], stateRootArg(values.root));
  const target = namedContainer(store, name);
  const out = values.output !== undefined ? resolve(values.output) : undefined;
  const tty = process.stderr.isTTY;
  // The writing is synchronous: a signal is seen when it ends. It is still
  // caught, so that the temporary layer tars are removed (and a frozen
  // container thawed, freeze.ts) instead of the process dying half way;
  // an archive finished meanwhile is removed again.
  const guard = new SignalGuard();
  let result;
  try {
    result = await commitContainer(store, target, {
      ref,
      format,
      ...baseConfigOf(store, target.state),
      ...(out !== undefined ? { out } : {}),
      ...(tty ? { onStep: (line: string) => process.stderr.write(`overlay-tui: ${line}\n`) } : {}),
    });
    for (let i = 0; i < 2; i++) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 5));
  } finally {
    guard.dispose();
  }
  const sig = guard.receivedSignal;
  if (sig) {
    if (out !== undefined) rmSync(out, { force: true });
    throw new UserError(`stopped on ${sig}; nothing was written`, guard.exitCode);
  }
  for (const w of result.warnings) process.stderr.write(`overlay-tui: ${safeLine(w)}\n`);
  const id = result.storedImageId !== undefined ? `sha256:${result.storedImageId}` : undefined;
  const parts = [refText(ref), result.archiveImageId ?? id, `layer ${result.layer.diffId}`];
  if (out !== undefined) parts.push(`-> ${out} (${format})`);
  process.stdout.write(`${parts.filter((p) => p !== undefined).join(' ')}\n`);
  return 0;
}
