/**
 * The state root's layout (default /var/lib/overlay-tui):
 *
 *   layers/<hex>/diff/            a layer, extracted once by diff_id, never written again
 *   layers/<hex>/layer.json       its record (diff_id, sizes, counts)
 *   layers/.tmp-PID-START-*       layer extractions under way (renamed when whole)
 *   images/<id>/image.json        an image: its config and ordered layer ids
 *   images/<id>/config.json       the config's bytes as the archive stored them (id = their sha256)
 *   images/.tmp-PID-START-*       image records being written (renamed when whole)
 *   images/.sources/<key>.json    cache: file identity -> image id
 *   containers/<id>/state.json    the container's record and lock
 *   containers/<id>/{upper,work,merged}
 *
 * layers/, images/ and containers/ are 0700: layers hold setuid-root files. The
 * root and every parent up to / are root's alone (root-trust.ts), and
 * nothing under it is followed through a symlink (no-follow.ts).
 */
import { fchmodSync, fstatSync, mkdirSync, realpathSync, statfsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError, errnoCode } from './errors.js';
import { lstatOrNone, withRealDir } from './no-follow.js';
import { refuseSystemDir, requireTrustedChain } from './root-trust.js';
import { OVERLAYFS_SUPER_MAGIC } from '../overlay/mount-options.js';

export const DEFAULT_STATE_ROOT = '/var/lib/overlay-tui';

export interface StateRoot {
  root: string;
  layers: string;
  images: string;
  containers: string;
}

export function stateRootPaths(root: string): StateRoot {
  return {
    root,
    layers: join(root, 'layers'),
    images: join(root, 'images'),
    containers: join(root, 'containers'),
  };
}

/**
 * layers/, images/ or containers/: made if missing, and a real, root-owned directory
 * (never a symlink, whose target a chmod would change), tightened to 0700.
 */
function makePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') throw err;
  }
  try {
    withRealDir(dir, (fd) => {
      const st = fstatSync(fd);
      if (st.uid !== 0) throw new UserError(`${dir} is owned by uid ${st.uid}, not by root`);
      if ((st.mode & 0o7777) !== 0o700) fchmodSync(fd, 0o700);
    });
  } catch (err) {
    if (errnoCode(err) !== 'ELOOP' && errnoCode(err) !== 'ENOTDIR') throw err;
    const what = lstatOrNone(dir)?.isSymbolicLink() ? 'a symlink' : 'not a directory';
    throw new UserError(
      `${dir} is ${what}: the state root's own directories must be real ones; left it untouched (remove it if you did not make it)`,
    );
  }
}

/** The deepest part of abs that exists: the parent the rest will be created in. */
function deepestExisting(abs: string): string {
  let d = abs;
  while (d !== '/' && lstatOrNone(d) === undefined) d = dirname(d);
  return d;
}

/**
 * The state root, made if missing, once it and every parent up to / are
 * root's alone (root-trust.ts). Checked before anything is created in it,
 * and again on the canonical path once it exists.
 */
function trustedRoot(dir: string): string {
  const abs = resolve(dir);
  refuseSystemDir(abs, dir);
  if (lstatOrNone(abs)?.isSymbolicLink()) {
    throw new UserError(
      `the state root ${abs} is a symlink: pass the directory it points to as --root, if you trust it`,
    );
  }
  // Its parents, before anything is made in them; then the root itself.
  requireTrustedChain(realpathSync(deepestExisting(dirname(abs))), false);
  mkdirSync(abs, { recursive: true, mode: 0o700 });
  const root = realpathSync(abs);
  refuseSystemDir(root, dir);
  requireTrustedChain(root, true);
  return root;
}

/**
 * Creates the state root if needed and checks that it can hold upper and
 * work directories. Returns canonical paths (mountinfo shows real paths).
 */
export function openStateRoot(dir: string): StateRoot {
  try {
    const root = trustedRoot(dir);
    const paths = stateRootPaths(root);
    makePrivateDir(paths.layers);
    makePrivateDir(paths.images);
    makePrivateDir(paths.containers);
    // An upper directory cannot live on overlayfs itself (the kernel refuses it).
    if (statfsSync(root).type === OVERLAYFS_SUPER_MAGIC) {
      throw new UserError(
        `the state root ${root} is on overlayfs, which cannot hold an upper directory: pass --root DIR on another file system`,
      );
    }
    return paths;
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(
      `cannot use ${dir} as the state root (${errnoCode(err) ?? String(err)}): pass --root DIR`,
    );
  }
}
