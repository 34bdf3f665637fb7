/**
 * What the real-engine image test compares: a root file system walked into
 * one line per path (type, mode, owner, size, content sha256, link target,
 * link count, file capability), and the layer tars of a saved archive read
 * independently of overlay-tui's own reader (tar-stream), counted as
 * `docker diff` letters.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join, posix } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';

/**
 * Paths whose content is the engine's or the runtime's, not the image's:
 * what Docker's init layer adds to every container (/.dockerenv, the
 * /etc/mtab -> /proc/mounts link, the mount targets), podman's marker, and
 * the files and kernel file systems the engines (and overlay-tui) mount
 * over the root at run time. Compared neither on the engine's side nor on
 * ours; ours must have nothing else mounted (the test checks).
 */
export const RUNTIME_PATHS = [
  '/.dockerenv',
  '/etc/mtab',
  '/etc/hosts',
  '/etc/hostname',
  '/etc/resolv.conf',
  '/run/.containerenv',
  '/dev',
  '/proc',
  '/sys',
];

const isRuntime = (p: string): boolean =>
  RUNTIME_PATHS.some((r) => p === r || p.startsWith(`${r}/`));

function capabilityOf(abs: string): string {
  const r = spawnSync('getcap', [abs], { encoding: 'utf8' });
  // getcap prints "PATH CAPS" (or "PATH = CAPS" in older libcap): keep the caps.
  return r.stdout
    .trim()
    .slice(abs.length)
    .replace(/^\s*=?\s*/, '');
}

/**
 * Every path under root but RUNTIME_PATHS, as "type mode uid:gid size sha
 * target nlink cap". A path in mountPoints (a mount the runtime made over
 * the root: st_dev cannot tell, overlayfs gives non-directories their
 * layer's device) is left out and returned in `mounted`, so the caller can
 * check those are only the runtime's.
 */
export function walkTree(
  root: string,
  mountPoints: ReadonlySet<string> = new Set(),
): { tree: Map<string, string>; mounted: string[] } {
  const tree = new Map<string, string>();
  const mounted: string[] = [];
  const walk = (rel: string): void => {
    const abs = join(root, rel);
    const st = lstatSync(abs);
    if (rel !== '/' && mountPoints.has(rel)) {
      mounted.push(rel);
      return;
    }
    if (isRuntime(rel)) return;
    const mode = (st.mode & 0o7777).toString(8);
    let what: string;
    if (st.isSymbolicLink()) what = `link ${readlinkSync(abs)}`;
    else if (st.isFile()) {
      const sha = createHash('sha256').update(readFileSync(abs)).digest('hex');
      const cap = capabilityOf(abs);
      what = `file ${st.size} ${sha} nlink=${st.nlink}${cap ? ` cap=${cap}` : ''}`;
    } else if (st.isDirectory()) what = 'dir';
    else what = `other ${st.rdev}`;
    tree.set(rel, `${what} mode=${mode} owner=${st.uid}:${st.gid}`);
    if (st.isDirectory())
      for (const name of readdirSync(abs).sort()) walk(rel === '/' ? `/${name}` : `${rel}/${name}`);
  };
  walk('/');
  return { tree, mounted };
}

/** The mount points of a process's mount namespace, as paths inside it (mountinfo's 5th field). */
export function mountPointsOf(pid: number): Set<string> {
  const unescape = (s: string): string =>
    s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return new Set(
    readFileSync(`/proc/${pid}/mountinfo`, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => unescape(l.split(' ')[4] ?? '')),
  );
}

export interface TarEntry {
  name: string;
  type: string;
  size: number;
  linkname?: string;
  /** PAX records (SCHILY.xattr.* among them). */
  pax: Record<string, string>;
  data: Buffer;
}

/** The entries of a tar (plain or gzip) in order: name, type, size. */
export async function tarEntries(tar: Buffer): Promise<TarEntry[]> {
  const plain = tar[0] === 0x1f && tar[1] === 0x8b ? gunzipSync(tar) : tar;
  const out: TarEntry[] = [];
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (h, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        out.push({
          name: h.name,
          type: h.type ?? 'file',
          size: h.size ?? 0,
          linkname: h.linkname ?? undefined,
          pax: (h.pax ?? {}) as Record<string, string>,
          data: Buffer.concat(chunks),
        });
        next();
      });
      stream.on('error', reject);
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  ex.end(plain);
  await done;
  return out;
}

/** The layer tars of a docker-archive (legacy `docker save`, podman's docker-archive), bottom first. */
export async function dockerArchiveLayers(archive: Buffer, tag: string): Promise<Buffer[]> {
  const files = new Map<string, { type: string; linkname?: string; data: Buffer }>();
  for (const e of await tarEntries(archive)) files.set(posix.normalize(e.name), e);
  const read = (name: string, depth = 0): Buffer => {
    const f = files.get(posix.normalize(name));
    if (!f) throw new Error(`${name} is not in the archive`);
    // Docker writes a shared layer's layer.tar as a symlink to the other image's.
    if (f.type === 'symlink' && f.linkname !== undefined && depth < 8)
      return read(posix.join(posix.dirname(name), f.linkname), depth + 1);
    return f.data;
  };
  const manifest = JSON.parse(read('manifest.json').toString()) as {
    RepoTags: string[] | null;
    Layers: string[];
  }[];
  const image = manifest.find((m) => (m.RepoTags ?? []).some((t) => t.endsWith(tag)));
  if (!image) throw new Error(`no image tagged ${tag} in the archive`);
  return image.Layers.map((l) => read(l));
}

/** The layer blobs of an OCI archive (podman save --format oci-archive), bottom first. */
export async function ociArchiveLayers(archive: Buffer): Promise<Buffer[]> {
  const files = new Map<string, Buffer>();
  for (const e of await tarEntries(archive)) files.set(posix.normalize(e.name), e.data);
  const blob = (digest: string): Buffer => {
    const b = files.get(`blobs/${digest.replace(':', '/')}`);
    if (!b) throw new Error(`blob ${digest} is not in the archive`);
    return b;
  };
  const index = JSON.parse(files.get('index.json')?.toString() ?? '{}') as {
    manifests: { digest: string }[];
  };
  const manifest = JSON.parse(blob(index.manifests[0]?.digest ?? '').toString()) as {
    layers: { digest: string }[];
  };
  return manifest.layers.map((l) => blob(l.digest));
}

export interface TarCounts {
  added: number;
  changed: number;
  deleted: number;
  opaque: number;
  sizeBytes: number;
}

/**
 * Each layer's A/C/D as `docker diff` letters against the layers below,
 * from the tars alone: a `.wh.NAME` is D; `.wh..wh..opq` is no entry of its
 * own (its directory is) but hides what is below; any other entry is C when
 * a lower layer left something at its path, else A. Size: regular file
 * data (a hard link entry carries none, so a linked file counts once).
 */
export async function countLayers(layers: Buffer[]): Promise<TarCounts[]> {
  const present = new Set<string>();
  const removeUnder = (dir: string, self: boolean): void => {
    for (const p of [...present])
      if (p.startsWith(`${dir}/`) || (self && p === dir) || (dir === '' && p !== ''))
        present.delete(p);
  };
  const out: TarCounts[] = [];
  for (const layer of layers) {
    const c: TarCounts = { added: 0, changed: 0, deleted: 0, opaque: 0, sizeBytes: 0 };
    const adds: string[] = [];
    for (const e of await tarEntries(layer)) {
      const path = posix.normalize(`/${e.name}`).replace(/\/$/, '');
      const base = posix.basename(path);
      const dir = posix.dirname(path) === '/' ? '' : posix.dirname(path);
      if (base === '.wh..wh..opq') {
        c.opaque++;
        removeUnder(dir, false);
      } else if (base.startsWith('.wh.')) {
        c.deleted++;
        removeUnder(`${dir}/${base.slice(4)}`, true);
      } else if (path !== '') {
        if (present.has(path)) c.changed++;
        else c.added++;
        adds.push(path);
        if (e.type === 'file') c.sizeBytes += e.size;
      }
    }
    for (const p of adds) present.add(p);
    out.push(c);
  }
  return out;
}

/** `docker export`/`podman export` output unpacked by GNU tar as root, keeping owners, modes and xattrs. */
export function untar(tarFile: string, into: string): void {
  const r = spawnSync(
    'tar',
    ['-C', into, '-xpf', tarFile, '--numeric-owner', '--xattrs', '--xattrs-include=*'],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`tar -x ${tarFile}: ${r.stderr}`);
}
