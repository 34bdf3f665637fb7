/** `overlay-tui layers IMAGE`: what each layer of an image adds, changes, deletes and wastes. */
import { humanBytes } from '../engine/human-bytes.js';
import { layerLabels, type LayeredImage } from '../engine/image/image-record.js';
import { resolveImage } from '../engine/image/resolve-image.js';
import {
  reportLayers,
  type ImageFigures,
  type ReportOptions,
} from '../engine/layers/layer-report.js';
import { trimCreatedBy } from '../overlay/layer-label.js';
import { printablePath, printableText, withJsonPaths } from '../overlay/printable-path.js';
import { HELP_OPTION, ROOT_OPTION, parse, stateRootArg } from './args.js';
import { table } from './format.js';
import { prepare } from './prepare.js';

export const LAYERS_HELP = `NAME
    overlay-tui layers - what each layer of an image does, and the space it wastes

SYNOPSIS
    overlay-tui layers [--root DIR] [--json] IMAGE

DESCRIPTION
    Reads every layer of IMAGE (a tag or an image id, as 'overlay-tui
    images' lists them) as it is stored, and prints one row per layer,
    bottom (1) first:

        LAYER      its number in the stack (1 = the bottom)
        DIFF ID    the sha256 of its uncompressed tar, shortened
        A C D      its entries, as 'docker diff' letters against the layers
                   below: A added (nothing below at that path), C changed
                   (it replaces what is below, directories included), D
                   deleted (a whiteout); an opaque directory is counted in
                   A or C and noted
        SIZE       the bytes of file data it stores (a hard-linked file's once)
        WASTED     the bytes of its files that a higher layer replaces or
                   deletes (a whiteout of the file or of a directory above
                   it, or an opaque directory): still in the image, never seen
        CREATED BY the instruction that made it (the image's history)

    and then the image's total size and wasted space, and the paths that
    waste most. Names are shown as 'ls -b' shows them. With --json the full
    report: a name that is valid UTF-8 is given exactly, one that is not is
    given escaped in "path", with its exact bytes in base64 in "pathBytes".

OPTIONS
    --json         print the full report as JSON
    --root DIR     state root (default: /var/lib/overlay-tui)
    -h, --help     show this help
`;

const OPTIONS = { json: { type: 'boolean' }, ...ROOT_OPTION, ...HELP_OPTION } as const;

/** The report of an image's layers, each named by its label (number, diff_id, created_by). */
export function imageFigures(image: LayeredImage, opts: ReportOptions = {}): ImageFigures {
  const labels = layerLabels(image).reverse(); // bottom first, as image.layers
  const layers = image.layers.map((l, i) => ({
    dir: l.dir,
    label: labels[i] ?? { number: i + 1, diffId: l.record.diffId, createdBy: '' },
  }));
  return reportLayers(layers, opts);
}

/** 'sha256:3f1a…' as its first 12 hex digits. */
function shortId(diffId: string): string {
  return diffId.replace(/^sha256:/, '').slice(0, 12);
}

const count = (n: number): string => n.toLocaleString('en');

function percent(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}

/** The table, the image's totals and the paths that waste most, as `layers` prints them. */
export function formatLayers(figures: ImageFigures): string {
  const rows = figures.layers.map((l) => [
    String(l.number),
    shortId(l.diffId),
    count(l.added),
    count(l.changed),
    l.opaque > 0 ? `${count(l.deleted)} (+${count(l.opaque)} opaque)` : count(l.deleted),
    humanBytes(l.sizeBytes),
    humanBytes(l.wastedBytes),
    printableText(trimCreatedBy(l.createdBy)),
  ]);
  const t = figures.total;
  const n = figures.layers.length;
  let out = table(['LAYER', 'DIFF ID', 'A', 'C', 'D', 'SIZE', 'WASTED', 'CREATED BY'], rows);
  out += `\n${n} layer${n === 1 ? '' : 's'}, ${humanBytes(t.sizeBytes)} of file data, ${humanBytes(t.wastedBytes)} wasted (efficiency ${percent(t.efficiency)})\n`;
  if (t.topWasted.length > 0) {
    out += '\nwasted most (bytes a higher layer replaced or deleted):\n';
    const top = t.topWasted.map((w) => [
      humanBytes(w.bytes),
      `layer ${w.layer}, lost to layer ${w.by}`,
      printablePath(w.path),
    ]);
    out += table(['SIZE', 'WHERE', 'PATH'], top)
      .split('\n')
      .map((line) => (line ? `  ${line}` : line))
      .join('\n');
  }
  return out;
}

/** The report as `layers --json` writes it: paths made JSON-ready (printable-path.ts). */
export function layersJson(image: LayeredImage, figures: ImageFigures): object {
  return {
    image: { id: image.record.id, tags: image.record.tags },
    layers: figures.layers.map((l) => ({
      ...l,
      topWasted: l.topWasted.map((w) => withJsonPaths(w, ['path'])),
    })),
    total: {
      ...figures.total,
      topWasted: figures.total.topWasted.map((w) => withJsonPaths(w, ['path'])),
    },
  };
}

/** What `layers` prints for an image (text or --json). */
export function layersOutput(image: LayeredImage, json: boolean): string {
  const figures = imageFigures(image);
  return json ? `${JSON.stringify(layersJson(image, figures), null, 2)}\n` : formatLayers(figures);
}

export function layersCommand(argv: string[]): number {
  const { values, positionals } = parse('layers', argv, OPTIONS, {
    min: 1,
    max: 1,
    what: 'IMAGE',
  });
  if (values.help) {
    process.stdout.write(LAYERS_HELP);
    return 0;
  }
  const store = prepare(['layers', ...argv], stateRootArg(values.root));
  const image = resolveImage(store, positionals[0] ?? '');
  process.stdout.write(layersOutput(image, values.json === true));
  return 0;
}
