/**
 * What one image layer's own entry does to the layers under it, in the
 * letters `docker diff` uses: A (added: nothing below at that path), C
 * (changed: it replaces what is below, or a directory that holds changes),
 * D (a whiteout: deletes what is below). An opaque directory is a C that
 * also hides every child below it. Pure: the caller gives the entry as the
 * layers below show it (their merged view at that path), or undefined.
 */
import { isOpaqueDir, isWhiteout } from './entry-rules.js';
import type { LayerEntry, XattrNamespace } from './layer-entry.js';

export type LayerChangeLetter = 'A' | 'C' | 'D';

export interface LayerChange {
  letter: LayerChangeLetter;
  /** A directory marked opaque: nothing below it shows through. */
  opaque?: true;
  /** D: there was nothing below to delete (a whiteout left over, or a tool's quirk). */
  deletesNothing?: true;
}

export function layerChange(
  entry: LayerEntry,
  below: LayerEntry | undefined,
  ns: XattrNamespace = 'trusted',
): LayerChange {
  if (isWhiteout(entry, ns)) return below ? { letter: 'D' } : { letter: 'D', deletesNothing: true };
  const opaque = entry.type === 'dir' && isOpaqueDir(entry, ns);
  const letter: LayerChangeLetter = below ? 'C' : 'A';
  return opaque ? { letter, opaque: true } : { letter };
}
