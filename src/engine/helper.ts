/**
 * The trusted C helper (src/engine/helper/ovl-helper.c) does what Node
 * cannot: mount(2), umount2(2), unshare(2), pivot_root(2) and mknod(2)
 * (a layer's whiteouts). This module finds it and runs those steps. These
 * are spawned with node:child_process, not execa: execa takes ~80 ms to
 * import here, more than a whole container run.
 */
import { accessSync, constants } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { INSTALL_DIR } from './install-dir.js';
import { UserError } from './errors.js';
import {
  checkOverlayLayout,
  extraOptions,
  type OverlayLayout,
  type OverlayOptions,
} from '../overlay/mount-options.js';
import { idMapArg, type IdMap } from '../overlay/id-map.js';
import { printablePath } from '../overlay/printable-path.js';

export const helperPath = join(INSTALL_DIR, 'dist', 'helper', 'ovl-helper');

export function requireHelper(): string {
  try {
    accessSync(helperPath, constants.X_OK);
  } catch {
    throw new UserError(`the helper ${helperPath} is missing: run 'npm run build' (needs cc)`);
  }
  return helperPath;
}

function runHelper(args: string[]): { ok: boolean; message: string } {
  const result = spawnSync(requireHelper(), args, { encoding: 'utf8' });
  const message = (result.stderr || result.error?.message || '').trim();
  return { ok: result.status === 0, message };
}

/**
 * Mounts the overlay at merged; the error carries the kernel's own reason.
 * The helper hands the kernel each lower alone (lowerdir+, Linux 6.8+), so
 * a stack of long store paths needs none of the l/ short symlinks Docker's
 * overlay2 makes to fit them into one page; an older kernel gets the joined
 * string, and the one-page limit is then the helper's one line.
 */
export function mountOverlay(layout: OverlayLayout, merged: string, opts?: OverlayOptions): void {
  checkOverlayLayout(layout); // validates count and paths; throws before touching anything
  const { ok, message } = runHelper([
    'mount',
    layout.lowers.join(':'),
    layout.upper,
    layout.work,
    merged,
    ...extraOptions(opts),
  ]);
  if (!ok) throw new UserError(`could not mount the overlay: ${message}`);
}

/**
 * Mounts SRC at DST (an empty directory) with its ids shifted by the map,
 * read-only: a lower as a container in a user namespace sees it (--userns).
 */
export function idmapMount(src: string, dst: string, map: IdMap): void {
  const { ok, message } = runHelper(['idmap', src, dst, idMapArg(map)]);
  if (!ok) throw new UserError(`--userns: ${message}`);
}

/** Unmounts one mount point, never lazily: a busy mount is an error. */
export function unmount(path: string): void {
  const { ok, message } = runHelper(['umount', path]);
  if (!ok) throw new UserError(message);
}

/**
 * Removes each directory tree (or file) with the helper's rmtree: from
 * directory descriptors, so a tree deeper than PATH_MAX (a container's
 * `while mkdir d && cd d`) goes too, never through a symlink, and never
 * below a mount (it stops with one line instead). A path that is not
 * there is no error.
 */
export function removeTrees(paths: readonly string[]): void {
  if (paths.length === 0) return;
  const { ok, message } = runHelper(['rmtree', ...paths]);
  if (!ok) throw new UserError(message || `could not remove ${paths.join(', ')}`);
}

/**
 * A regular file of the tree at root (a container's merged directory),
 * read as the container would resolve its path: symlinks, absolute ones
 * too, stay inside root (the helper's openat2 RESOLVE_IN_ROOT). At most 1 MiB.
 */
export function readInRoot(
  root: string,
  path: string,
): { text: string } | 'absent' | { error: string } {
  const result = spawnSync(requireHelper(), ['read-in-root', root, path], {
    encoding: 'latin1',
    maxBuffer: 2 << 20,
  });
  if (result.status === 0) return { text: result.stdout };
  if (result.status === 3) return 'absent';
  const message = (result.stderr || result.error?.message || '').trim();
  return { error: message.replace(/^ovl-helper: /, '') || `exit ${String(result.status)}` };
}

/**
 * Makes each path (a byte string relative to layerDir, whose parents are
 * real directories) a whiteout: a 0/0 character device, mode 0000, owned
 * by root. One helper process for all of a layer's whiteouts; the helper
 * resolves every parent beneath layerDir without following a symlink.
 */
export function makeWhiteouts(layerDir: string, paths: readonly string[]): void {
  if (paths.length === 0) return;
  const input = Buffer.from(paths.map((p) => `${p}\0`).join(''), 'latin1');
  const result = spawnSync(requireHelper(), ['whiteouts', layerDir], { input });
  if (result.status === 0) return;
  const message = (result.stderr?.toString('utf8') || result.error?.message || '').trim();
  const m = /^whiteouts: entry (\d+): (.*)$/.exec(message);
  const path = m ? paths[Number(m[1])] : undefined;
  if (m && path !== undefined)
    throw new Error(`could not make the whiteout "/${printablePath(path)}": ${m[2]}`);
  throw new Error(`could not make the layer's whiteouts: ${message || `exit ${result.status}`}`);
}
