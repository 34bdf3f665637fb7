/** What every command does first: check root, open the state root, clean up after crashes. */
import { requireOverlayfs, requireRoot } from '../engine/preflight.js';
import { openStateRoot, type StateRoot } from '../engine/state-root.js';
import { recoverDeadContainers } from '../engine/container/recover.js';
import { removeStaleExtractions } from '../engine/image/stale-extractions.js';
import { requireHelper } from '../engine/helper.js';

export function prepare(argv: readonly string[], root: string): StateRoot {
  requireRoot(argv);
  requireOverlayfs();
  requireHelper();
  const store = openStateRoot(root);
  for (const r of recoverDeadContainers(store)) {
    process.stderr.write(
      `overlay-tui: container ${r.id} was left running by a process that died; ${r.kept ? 'stopped it and kept its upper' : 'removed it'}\n`,
    );
  }
  // Quietly, as 'clean --help' says: an interrupted import's partial copy.
  removeStaleExtractions(store);
  return store;
}
