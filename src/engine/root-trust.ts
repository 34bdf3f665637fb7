/**
 * Who could change the state root under root's feet. Root mounts the
 * lowers it finds there, runs their /bin/sh and deletes containers'
 * directories, so anyone able to rename or replace an entry in the state
 * root, or in any directory above it, could aim those acts elsewhere (a
 * planted image, `containers/` swapped for a symlink). As sshd's
 * StrictModes: the state root and every parent up to / must be root's and
 * writable by root alone. Once that holds, nothing under it can change but
 * by root, so the checks done before acting stay true while acting.
 */
import { lstatSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from './errors.js';

const S_ISVTX = 0o1000;

/**
 * Directories that hold the system itself: a state root there would mix
 * images/ and containers/ into it, and `rm`/`clean` would delete in it.
 * The directories themselves, not their subdirectories.
 */
const SYSTEM_DIRS = new Set([
  '/',
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/home',
  '/media',
  '/mnt',
  '/opt',
  '/proc',
  '/root',
  '/run',
  '/sbin',
  '/srv',
  '/sys',
  '/tmp',
  '/usr',
  '/usr/bin',
  '/usr/lib',
  '/usr/local',
  '/usr/sbin',
  '/usr/share',
  '/var',
  '/var/cache',
  '/var/lib',
  '/var/log',
  '/var/run',
  '/var/tmp',
]);

export function isSystemDir(abs: string): boolean {
  return SYSTEM_DIRS.has(abs) || /^\/(usr\/)?lib[^/]*$/.test(abs);
}

export function refuseSystemDir(abs: string, given: string): void {
  if (!isSystemDir(abs)) return;
  const real = abs === resolve(given) ? '' : ` (${given} is ${abs})`;
  throw new UserError(
    `refusing ${abs} as the state root${real}: it is a system directory; pass --root with a directory of its own, e.g. /var/lib/overlay-tui`,
  );
}

const octal = (st: Stats): string => `0${(st.mode & 0o7777).toString(8)}`;

/**
 * Why a directory is not safe to hold (or to be) the state root, or
 * undefined if it is. A parent may be a root-owned sticky directory such as
 * /tmp (1777): others can add entries to it but, the sticky bit says, not
 * rename or delete root's, so a root-owned state root under it stays put.
 */
function untrusted(st: Stats, asParent: boolean): string | undefined {
  if (st.isSymbolicLink()) return 'is a symlink';
  if (!st.isDirectory()) return 'is not a directory';
  if (st.uid !== 0) return `is owned by uid ${st.uid} (mode ${octal(st)}), not by root`;
  if ((st.mode & 0o022) === 0) return undefined;
  if (asParent && (st.mode & S_ISVTX) !== 0) return undefined;
  const who = (st.mode & 0o020) !== 0 ? 'its group' : 'others';
  return `is writable by ${who} (owner root, mode ${octal(st)})`;
}

/** The directory and each above it, up to /. */
function ancestry(realDir: string): string[] {
  const dirs: string[] = [];
  for (let d = realDir; ; d = dirname(d)) {
    dirs.push(d);
    if (d === '/') return dirs.reverse();
  }
}

/**
 * Checks realDir (canonical, existing) and every parent up to /. With
 * `self`, realDir is the state root itself (held to the strict rule); else
 * it is a parent of one still to be created.
 */
export function requireTrustedChain(realDir: string, self: boolean): void {
  for (const dir of ancestry(realDir)) {
    const isRoot = self && dir === realDir;
    const why = untrusted(lstatSync(dir), !isRoot);
    if (!why) continue;
    const what = isRoot ? 'the state root' : 'a parent of the state root';
    const fix = isRoot
      ? `chown root:root ${dir} && chmod 0700 ${dir}`
      : `chown root ${dir} && chmod go-w ${dir}`;
    throw new UserError(
      `${what} ${dir} ${why}: whoever can write there can make root mount, run or delete what they choose; fix it (${fix}) or pass --root DIR under directories only root can write`,
    );
  }
}
