/**
 * Checks the model's data source: a merged regular file must read the same
 * bytes as the layer file the model says its data comes from (the top
 * entry, or the lower file under a metacopy).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LayerId } from '../../src/overlay/layer-entry.js';
import { walkMerged, type MergedEntry, type MergedView } from '../../src/overlay/merged-view.js';

export function contentMismatches(
  view: MergedView,
  layerDir: (id: LayerId) => string,
  mountPoint: string,
  which: (m: MergedEntry) => boolean,
): string[] {
  const out: string[] = [];
  for (const m of walkMerged(view.root)) {
    if (m.type !== 'file' || !which(m)) continue;
    const source = m.data ?? m.top;
    const expected = readFileSync(join(layerDir(source.layer), source.path));
    const actual = readFileSync(join(mountPoint, m.path));
    if (!expected.equals(actual)) {
      out.push(`  ${m.path}: data from ${source.layer}:${source.path} differs from the mount`);
    }
  }
  return out;
}
