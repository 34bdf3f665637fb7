/**
 * `overlay-tui commit`: a container's upper as a new layer on top of its
 * image's, written as an image archive (-o) and, once the layered store is
 * in, stored as a new image (commitToStore). A running container is frozen
 * while its upper is read; a kept one is read as it is.
 */
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { UserError, errnoCode } from '../errors.js';
import type { ContainerPaths, ContainerState } from '../container/state.js';
import type { ImageConfig } from '../image/image-record.js';
import type { StateRoot } from '../state-root.js';
import { parseImageConfig } from '../image/formats/image-config.js';
import type { SourceImage } from '../image/image-source.js';
import { importImage } from '../image/import-image.js';
import { whileFrozen } from './freeze.js';
import { buildImageConfig } from './image-config.js';
import { writeImageArchive, type ArchiveFormat, type ArchiveLayer } from './image-archive.js';
import { refText, type ImageRef } from './image-ref.js';
import { writeLayerFromDir, writeUpperLayer, type WrittenLayer } from './layer-writer.js';

export interface CommitTarget {
  paths: ContainerPaths;
  state: ContainerState;
  running: boolean;
}

export interface CommitOptions {
  ref: ImageRef;
  /** Write an image archive here. */
  out?: string;
  format: ArchiveFormat;
  /** The base image's config, where the store has it. */
  baseConfig?: ImageConfig;
  /** RFC 3339; default now. */
  created?: string;
  /** Told each step (a layer written), for progress on a terminal. */
  onStep?: (line: string) => void;
}

export interface CommitResult {
  /** The new layer. */
  layer: WrittenLayer;
  /** The exported archive's config digest (Docker's image id), when -o was given. */
  archiveImageId?: string;
  /** The new image's id in the store, when it was stored (no -o). */
  storedImageId?: string;
  warnings: string[];
}

/**
 * What the store needs to record a committed image: the new layer's tar and
 * diff_id, and a config whose rootfs.diff_ids are the base image's layers as
 * stored (ContainerState.layers) plus the new one.
 */
export interface NewImage {
  ref: ImageRef;
  /** The new layer's tar (a temporary file: the store moves or copies it, it is removed after). */
  layerTar: string;
  diffId: string;
  size: number;
  /** Config JSON bytes; its sha256 is the image id. */
  config: Buffer;
  /** The base layers' diff_ids as stored, bottom first (shared, not written again). */
  baseDiffIds: string[];
}

/**
 * Stores the new image as an import would (import-image.ts): the base
 * layers are found stored by diff_id and shared, never read; the new layer
 * is extracted from its tar once, verified against its diff_id; the record
 * is tagged ref and keeps the config's bytes (its sha256 is the image id).
 */
export async function commitToStore(store: StateRoot, image: NewImage): Promise<string> {
  const tag = refText(image.ref);
  const { config } = parseImageConfig(JSON.parse(image.config.toString('utf8')), tag, 'config');
  const missing = (diffId: string) => (): AsyncIterable<Buffer> => {
    throw new UserError(
      `the base layer ${diffId} of the committed container is no longer stored: nothing was committed`,
    );
  };
  const source: SourceImage = {
    tags: [tag],
    configBytes: image.config,
    config,
    layers: [
      ...image.baseDiffIds.map((diffId) => ({
        diffId,
        size: 0,
        where: diffId,
        open: missing(diffId),
      })),
      {
        diffId: image.diffId,
        size: image.size,
        where: 'the new layer',
        open: () => createReadStream(image.layerTar) as AsyncIterable<Buffer>,
      },
    ],
  };
  const stored = await importImage(
    store,
    { form: 'commit', path: image.layerTar, images: [source], close: () => undefined },
    source,
  );
  return stored.record.id;
}

function check(target: CommitTarget): void {
  const { state } = target;
  if (target.running) return;
  if (state.status === 'running' || state.status === 'creating' || state.status === 'stopping') {
    throw new UserError(
      `container ${state.id} is ${state.status} but its process is gone: run any overlay-tui command to recover it, then commit`,
    );
  }
}

/** The base layers' diff_ids as the store knows them (the record's labels), bottom first. */
function storedBaseDiffIds(state: ContainerState): string[] {
  if (state.layers && state.layers.length === state.lowers.length)
    return [...state.layers].reverse().map((l) => l.diffId);
  return [];
}

export async function commitContainer(
  store: StateRoot,
  target: CommitTarget,
  opts: CommitOptions,
): Promise<CommitResult> {
  check(target);
  const { state, paths } = target;
  const created = opts.created ?? new Date().toISOString();
  // Layer tars go beside the output (the same file system: the archive is
  // assembled from them), or under the state root for the store.
  const near = opts.out ? dirname(opts.out) : store.root;
  // The user's own path: a symlinked directory is fine here (this is not the state root).
  if (!statSync(near, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UserError(
      `${near} is not a directory: cannot write ${opts.out ?? 'the layer'} there`,
    );
  }
  const tmp = mkdtempSync(join(near, `.${opts.out ? basename(opts.out) : 'commit'}-`));
  try {
    const source = {
      upper: paths.upper,
      lowers: state.lowers,
      ...(state.userns ? { userns: state.userns } : {}),
    };
    const upperTar = join(tmp, 'upper.tar');
    const read = () => {
      try {
        return writeUpperLayer(source, upperTar);
      } catch (err) {
        // A file system's refusal (the container removed meanwhile, a full
        // disk) is the user's to act on; anything else is a bug and says so.
        const cause = (err as { cause?: unknown }).cause ?? err;
        const code = errnoCode(cause);
        if (code === undefined) throw err;
        const why = code === 'ENOSPC' ? 'no space left on the device' : (err as Error).message;
        throw new UserError(`could not write container ${state.id}'s upper as a layer: ${why}`);
      }
    };
    const layer = target.running ? await whileFrozen(state.cgroup, state.id, read) : read();
    opts.onStep?.(`new layer: ${layer.members} entries, ${layer.size} bytes, ${layer.diffId}`);
    const warnings = [...layer.warnings];
    const result: CommitResult = { layer, warnings };
    if (opts.out) {
      // Base layers are written again from their directories: bottom first.
      const base: ArchiveLayer[] = [];
      const lowersBottomFirst = [...state.lowers].reverse();
      for (const [i, dir] of lowersBottomFirst.entries()) {
        const written = writeLayerFromDir(dir, join(tmp, `base-${i}.tar`));
        warnings.push(...written.warnings);
        base.push({ path: join(tmp, `base-${i}.tar`), diffId: written.diffId, size: written.size });
        opts.onStep?.(
          `layer ${i + 1}/${lowersBottomFirst.length}: ${written.members} entries, ${written.size} bytes`,
        );
      }
      const layers = [...base, { path: upperTar, diffId: layer.diffId, size: layer.size }];
      const config = buildImageConfig({
        ...(opts.baseConfig ? { base: opts.baseConfig } : {}),
        ...(state.layers ? { labels: state.layers } : {}),
        diffIds: layers.map((l) => l.diffId),
        container: state.id,
        created,
      });
      writeImageArchive(opts.out, { ref: opts.ref, config, layers }, opts.format);
      result.archiveImageId = `sha256:${createHash('sha256').update(config).digest('hex')}`;
    } else {
      const baseDiffIds = storedBaseDiffIds(state);
      if (baseDiffIds.length === 0) {
        throw new UserError(
          `container ${state.id} was made by an older overlay-tui (its record names no image layers): commit it as an archive with -o FILE`,
        );
      }
      const config = buildImageConfig({
        ...(opts.baseConfig ? { base: opts.baseConfig } : {}),
        ...(state.layers ? { labels: state.layers } : {}),
        diffIds: [...baseDiffIds, layer.diffId],
        container: state.id,
        created,
      });
      result.storedImageId = await commitToStore(store, {
        ref: opts.ref,
        layerTar: upperTar,
        diffId: layer.diffId,
        size: layer.size,
        config,
        baseDiffIds,
      });
    }
    return result;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
