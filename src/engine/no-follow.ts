/**
 * File operations under the state root that never go through a symlink.
 * Root acts on what it finds there (mounts it, runs it, chmods and deletes
 * it), so a symlink in place of a directory or a record would aim those
 * acts anywhere on the machine. Each helper refuses a symlink as the last
 * component (O_NOFOLLOW, lstat); the components above it are the state
 * root's own directories, which state-root.ts checks the same way and which
 * only root can change (root-trust.ts).
 */
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readFileSync,
  writeFileSync,
  type Stats,
} from 'node:fs';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK } = constants;

/** The lstat of path, or undefined if there is nothing there. */
export function lstatOrNone(path: string): Stats | undefined {
  return lstatSync(path, { throwIfNoEntry: false });
}

/** True if path is a directory itself, not a symlink to one. */
export function isRealDir(path: string): boolean {
  return lstatOrNone(path)?.isDirectory() ?? false;
}

/** Opens a directory that is not a symlink (ELOOP/ENOTDIR otherwise); the caller closes it. */
export function openRealDir(path: string): number {
  return openSync(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
}

/** Runs fn with an open descriptor of a real directory (fchmod, fchown, fstat on it). */
export function withRealDir<T>(path: string, fn: (fd: number) => T): T {
  const fd = openRealDir(path);
  try {
    return fn(fd);
  } finally {
    closeSync(fd);
  }
}

export interface NoFollowFile {
  text: string;
  stats: Stats;
}

/**
 * Reads a regular file that is not a symlink. O_NONBLOCK: a FIFO planted
 * in its place does not block the open (and is then refused by its type).
 */
export function readFileNoFollow(path: string): NoFollowFile {
  const fd = openSync(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile())
      throw Object.assign(new Error(`${path}: not a regular file`), { code: 'EFTYPE' });
    return { text: readFileSync(fd, 'utf8'), stats };
  } finally {
    closeSync(fd);
  }
}

/** Creates a new file (never an existing one, nor through a symlink) holding data. */
export function writeNewFile(path: string, data: string | Uint8Array, mode = 0o600): void {
  const fd = openSync(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
  try {
    writeFileSync(fd, data);
  } finally {
    closeSync(fd);
  }
}
