/** `overlay-tui clean`: recover what crashed runs left behind, and say what was done. */
import { recoverDeadContainers } from '../engine/container/recover.js';
import { detectLayout, removeStrayCgroups } from '../engine/cgroup/index.js';
import { containerPaths, listContainerIds, readState } from '../engine/container/state.js';
import { removeStaleExtractions } from '../engine/image/store.js';
import { removeOldImages } from '../engine/image/remove-images.js';
import { requireOverlayfs, requireRoot } from '../engine/preflight.js';
import { requireHelper } from '../engine/helper.js';
import { openStateRoot } from '../engine/state-root.js';
import { HELP_OPTION, ROOT_OPTION, parse, stateRootArg } from './args.js';

export const CLEAN_HELP = `NAME
    overlay-tui clean - clean up after runs that died

SYNOPSIS
    overlay-tui clean [--root DIR]

DESCRIPTION
    Finds containers whose overlay-tui process is gone (killed with -9, a
    closed terminal, a crash): kills whatever still runs in them, unmounts
    their overlay, and removes upper, work and merged (a container started
    with --keep is stopped and keeps its upper). Also removes layer and
    image extractions that were interrupted, image directories of the
    previous store format (images/<sha256>/lower) that no container uses,
    and cgroups named overlay-tui/ID that no container owns any more
    (empty, and older than a minute). Every command does the first two
    quietly at start; 'clean' does all of them explicitly and reports each
    step. Nothing is deleted while anything is still mounted on or under it.

OPTIONS
    --root DIR     state root (default: /var/lib/overlay-tui)
    -h, --help     show this help
`;

export function cleanCommand(argv: string[]): number {
  const { values } = parse(
    'clean',
    argv,
    { ...ROOT_OPTION, ...HELP_OPTION },
    { min: 0, max: 0, what: '' },
  );
  if (values.help) {
    process.stdout.write(CLEAN_HELP);
    return 0;
  }
  requireRoot(['clean', ...argv]);
  requireOverlayfs();
  requireHelper();
  const store = openStateRoot(stateRootArg(values.root));
  const containers = recoverDeadContainers(store);
  const extractions = removeStaleExtractions(store);
  // This root's containers that still run keep theirs, even when empty for a moment.
  const live = new Set(
    listContainerIds(store).filter(
      (id) => readState(containerPaths(store, id))?.status !== 'stopped',
    ),
  );
  const strays = removeStrayCgroups(detectLayout(), live);
  const old = removeOldImages(store);
  for (const c of containers) {
    process.stdout.write(
      `container ${c.id}: killed, unmounted, ${c.kept ? 'stopped (upper kept)' : 'removed'}\n`,
    );
  }
  for (const e of extractions) process.stdout.write(`interrupted extraction ${e}: removed\n`);
  for (const dir of strays) process.stdout.write(`stray cgroup ${dir}: removed\n`);
  for (const id of old)
    process.stdout.write(`image ${id.slice(0, 12)} of the previous store format: removed\n`);
  if (containers.length + extractions.length + strays.length + old.length === 0)
    process.stdout.write('nothing to clean\n');
  return 0;
}
