/**
 * One layer into the store, by diff_id. A layer stored and trusted
 * already is reused, not read. Otherwise its blob is extracted
 * (layer-extract.ts: digests verified on the way) into a private
 * temporary directory under layers/, whose name carries our pid and start
 * time (stale-extractions.ts), its layer.json written, and the whole
 * renamed into place: an interrupted or failed extraction never leaves a
 * layer that a later run trusts. If another process renamed the same
 * layer first, ours is discarded and theirs used.
 */
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { errnoCode } from '../errors.js';
import { writeNewFile } from '../no-follow.js';
import type { StateRoot } from '../state-root.js';
import type { LayerRecord, StoredLayer } from './image-record.js';
import type { LayerBlob } from './image-source.js';
import { layerFailure, layerName, type LayerPlace } from './import-failure.js';
import { extractLayer } from './layer-extract.js';
import { progressLine } from './progress.js';
import { extractionDirName } from './stale-extractions.js';
import { layerDir, readStoredLayer, untrustedLayerError } from './stored-layer.js';

export interface StoredLayerResult {
  layer: StoredLayer;
  /** True when this call extracted it and put it in place (false: reused, or another process won). */
  placed: boolean;
}

function warnSkipped(p: LayerPlace, skipped: string[]): void {
  if (skipped.length === 0) return;
  const shown = skipped.slice(0, 3).join(', ');
  const more = skipped.length > 3 ? ` and ${skipped.length - 3} more` : '';
  // Each is "<kind> /path"; 'unknown' is what the parser calls GNU sparse files and other kinds.
  const devicesOnly = skipped.every((s) => !s.startsWith('unknown '));
  const what = devicesOnly
    ? 'device node(s)/FIFO(s)'
    : 'member(s) of kinds it does not make (device nodes, FIFOs, GNU sparse files, unknown types)';
  const why = devicesOnly ? '; containers get their own /dev' : '';
  const where = p.rootfs ? p.file : `${p.file}, ${layerName(p)}`;
  process.stderr.write(
    `overlay-tui: ${where}: skipped ${skipped.length} ${what} (${shown}${more})${why}\n`,
  );
}

/** The trusted stored layer diffId, or undefined; an untrusted one is refused. */
function trustedLayer(store: StateRoot, diffId: string): StoredLayer | undefined {
  const found = readStoredLayer(store, diffId);
  if (found.kind === 'untrusted') throw untrustedLayerError(found.dir, found.why);
  return found.kind === 'trusted' ? found.layer : undefined;
}

/** The layer stored already, if the archive names its diff_id and it is there. */
export function reusableLayer(store: StateRoot, blob: LayerBlob): StoredLayer | undefined {
  return blob.diffId ? trustedLayer(store, blob.diffId) : undefined;
}

/** Extracts blob into the store (see the file comment); reuses a stored one when it can. */
export async function storeLayer(
  store: StateRoot,
  blob: LayerBlob,
  place: LayerPlace,
  signal?: AbortSignal,
): Promise<StoredLayerResult> {
  const stored = reusableLayer(store, blob);
  if (stored) return { layer: stored, placed: false };
  const temp = join(store.layers, extractionDirName());
  mkdirSync(temp, { mode: 0o700 });
  const label = place.rootfs ? `extracting ${place.file.split('/').pop() ?? ''}` : layerName(place);
  const progress = progressLine(label, blob.size);
  let record: LayerRecord;
  try {
    const diff = join(temp, 'diff');
    // As Docker's layer roots, unless the tar's "./" says otherwise (layers/ is 0700).
    mkdirSync(diff, { mode: 0o755 });
    const expect = {
      ...(blob.diffId ? { diffId: blob.diffId } : {}),
      ...(blob.digest ? { blobDigest: blob.digest } : {}),
    };
    const result = await extractLayer(blob.open(), diff, {
      expect,
      ...(signal ? { signal } : {}),
      onProgress: (p) => progress.update(p, p.blobBytes),
    });
    record = {
      diffId: result.diffId,
      tarSize: result.tarSize,
      entries: result.entries,
      bytes: result.bytes,
      whiteouts: result.whiteouts,
      opaques: result.opaques,
      skipped: result.skipped,
      importedAt: new Date().toISOString(),
    };
    writeNewFile(join(temp, 'layer.json'), `${JSON.stringify(record, null, 2)}\n`, 0o644);
  } catch (err) {
    rmSync(temp, { recursive: true, force: true });
    throw layerFailure(err, place, signal);
  } finally {
    progress.done();
  }
  warnSkipped(place, record.skipped);
  let placed = true;
  try {
    renameSync(temp, layerDir(store, record.diffId));
  } catch (err) {
    // Another process (or, for a rootfs, an earlier import of the same
    // content) has it already: use that, if it can be trusted (ENOTDIR:
    // something that is not a directory is in the way).
    rmSync(temp, { recursive: true, force: true });
    if (!['ENOTEMPTY', 'EEXIST', 'ENOTDIR'].includes(errnoCode(err) ?? '')) throw err;
    placed = false;
  }
  const layer = trustedLayer(store, record.diffId);
  if (!layer) throw new Error(`layer ${record.diffId} vanished right after import`);
  return { layer, placed };
}
