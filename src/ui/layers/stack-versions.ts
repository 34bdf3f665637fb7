/**
 * Every version of one path down the stack, for the inspector: upper's
 * entry, then each lower layer's own entry at that path (a whiteout
 * included: it is what that layer holds there), top first, with the
 * contents of regular files as read-versions.ts reads them (capped, never
 * following a symlink, the parent checked to lie inside its layer). The
 * inspector's I/O, as readVersions: the session calls it, the store keeps
 * the result, the components only draw it.
 */
import {
  baseName,
  isMetacopy,
  scanEntry,
  type LayerEntry,
  type LayerId,
} from '../../overlay/index.js';
import type { XattrNamespace } from '../../overlay/index.js';
import { insideLayer, readContent, type Content } from '../../engine/layers/read-versions.js';

export interface StackVersion {
  /** 'upper', or the lower's index (0 = topmost). */
  layer: LayerId;
  entry: LayerEntry;
  /** Regular files only. */
  content?: Content;
}

function versionIn(
  dir: string,
  layer: LayerId,
  path: string,
  ns: XattrNamespace,
): StackVersion | undefined {
  const abs = insideLayer(dir, path);
  const entry = abs ? scanEntry(abs, baseName(path)) : undefined;
  if (!abs || !entry) return undefined;
  delete entry.children; // the entry, not a listing
  const v: StackVersion = { layer, entry };
  if (entry.type === 'file') {
    // A metacopy upper file is sparse: its bytes are not the data.
    v.content = isMetacopy(entry, ns) ? { kind: 'in-lower' } : readContent(abs);
  }
  return v;
}

/** The path's versions: upper's (when upperDir is given) then each lower's, top first. */
export function readStackVersions(
  upperDir: string | undefined,
  lowerDirs: readonly string[],
  path: string,
  ns: XattrNamespace = 'trusted',
): StackVersion[] {
  const out: StackVersion[] = [];
  const upper = upperDir === undefined ? undefined : versionIn(upperDir, 'upper', path, ns);
  if (upper) out.push(upper);
  lowerDirs.forEach((dir, i) => {
    const v = versionIn(dir, i, path, ns);
    if (v) out.push(v);
  });
  return out;
}
