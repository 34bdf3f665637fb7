/**
 * A new container: its directory (whose creation also reserves the name),
 * its record, fresh upper, work and merged directories, and the overlay
 * mounted at merged. On any failure everything made so far is undone.
 */
import { chmodSync, chownSync, mkdirSync, statSync } from 'node:fs';
import { markCreating, unmarkCreating } from './creating-mark.js';
import { randomBytes } from 'node:crypto';
import { UserError, errnoCode } from '../errors.js';
import { mountOverlay } from '../helper.js';
import { processRef } from '../proc.js';
import type { StateRoot } from '../state-root.js';
import type { Image } from '../image/store.js';
import { extraOptions, type OverlayOptions } from '../../overlay/mount-options.js';
import {
  containerPaths,
  NAME_PATTERN,
  writeState,
  type ContainerPaths,
  type ContainerState,
} from './state.js';
import { teardownContainer } from './teardown.js';

export interface CreateOptions {
  name?: string;
  keep: boolean;
  command: string[];
  overlay?: OverlayOptions;
}

export interface Container {
  paths: ContainerPaths;
  state: ContainerState;
}

/** Reserves the name by creating its directory: mkdir is atomic. */
function reserve(store: StateRoot, name: string | undefined): ContainerPaths {
  if (name !== undefined && !NAME_PATTERN.test(name)) {
    throw new UserError(
      `invalid name "${name}": use letters, digits, '-', '_' and '.', at most 63, starting with a letter or digit`,
      2,
    );
  }
  for (let attempt = 0; attempt < 5; attempt++) {
    const id = name ?? randomBytes(6).toString('hex');
    const paths = containerPaths(store, id);
    // Someone alive is making a container of this name right now: taken.
    const marked = markCreating(store, id);
    try {
      if (!marked) throw Object.assign(new Error(id), { code: 'EEXIST' });
      mkdirSync(paths.dir, { mode: 0o700 });
      return paths;
    } catch (err) {
      if (marked) unmarkCreating(store, id);
      if (errnoCode(err) !== 'EEXIST') throw err;
      if (name !== undefined) {
        throw new UserError(
          `the name "${name}" is already in use: pick another --name, or remove it with 'overlay-tui rm ${name}'`,
        );
      }
    }
  }
  throw new UserError('could not pick a free container id');
}

export function createContainer(store: StateRoot, image: Image, opts: CreateOptions): Container {
  const paths = reserve(store, opts.name);
  const owner = processRef(process.pid);
  if (!owner) throw new Error('cannot read /proc/self/stat');
  const state: ContainerState = {
    id: paths.dir.slice(store.containers.length + 1),
    status: 'creating',
    image: { digest: image.record.digest, source: image.record.source },
    lowers: [image.lower],
    mountOptions: extraOptions(opts.overlay),
    command: opts.command,
    keep: opts.keep,
    owner,
    createdAt: new Date().toISOString(),
  };
  try {
    writeState(paths, state);
    unmarkCreating(store, state.id); // the record names the owner now
    // merged's root takes upper's root attributes: give it the image's.
    const root = statSync(image.lower);
    mkdirSync(paths.upper, { mode: 0o755 });
    chownSync(paths.upper, root.uid, root.gid);
    chmodSync(paths.upper, root.mode & 0o7777);
    mkdirSync(paths.work, { mode: 0o700 });
    mkdirSync(paths.merged, { mode: 0o755 });
    mountOverlay(
      { lowers: state.lowers, upper: paths.upper, work: paths.work },
      paths.merged,
      opts.overlay,
    );
    state.status = 'running';
    writeState(paths, state);
    return { paths, state };
  } catch (err) {
    teardownContainer(paths, state, { keep: false });
    throw err;
  }
}
