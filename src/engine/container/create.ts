/**
 * A new container: its directory (whose creation also reserves the name),
 * its record, fresh upper, work and merged directories, and the overlay
 * mounted at merged. On any failure everything made so far is undone.
 */
import { fchmodSync, fchownSync, lstatSync, mkdirSync } from 'node:fs';
import { markCreating, unmarkCreating } from './creating-mark.js';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { UserError, errnoCode } from '../errors.js';
import { idmapMount, mountOverlay } from '../helper.js';
import { hostId, type IdMap } from '../../overlay/id-map.js';
import { isRealDir, withRealDir } from '../no-follow.js';
import { detectLayout, makeCgroup, planCgroup, type CgroupOptions } from '../cgroup/index.js';
import { DEFAULT_PIDS_LIMIT } from '../cgroup/limits.js';
import { processRef } from '../proc.js';
import type { StateRoot } from '../state-root.js';
import { layerLabels, lowerDirs, type LayeredImage } from '../image/image-record.js';
import {
  extraOptions,
  MAX_LOWER_LAYERS,
  tooManyLayersMessage,
  type OverlayOptions,
} from '../../overlay/mount-options.js';
import {
  containerPaths,
  NAME_PATTERN,
  writeState,
  type ContainerPaths,
  type ContainerState,
} from './state.js';
import { teardownContainer } from './teardown.js';
import { confinementSummary, defaultProfile } from '../confine/profile.js';
import { writeSeccompRules } from '../confine/seccomp.js';
import type { ConfineProfile } from '../confine/types.js';
import type { RuntimeRecord } from '../runtime/runtime-record.js';

export interface CreateOptions {
  name?: string;
  keep: boolean;
  command: string[];
  overlay?: OverlayOptions;
  /** --userns: run in a user namespace with this map, the lowers idmapped. */
  userns?: IdMap;
  /** Its cgroup's limits; default: --pids-limit 4096 only. */
  cgroup?: CgroupOptions;
  /** Default: Docker's default confinement. */
  confinement?: ConfineProfile;
  runtime?: RuntimeRecord;
}

export interface Container {
  paths: ContainerPaths;
  state: ContainerState;
  confinement: ConfineProfile;
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

/**
 * Each lower seen through an idmapped mount under the container's
 * directory (l/0 the topmost, l/1...; short names, though lowerdir+ passes
 * each alone and needs none: they matter only to a kernel before 6.8), so
 * that the container's root, the host's base, owns the image's files.
 * Recorded before mounting: a teardown after a failure unmounts them.
 */
function idmapLowers(paths: ContainerPaths, state: ContainerState, map: IdMap): string[] {
  const dirs = state.lowers.map((_, i) => join(paths.dir, 'l', String(i)));
  state.idmappedLowers = dirs;
  writeState(paths, state);
  mkdirSync(join(paths.dir, 'l'), { mode: 0o700 });
  state.lowers.forEach((lower, i) => {
    const dir = dirs[i] as string;
    mkdirSync(dir, { mode: 0o755 });
    idmapMount(lower, dir, map);
  });
  return dirs;
}

/**
 * The mount takes paths: each must be a real directory right before (the
 * helper also opens merged without following a symlink).
 */
function requireRealDirs(dirs: string[]): void {
  const bad = dirs.find((d) => !isRealDir(d));
  if (bad) throw new UserError(`${bad} is not a real directory (a symlink?): nothing was mounted`);
}

/**
 * The container of a layered image: every layer a lower, topmost first,
 * under a fresh upper, as Docker's overlay2 mounts an image.
 */
export function createContainer(
  store: StateRoot,
  image: LayeredImage,
  opts: CreateOptions,
): Container {
  // Before anything is made: the kernel would refuse the mount anyway.
  if (image.layers.length > MAX_LOWER_LAYERS) {
    throw new UserError(tooManyLayersMessage(image.layers.length));
  }
  const lowers = lowerDirs(image);
  const topmost = lowers[0];
  if (topmost === undefined) throw new Error(`image ${image.record.id} has no layer`);
  const confinement = opts.confinement ?? defaultProfile();
  const paths = reserve(store, opts.name);
  const owner = processRef(process.pid);
  if (!owner) throw new Error('cannot read /proc/self/stat');
  const state: ContainerState = {
    id: paths.dir.slice(store.containers.length + 1),
    status: 'creating',
    image: {
      digest: image.record.id,
      source: image.record.source,
      ...(image.record.tags.length > 0 ? { tags: [...image.record.tags] } : {}),
    },
    lowers,
    layers: layerLabels(image),
    mountOptions: extraOptions(opts.overlay),
    command: opts.command,
    keep: opts.keep,
    owner,
    createdAt: new Date().toISOString(),
    ...(opts.userns ? { userns: opts.userns } : {}),
    confinement: confinementSummary(confinement),
    ...(opts.runtime ? { runtime: opts.runtime } : {}),
  };
  try {
    const layout = detectLayout();
    // Under an OCI runtime the runtime makes the container's cgroup itself,
    // from config.json's limits: one of ours would stay empty.
    const cgroup = opts.runtime ? undefined : planCgroup(layout, state.id);
    if (cgroup) state.cgroup = cgroup;
    // Recorded before it is made: whoever tears this down (a crash's recovery too) removes it.
    writeState(paths, state);
    if (cgroup) {
      makeCgroup(
        cgroup,
        layout,
        opts.cgroup ?? { limits: { pidsLimit: DEFAULT_PIDS_LIMIT }, allowAllDevices: false },
      );
    }
    // One file per profile, shared by every container: the helper keeps the
    // compiled filter beside it, so only the first container pays the build.
    if (confinement.seccomp) {
      state.seccompRules = writeSeccompRules(join(store.root, 'seccomp'), confinement.seccomp);
    }
    unmarkCreating(store, state.id); // the record names the owner now
    // merged's root takes upper's root attributes: give it the topmost
    // layer's, which is what the image's root looks like.
    const root = lstatSync(topmost);
    mkdirSync(paths.upper, { mode: 0o755 });
    withRealDir(paths.upper, (fd) => {
      fchownSync(fd, hostId(root.uid, opts.userns), hostId(root.gid, opts.userns));
      fchmodSync(fd, root.mode & 0o7777);
    });
    mkdirSync(paths.work, { mode: 0o700 });
    mkdirSync(paths.merged, { mode: 0o755 });
    requireRealDirs([...state.lowers, paths.upper, paths.work, paths.merged]);
    const mounted = opts.userns ? idmapLowers(paths, state, opts.userns) : state.lowers;
    mountOverlay(
      { lowers: mounted, upper: paths.upper, work: paths.work },
      paths.merged,
      opts.overlay,
    );
    state.status = 'running';
    writeState(paths, state);
    return { paths, state, confinement };
  } catch (err) {
    teardownContainer(paths, state, { keep: false });
    unmarkCreating(store, state.id); // if it failed before the record was written
    throw err;
  }
}
