/** `overlay-tui images` (the images and their layers in the store) and `images rm`. */
import { humanBytes } from '../engine/human-bytes.js';
import type { LayeredImage } from '../engine/image/image-record.js';
import { removeImages } from '../engine/image/remove-images.js';
import { listImages } from '../engine/image/store.js';
import { storeUsage } from '../engine/image/store-usage.js';
import { readStoredLayer, storedLayerHexes } from '../engine/image/stored-layer.js';
import type { StateRoot } from '../engine/state-root.js';
import { safeLine } from '../overlay/printable-path.js';
import { ago, table } from './format.js';
import { HELP_OPTION, ROOT_OPTION, parse, stateRootArg } from './args.js';
import { prepare } from './prepare.js';
import { readdirSync } from 'node:fs';

export const IMAGES_HELP = `NAME
    overlay-tui images - list or remove images and their layers

SYNOPSIS
    overlay-tui images [--root DIR]
    overlay-tui images rm [--root DIR] IMAGE...

DESCRIPTION
    Lists the images in the state root's store. Each layer is extracted
    once, by diff_id (the sha256 of its uncompressed tar), into a read-only
    directory under layers/; an image is a record of its config and its
    layers, so images that share a base share its layer directories.

    Columns: TAG (as the archive named it, <none> if it did not), ID (the
    first 12 hex digits of the sha256 of its config, as Docker's IMAGE ID),
    LAYERS, SIZE (file data of all its layers), SHARED (the part of SIZE in
    layers that other images use too), CONTAINERS (how many were made from
    it), IMPORTED. The last line is the store's total, each shared layer
    counted once. An image or layer overlay-tui did not make (not root's
    alone, or its record does not match its name) is not listed, and never
    used: a line on stderr names it. Image directories of the previous
    store format (images/<sha256>/lower) are not used: one line says how
    many there are; 'images rm' or 'clean' removes them.

    'images rm' removes each IMAGE (a tag, an id, or the start of an id),
    then every layer of it that no other image and no container uses; a
    layer kept says by what. An image a container was made from is
    refused, naming the container, and then nothing is removed.

OPTIONS
    --root DIR     state root (default: /var/lib/overlay-tui)
    -h, --help     show this help

EXIT STATUS
    0 on success; 125 if an IMAGE is unknown or in use (nothing removed).
`;

const layerBytes = (image: LayeredImage): number =>
  image.layers.reduce((sum, l) => sum + l.record.bytes, 0);

/** Untrusted or half-made layers on stderr; nothing else reads every layer directory. */
function reportUntrustedLayers(store: StateRoot): void {
  let names: string[];
  try {
    names = readdirSync(store.layers);
  } catch {
    return;
  }
  for (const hex of storedLayerHexes(names)) {
    const found = readStoredLayer(store, `sha256:${hex}`);
    if (found.kind === 'untrusted')
      process.stderr.write(
        safeLine(`overlay-tui: not listed, not used: ${found.dir}: ${found.why}`) + '\n',
      );
  }
}

function listCommand(store: StateRoot): number {
  const usage = storeUsage(store);
  const images = listImages(store, usage.stored);
  const users = new Map<string, number>(); // diff_id -> listed images that have it
  for (const image of images)
    for (const d of new Set(image.record.layers)) users.set(d, (users.get(d) ?? 0) + 1);
  const rows = images.map((image) => {
    const shared = image.layers
      .filter((l) => (users.get(l.record.diffId) ?? 0) > 1)
      .reduce((sum, l) => sum + l.record.bytes, 0);
    return [
      image.record.tags.length ? image.record.tags.map((t) => safeLine(t)).join(', ') : '<none>',
      image.record.id.slice(0, 12),
      String(image.layers.length),
      humanBytes(layerBytes(image)),
      humanBytes(shared),
      String(usage.containersByImage.get(image.record.id)?.length ?? 0),
      ago(image.record.importedAt),
    ];
  });
  process.stdout.write(
    table(['TAG', 'ID', 'LAYERS', 'SIZE', 'SHARED', 'CONTAINERS', 'IMPORTED'], rows),
  );
  const unique = new Map<string, number>();
  for (const image of images)
    for (const l of image.layers) unique.set(l.record.diffId, l.record.bytes);
  const total = [...unique.values()].reduce((a, b) => a + b, 0);
  process.stdout.write(
    `total: ${images.length} image(s), ${unique.size} layer(s), ${humanBytes(total)} (shared layers counted once)\n`,
  );
  for (const s of usage.stored) {
    if (s.kind === 'untrusted')
      process.stderr.write(
        safeLine(`overlay-tui: not listed, not used: ${s.dir}: ${s.why}`) + '\n',
      );
    if (s.kind === 'trusted' && !images.some((i) => i.record.id === s.record.id))
      process.stderr.write(
        `overlay-tui: not listed: image ${s.record.id.slice(0, 12)} has layers missing or untrusted (import it again, or 'overlay-tui images rm ${s.record.id.slice(0, 12)}')\n`,
      );
  }
  reportUntrustedLayers(store);
  const old = usage.stored.filter((s) => s.kind === 'old').length;
  if (old > 0)
    process.stderr.write(
      `overlay-tui: ${old} image director${old === 1 ? 'y' : 'ies'} of the previous store format (images/<sha256>/lower) not used: 'overlay-tui clean' removes those no container uses\n`,
    );
  return 0;
}

function rmSubcommand(argv: string[]): number {
  const { values, positionals } = parse(
    'images rm',
    argv,
    { ...ROOT_OPTION, ...HELP_OPTION },
    { min: 1, max: Infinity, what: 'IMAGE' },
  );
  if (values.help) {
    process.stdout.write(IMAGES_HELP);
    return 0;
  }
  const store = prepare(['images', 'rm', ...argv], stateRootArg(values.root));
  const { lines } = removeImages(store, positionals);
  for (const line of lines) process.stdout.write(`${line}\n`);
  return 0;
}

export function imagesCommand(argv: string[]): number {
  if (argv[0] === 'rm') return rmSubcommand(argv.slice(1));
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
  return listCommand(prepare(['images', ...argv], stateRootArg(values.root)));
}
