/**
 * The state root's layout (default /var/lib/overlay-tui):
 *
 *   images/<sha256>/lower/        an extracted image, never written again
 *   images/<sha256>/image.json    where it came from, entry and byte counts
 *   images/.tmp-*                 extractions under way (renamed when whole)
 *   images/.sources/<key>.json    digest cache: file identity -> sha256
 *   containers/<id>/state.json    the container's record and lock
 *   containers/<id>/{upper,work,merged}
 *
 * images/ and containers/ are 0700: lowers hold setuid-root files.
 */
import { chmodSync, mkdirSync, realpathSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, errnoCode } from './errors.js';
import { OVERLAYFS_SUPER_MAGIC } from '../overlay/mount-options.js';

export const DEFAULT_STATE_ROOT = '/var/lib/overlay-tui';

export interface StateRoot {
  root: string;
  images: string;
  containers: string;
}

export function stateRootPaths(root: string): StateRoot {
  return { root, images: join(root, 'images'), containers: join(root, 'containers') };
}

function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700); // also tightens a directory that already existed
}

/**
 * Creates the state root if needed and checks that it can hold upper and
 * work directories. Returns canonical paths (mountinfo shows real paths).
 */
export function openStateRoot(dir: string): StateRoot {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const root = realpathSync(dir);
    const paths = stateRootPaths(root);
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
