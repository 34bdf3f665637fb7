/** `overlay-tui diff`: what a container's upper layer holds, in `docker diff` form with the overlay reason. */
import { scanLayer, takePathTooLong, tooLongMessage } from '../overlay/index.js';
import { diffJson, diffLine } from '../overlay/index.js';
import { bytesOf } from '../overlay/byte-path.js';
import { classifyLayers } from '../engine/layers/classify-container.js';
import { LowerLoader } from '../engine/layers/lower-loader.js';
import { HELP_OPTION, ROOT_OPTION, parse, stateRootArg } from './args.js';
import { namedContainer } from './container-arg.js';
import { prepare } from './prepare.js';
import type { ContainerState } from '../engine/container/state.js';

export const DIFF_HELP = `NAME
    overlay-tui diff - show what a container changed, and why overlayfs stored it so

SYNOPSIS
    overlay-tui diff [--root DIR] [--json] NAME

DESCRIPTION
    Reads the container's upper directory (a running container, or one kept
    with --keep) and the lower layers beneath it, and prints one line per
    entry of upper, sorted by path, as 'docker diff' does:

        A /root/x        added: only upper has it
        C /etc/passwd    changed: upper and a lower both have it (directories too)
        D /bin/ls        deleted: a whiteout hides it

    followed by the overlay reason: copy-up: data, copy-up: metadata (mode,
    owner, times), copy-up: directory (with ", metadata (mode, owner)" when
    its own mode or owner changed), new, whiteout, opaque (deleted and made
    again), redirect: OLD (a renamed directory), metacopy. In an image of
    several layers the reason names the layer of the lower entry it comes
    from or hides: 'copy-up: data, from layer 3 (RUN echo hi >> /etc/passwd)',
    'whiteout over layer 1 (ADD file:... in /)'; with --json, "lower" also
    carries that layer's "number" (1 = the bottom) and "diffId".

    Names are shown as 'ls -b' shows them, so that each entry is one line
    and nothing in a name acts on your terminal: control characters escaped
    (\\n, \\t, \\x1b), a backslash doubled, bytes that are not UTF-8 as
    \\xNN. With --json a name that is valid UTF-8 is given exactly; one that
    is not is given escaped in "path" (and "redirect", "originPath"), with
    its exact bytes in base64 in "pathBytes" (and "redirectBytes",
    "originPathBytes").

OPTIONS
    --json         print the full classification as JSON, one object per entry
    --root DIR     state root (default: /var/lib/overlay-tui)
    -h, --help     show this help
`;

const OPTIONS = { json: { type: 'boolean' }, ...ROOT_OPTION, ...HELP_OPTION } as const;

/**
 * What `diff` prints for a container's upper over its lowers: one line per
 * upper entry, or the JSON rows; its layers' labels (topmost first) name
 * the layer of each lower entry.
 */
export function diffOutput(
  upperDir: string,
  state: Pick<ContainerState, 'lowers' | 'layers' | 'userns'>,
  json: boolean,
): string {
  const lowers = new LowerLoader(state.lowers);
  const upper = scanLayer(bytesOf(upperDir));
  const { changes } = classifyLayers(
    upperDir,
    upper,
    state.lowers,
    lowers,
    'trusted',
    undefined,
    state.userns,
  );
  if (json)
    return `${JSON.stringify(
      changes.map((c) => diffJson(c, state.layers)),
      null,
      2,
    )}\n`;
  return changes.map((c) => `${diffLine(c, state.layers)}\n`).join('');
}

export function diffCommand(argv: string[]): number {
  const { values, positionals } = parse('diff', argv, OPTIONS, { min: 1, max: 1, what: 'NAME' });
  if (values.help) {
    process.stdout.write(DIFF_HELP);
    return 0;
  }
  const store = prepare(['diff', ...argv], stateRootArg(values.root));
  const { paths, state } = namedContainer(store, positionals[0] ?? '');
  takePathTooLong(); // only what this scan leaves out
  const out = diffOutput(paths.upper, state, values.json === true);
  const tooLong = takePathTooLong();
  if (tooLong !== undefined) process.stderr.write(`overlay-tui: ${tooLongMessage(tooLong)}\n`);
  process.stdout.write(out);
  return 0;
}
