/**
 * A container's layers, classified: the upper tree, the lower trees loaded
 * along upper's paths, the merged view computed from them, and every upper
 * entry's classification. Used once by `diff`, and after every burst of
 * changes by the watcher.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import {
  classifyUpper,
  computeMerged,
  entryAt,
  type LayerEntry,
  type LowerPlace,
  type MergedView,
  type UpperChange,
  type UpperState,
  type XattrNamespace,
} from '../../overlay/index.js';
import type { LowerLoader } from './lower-loader.js';

export interface ClassifiedLayers {
  upper: LayerEntry;
  view: MergedView;
  changes: UpperChange[];
  /** Every upper path (but the root) with its classification and entry. */
  states: Map<string, UpperState>;
}

/** Byte-for-byte comparison, only asked for files of equal size whose mtime moved. */
function sameContent(a: string, b: string): boolean {
  const fa = openSync(a, 'r');
  const fb = openSync(b, 'r');
  try {
    const ba = Buffer.alloc(1 << 16);
    const bb = Buffer.alloc(1 << 16);
    for (;;) {
      const na = readSync(fa, ba);
      const nb = readSync(fb, bb);
      if (na !== nb || !ba.subarray(0, na).equals(bb.subarray(0, nb))) return false;
      if (na === 0) return true;
    }
  } finally {
    closeSync(fa);
    closeSync(fb);
  }
}

export function classifyLayers(
  upperDir: string,
  upper: LayerEntry,
  lowerDirs: readonly string[],
  lowers: LowerLoader,
  ns: XattrNamespace = 'trusted',
): ClassifiedLayers {
  lowers.ensureUnder(upper, ns);
  const view = computeMerged({ upper, lowers: lowers.roots }, { xattrNamespace: ns });
  const sameData = (path: string, lower: LowerPlace): boolean | undefined => {
    const lowerDir = lowerDirs[lower.layer];
    if (lowerDir === undefined) return undefined;
    try {
      return sameContent(join(upperDir, path), join(lowerDir, lower.path));
    } catch {
      return undefined; // changed under us: the next burst says what it is
    }
  };
  const changes = classifyUpper(view, { sameData });
  const states = new Map<string, UpperState>();
  for (const change of changes) {
    const entry = entryAt(upper, change.path);
    if (entry) states.set(change.path, { change, entry });
  }
  return { upper, view, changes, states };
}
