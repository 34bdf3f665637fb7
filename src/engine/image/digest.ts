/**
 * An image's identity is the sha256 of its file. Hashing a 200 MB tarball
 * takes a fraction of a second, but every run would pay it, so the digest is
 * cached under the state root, keyed by the file's identity (device, inode,
 * size, mtime and ctime in ns): any change to the file misses the cache.
 */
import { createHash } from 'node:crypto';
import {
  createReadStream,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

interface CacheRecord {
  identity: string;
  digest: string;
}

function fileIdentity(path: string): string {
  const st = statSync(path, { bigint: true });
  return [st.dev, st.ino, st.size, st.mtimeNs, st.ctimeNs].join(':');
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The file's sha256, from the cache in cacheDir when the file is unchanged. */
export async function imageDigest(path: string, cacheDir: string): Promise<string> {
  const real = realpathSync(path);
  const key = createHash('sha256').update(real).digest('hex').slice(0, 32);
  const cacheFile = join(cacheDir, `${key}.json`);
  const identity = fileIdentity(real);
  try {
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as CacheRecord;
    if (cached.identity === identity && /^[0-9a-f]{64}$/.test(cached.digest)) return cached.digest;
  } catch {
    // no cache yet, or unreadable: hash it
  }
  const digest = await sha256File(real);
  // Only trust the hash if the file did not change while we read it.
  if (fileIdentity(real) === identity) {
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ identity, digest } satisfies CacheRecord));
    renameSync(tmp, cacheFile);
  }
  return digest;
}
