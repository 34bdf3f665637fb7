/**
 * A stored layer, layers/<hex>/{diff/,layer.json}: used only if root made
 * it (stored-record.ts), its record names its own diff_id, and diff/ is a
 * real directory. Anything else is refused with one line, never mounted.
 */
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { isRealDir } from '../no-follow.js';
import type { StateRoot } from '../state-root.js';
import type { LayerRecord, StoredLayer } from './image-record.js';
import { DIFF_ID, HEX_NAME, isCount, readRecordDir } from './stored-record.js';

export type LayerLookup =
  | { kind: 'absent' }
  | { kind: 'trusted'; layer: StoredLayer }
  | { kind: 'untrusted'; dir: string; why: string };

/** The hex of a 'sha256:<hex>' diff_id: the layer's directory name. */
export function layerHex(diffId: string): string {
  if (!DIFF_ID.test(diffId)) throw new Error(`not a sha256 diff_id: ${diffId}`);
  return diffId.slice('sha256:'.length);
}

export function layerDir(store: StateRoot, diffId: string): string {
  return join(store.layers, layerHex(diffId));
}

/** What is wrong with a parsed layer.json stored as `diffId`, or undefined. */
function layerRecordProblem(r: Record<string, unknown>, diffId: string): string | undefined {
  if (r.diffId !== diffId) return `names diff_id ${JSON.stringify(r.diffId)}, not its directory's`;
  for (const k of ['tarSize', 'entries', 'bytes', 'whiteouts', 'opaques'])
    if (!isCount(r[k])) return `lacks ${k}`;
  if (!Array.isArray(r.skipped) || !r.skipped.every((s) => typeof s === 'string'))
    return 'lacks skipped';
  if (typeof r.importedAt !== 'string') return 'lacks importedAt';
  return undefined;
}

/** The layer of diff_id `diffId`, checked. */
export function readStoredLayer(store: StateRoot, diffId: string): LayerLookup {
  if (!DIFF_ID.test(diffId)) return { kind: 'absent' };
  const read = readRecordDir(layerDir(store, diffId), 'layer.json');
  if (read.kind !== 'parsed') return read;
  const why = layerRecordProblem(read.record, diffId);
  if (why) return { kind: 'untrusted', dir: read.dir, why: `its layer.json ${why}` };
  const dir = join(read.dir, 'diff');
  if (!isRealDir(dir))
    return {
      kind: 'untrusted',
      dir: read.dir,
      why: 'it has no diff directory (or it is a symlink)',
    };
  return { kind: 'trusted', layer: { record: read.record as unknown as LayerRecord, dir } };
}

/** Every layer directory name in the store (64 hex digits), trusted or not. */
export function storedLayerHexes(names: readonly string[]): string[] {
  return names.filter((n) => HEX_NAME.test(n));
}

/** One line for a layer that is there but cannot be trusted. */
export function untrustedLayerError(dir: string, why: string): UserError {
  return new UserError(
    `refusing the stored layer ${dir}: ${why}, so overlay-tui did not make it and nothing was run from it; if you did not put it there, look at who did, then remove it (rm -rf ${dir}) and run again`,
  );
}
