/** `overlay-tui load FILE[:TAG]`: import every image of an archive (or the one tagged). */
import { InterruptedError } from '../engine/errors.js';
import { openImageSource, pickImage, splitImageArg } from '../engine/image/formats/index.js';
import { importImageReporting } from '../engine/image/import-image.js';
import { SignalGuard } from '../engine/signal-guard.js';
import { safeLine } from '../overlay/printable-path.js';
import { HELP_OPTION, ROOT_OPTION, parse, stateRootArg } from './args.js';
import { prepare } from './prepare.js';

export const LOAD_HELP = `NAME
    overlay-tui load - import the images of an archive into the store

SYNOPSIS
    overlay-tui load [--root DIR] FILE[:TAG]

DESCRIPTION
    Imports every image FILE holds, or with :TAG the one tagged TAG, as
    'run --image' would: each layer is extracted once, by diff_id, and
    shared with the images already stored that have it; every blob digest
    and diff_id is checked, and a layer that fails leaves nothing stored.
    FILE is detected by its content: a flat rootfs tarball (plain or gzip,
    as docker export writes).

    Prints one line per image: its tags, id (12 hex digits), and layers
    (how many were new, how many shared with images stored before).

OPTIONS
    --root DIR     state root (default: /var/lib/overlay-tui)
    -h, --help     show this help

EXIT STATUS
    0 if every image was imported; 125 on failure (nothing of the failed
    image stored), 2 if FILE holds several images and TAG names none.
`;

export async function loadCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    'load',
    argv,
    { ...ROOT_OPTION, ...HELP_OPTION },
    { min: 1, max: 1, what: 'FILE' },
  );
  if (values.help) {
    process.stdout.write(LOAD_HELP);
    return 0;
  }
  const store = prepare(['load', ...argv], stateRootArg(values.root));
  const { file, tag } = splitImageArg(positionals[0] ?? '');
  const guard = new SignalGuard();
  try {
    const source = await openImageSource(file);
    try {
      const images = tag === undefined ? source.images : [pickImage(source, tag)];
      for (const image of images) {
        const r = await importImageReporting(store, source, image, { signal: guard.signal });
        const tags = r.image.record.tags.length ? r.image.record.tags.join(', ') : '<none>';
        const n = r.image.layers.length;
        process.stdout.write(
          safeLine(
            `loaded ${tags} ${r.image.record.id.slice(0, 12)}: ${n} layer${n === 1 ? '' : 's'} (${r.extracted} new, ${r.reused} shared)`,
          ) + '\n',
        );
      }
    } finally {
      source.close();
    }
    return 0;
  } catch (err) {
    if (err instanceof InterruptedError && guard.exitCode !== undefined) {
      process.stderr.write(`overlay-tui: ${safeLine(err.message)} (${guard.receivedSignal})\n`);
      return guard.exitCode;
    }
    throw err;
  } finally {
    guard.dispose();
  }
}
