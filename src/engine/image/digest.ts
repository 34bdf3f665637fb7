/**
 * A file already imported is not read again: the id of the image it gave
 * is cached under the state root, keyed by the file's identity (device,
 * inode, size, mtime and ctime in ns) and the tag picked from it: any
 * change to the file misses the cache. (Also: sha256 helpers for whole
 * files.)
 */
import { createHash } from 'node:crypto';
import { mkdirSync, realpathSync, renameSync, rmSync, statSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { errnoCode } from '../errors.js';
import { isRealDir, readFileNoFollow, writeNewFile } from '../no-follow.js';
import { BlockPool, fileBlocks } from './file-blocks.js';

interface CacheRecord {
  path: string;
  identity: string;
  /** The tag picked from the file ('' or absent: none). */
  variant?: string;
  /** The image id. */
  digest: string;
}

/** What the cache keys on, from a stat the caller has already taken (see inspectArchive). */
export function fileIdentity(st: BigIntStats): string {
  return [st.dev, st.ino, st.size, st.mtimeNs, st.ctimeNs].join(':');
}

// FNV-1a: a cache file name, not a security boundary (the record inside
// names the path and identity it is for, and is checked).
function cacheKey(path: string): string {
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(path)) h = BigInt.asUintN(64, (h ^ BigInt(byte)) * 0x100000001b3n);
  return h.toString(16).padStart(16, '0');
}

/** One cache file per file and tag (`variant`: '' for none). */
function cacheFile(cacheDir: string, real: string, variant: string): string {
  return join(cacheDir, `${cacheKey(variant ? `${real}\0${variant}` : real)}.json`);
}

/** The id remembered for this file (and tag), if it still has `identity`; else undefined. */
export function cachedDigest(
  path: string,
  identity: string,
  cacheDir: string,
  variant = '',
): string | undefined {
  const real = realpathSync.native(path);
  try {
    const file = cacheFile(cacheDir, real, variant);
    const cached = JSON.parse(readFileNoFollow(file).text) as CacheRecord;
    const fresh =
      cached.path === real && cached.identity === identity && (cached.variant ?? '') === variant;
    if (fresh && /^[0-9a-f]{64}$/.test(cached.digest)) return cached.digest;
  } catch {
    // no cache entry yet, or unreadable
  }
  return undefined;
}

/** Remembers a digest computed while the file had `identity` (if it still has it). */
export function rememberDigest(
  path: string,
  identity: string,
  digest: string,
  cacheDir: string,
  variant = '',
): void {
  const real = realpathSync.native(path);
  // A stat of its own, after the reading: the file may have changed meanwhile.
  if (fileIdentity(statSync(real, { bigint: true })) !== identity) return;
  try {
    mkdirSync(cacheDir, { mode: 0o700 });
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') throw err;
  }
  if (!isRealDir(cacheDir)) return; // a cache, not worth writing through a symlink
  const file = cacheFile(cacheDir, real, variant);
  const tmp = `${file}.${process.pid}.tmp`;
  rmSync(tmp, { force: true }); // left by an earlier process with our pid
  writeNewFile(
    tmp,
    JSON.stringify({ path: real, identity, variant, digest } satisfies CacheRecord),
  );
  renameSync(tmp, file);
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  const pool = new BlockPool();
  for await (const block of fileBlocks(path, pool, (b) => pool.give(b.buffer as ArrayBuffer))) {
    hash.update(block);
  }
  return hash.digest('hex');
}
