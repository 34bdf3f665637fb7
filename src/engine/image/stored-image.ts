/**
 * Reading a stored image, images/<sha256>/{image.json,lower}, and deciding
 * whether it can be trusted. Root mounts that lower and runs its /bin/sh,
 * so an image is used only if root made it: its directory and record are
 * root's, writable by root alone, real (not symlinks), and the record is
 * one this program writes, for this very digest. Anything else is refused,
 * not re-imported over: it means someone other than overlay-tui wrote in
 * the store, which the operator should look at.
 */
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { UserError, errnoCode } from '../errors.js';
import { isRealDir, lstatOrNone, readFileNoFollow } from '../no-follow.js';
import type { StateRoot } from '../state-root.js';
import type { ImageRecord } from './import-archive.js';

export interface Image {
  record: ImageRecord;
  lower: string;
}

export type StoredImage =
  | { kind: 'absent' }
  | { kind: 'trusted'; image: Image }
  | { kind: 'untrusted'; dir: string; why: string };

export const DIGEST_NAME = /^[0-9a-f]{64}$/;

/** Why a file or directory root relies on is not root's alone, or undefined. */
function notRootsAlone(st: Stats): string | undefined {
  if (st.uid !== 0) return `is owned by uid ${st.uid}, not by root`;
  if ((st.mode & 0o022) !== 0)
    return `is writable by group or others (mode 0${(st.mode & 0o7777).toString(8)})`;
  return undefined;
}

const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** What is wrong with a parsed image.json stored under the name `digest`, or undefined. */
export function recordProblem(r: unknown, digest: string): string | undefined {
  if (typeof r !== 'object' || r === null) return 'is not a JSON object';
  const rec = r as Record<string, unknown>;
  if (rec.digest !== digest)
    return `names digest ${JSON.stringify(rec.digest)}, not its directory's`;
  if (typeof rec.source !== 'string' || typeof rec.importedAt !== 'string')
    return 'lacks source or importedAt';
  if (!isCount(rec.archiveSize) || !isCount(rec.entries) || !isCount(rec.bytes))
    return 'lacks archiveSize, entries or bytes';
  if (!Array.isArray(rec.skipped) || !rec.skipped.every((s) => typeof s === 'string'))
    return 'lacks skipped';
  return undefined;
}

function check(store: StateRoot, digest: string): StoredImage {
  const dir = join(store.images, digest);
  const st = lstatOrNone(dir);
  if (!st) return { kind: 'absent' };
  const untrusted = (why: string): StoredImage => ({ kind: 'untrusted', dir, why });
  if (!st.isDirectory())
    return untrusted(st.isSymbolicLink() ? 'is a symlink' : 'is not a directory');
  const dirWhy = notRootsAlone(st);
  if (dirWhy) return untrusted(dirWhy);
  let text: string;
  try {
    const file = readFileNoFollow(join(dir, 'image.json'));
    const fileWhy = notRootsAlone(file.stats);
    if (fileWhy) return untrusted(`its image.json ${fileWhy}`);
    text = file.text;
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') return untrusted('has no image.json');
    if (code === 'ELOOP') return untrusted('has an image.json that is a symlink');
    return untrusted(`has an unreadable image.json (${code ?? String(err)})`);
  }
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    return untrusted('has an image.json that is not JSON');
  }
  const recWhy = recordProblem(record, digest);
  if (recWhy) return untrusted(`has an image.json that ${recWhy}`);
  const lower = join(dir, 'lower');
  if (!isRealDir(lower)) return untrusted('has no lower directory (or it is a symlink)');
  return { kind: 'trusted', image: { record: record as ImageRecord, lower } };
}

/** The stored image `digest` (a directory name in images/), checked. */
export function readStoredImage(store: StateRoot, digest: string): StoredImage {
  if (!DIGEST_NAME.test(digest)) return { kind: 'absent' };
  return check(store, digest);
}

/** One line for an image that is there but cannot be trusted. */
export function untrustedImageError(dir: string, why: string): UserError {
  return new UserError(
    `refusing the stored image ${dir}: it ${why}, so overlay-tui did not make it and nothing was run from it; if you did not put it there, look at who did, then remove it (rm -rf ${dir}) and run again`,
  );
}
