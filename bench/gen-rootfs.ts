/**
 * The ~200 MB benchmark tarball: a rootfs-like tree (merged-/usr symlinks,
 * ~6,800 files: many small docs, package lists and binaries, ~700 shared
 * libraries of tens to hundreds of KB, a few multi-MB ones, symlinks both
 * relative and absolute, hardlinks, setuid files, non-root groups), shaped
 * like the 200 MB Debian rootfs in DESIGN.md. Generated once from a fixed
 * seed and cached in /tmp under a version string: change ROOTFS_VERSION
 * whenever the plan below changes, so a stale cache is never measured.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync } from 'node:fs';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UstarWriter, type UstarHeader } from './lib/ustar.js';

export const ROOTFS_VERSION = 'rootfs-200m-v2';
export const CACHE_DIR = '/tmp/overlay-tui-bench-cache';

export interface RootfsTarball {
  path: string;
  version: string;
  entries: number;
  files: number;
  dirs: number;
  symlinks: number;
  hardlinks: number;
  dataBytes: number;
  tarBytes: number;
  sha256: string;
}

/** mulberry32: tiny, fast, and the same sequence on every platform. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The tree, in archive order: parents before children, hardlinks after their targets. */
export function planRootfs(): UstarHeader[] {
  const rnd = prng(0x5eed2026);
  // Log-uniform sizes: real trees have many more tiny files than big ones.
  const logSize = (lo: number, hi: number): number =>
    Math.round(Math.exp(Math.log(lo) + rnd() * (Math.log(hi) - Math.log(lo))));
  const mtime = (): number => 1_700_000_000 + Math.floor(rnd() * 31_536_000);
  const entries = new Map<string, UstarHeader>();
  const links: UstarHeader[] = [];
  const base = { uid: 0, gid: 0 };
  const dir = (name: string, mode = 0o755): void => {
    const parts = name.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      if (!entries.has(p))
        entries.set(p, {
          ...base,
          name: p,
          type: 'dir',
          mode: i === parts.length ? mode : 0o755,
          mtime: mtime(),
        });
    }
  };
  const file = (name: string, size: number, mode = 0o644, gid = 0): void => {
    dir(name.slice(0, name.lastIndexOf('/')));
    entries.set(name, { ...base, gid, name, type: 'file', mode, size, mtime: mtime() });
  };
  const symlink = (name: string, target: string): void => {
    if (name.includes('/')) dir(name.slice(0, name.lastIndexOf('/')));
    entries.set(name, {
      ...base,
      name,
      type: 'symlink',
      mode: 0o777,
      linkname: target,
      mtime: mtime(),
    });
  };

  for (const [link, target] of [
    ['bin', 'usr/bin'],
    ['lib', 'usr/lib'],
    ['lib64', 'usr/lib64'],
    ['sbin', 'usr/sbin'],
  ])
    symlink(link ?? '', target ?? '');
  dir('root', 0o700);
  dir('tmp', 0o1777);
  for (const d of [
    'proc',
    'sys',
    'dev',
    'home',
    'run',
    'srv',
    'opt',
    'mnt',
    'var/tmp',
    'usr/lib64',
  ])
    dir(d);
  symlink('usr/lib64/ld-linux-x86-64.so.2', '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2');

  const libdir = 'usr/lib/x86_64-linux-gnu';
  for (let p = 0; p < 350; p++) {
    const pkg = `pkg${p.toString().padStart(3, '0')}`;
    file(`usr/share/doc/${pkg}/copyright`, logSize(1_000, 8_000));
    file(`usr/share/doc/${pkg}/changelog.Debian.gz`, logSize(300, 16_000));
    file(`var/lib/dpkg/info/${pkg}.list`, logSize(100, 4_000));
    file(`var/lib/dpkg/info/${pkg}.md5sums`, logSize(100, 4_000));
    file(`usr/share/man/man1/${pkg}.1.gz`, logSize(500, 6_000));
    // A few setuid/setgid binaries, as passwd, su and chage are.
    const exeMode = p < 2 ? 0o4755 : p === 2 ? 0o2755 : 0o755;
    file(`usr/bin/${pkg}`, logSize(4_000, 64_000), exeMode, p === 2 ? 42 : 0);
    for (let j = 0; j < 11; j++) {
      const where = j % 3 === 0 ? `usr/include/${pkg}-h${j}.h` : `usr/share/${pkg}/f${j}`;
      file(where, logSize(100, 16_000));
    }
    for (let j = 0; j < 2; j++) {
      const so = `lib${pkg}-${j}.so.1.0.0`;
      file(`${libdir}/${so}`, logSize(16_000, 640_000));
      if (j === 0) symlink(`${libdir}/lib${pkg}-${j}.so.1`, so);
    }
    if (p % 4 === 0) symlink(`usr/bin/${pkg}-alt`, `/usr/bin/${pkg}`);
    if (p % 10 === 0) file(`var/log/${pkg}.log`, logSize(200, 20_000), 0o640, 4);
    if (p < 10)
      links.push({
        ...base,
        name: `usr/bin/${pkg}.hl`,
        type: 'hardlink',
        mode: exeMode,
        linkname: `usr/bin/${pkg}`,
        mtime: 0,
      });
  }
  for (let j = 0; j < 24; j++)
    file(`${libdir}/big/libbig${j}.so`, 1_000_000 + Math.floor(rnd() * 2_200_000));
  file('usr/lib/locale/locale-archive', 3_000_000);

  const sorted = [...entries.values()].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  return [...sorted, ...links];
}

/** Deterministic incompressible content: AES-128-CTR keystream, one IV per file. */
function contentOf(index: number, size: number): Buffer {
  const key = createHash('sha256').update(ROOTFS_VERSION).digest().subarray(0, 16);
  const iv = Buffer.alloc(16);
  iv.writeUInt32BE(index, 4);
  return createCipheriv('aes-128-ctr', key, iv).update(Buffer.alloc(size));
}

function generate(path: string): RootfsTarball {
  const plan = planRootfs();
  const hash = createHash('sha256');
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o644);
  const out = new UstarWriter(fd, (buf) => hash.update(buf));
  const info = { entries: plan.length, files: 0, dirs: 0, symlinks: 0, hardlinks: 0, dataBytes: 0 };
  try {
    plan.forEach((h, i) => {
      if (h.type === 'file') {
        info.files++;
        info.dataBytes += h.size ?? 0;
        out.entry(h, contentOf(i, h.size ?? 0));
      } else {
        info[h.type === 'dir' ? 'dirs' : h.type === 'symlink' ? 'symlinks' : 'hardlinks']++;
        out.entry(h);
      }
    });
    out.end();
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return {
    path,
    version: ROOTFS_VERSION,
    ...info,
    tarBytes: out.bytes,
    sha256: hash.digest('hex'),
  };
}

/** The cached tarball, generated first if this version is not there yet. */
export function ensureRootfsTarball(): RootfsTarball {
  const path = join(CACHE_DIR, `${ROOTFS_VERSION}.tar`);
  const metaFile = `${path}.json`;
  if (existsSync(path) && existsSync(metaFile)) {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as RootfsTarball;
    if (statSync(path).size === meta.tarBytes) return meta;
  }
  mkdirSync(CACHE_DIR, { recursive: true, mode: 0o700 });
  process.stderr.write(`generating ${path} (once; cached for later runs)\n`);
  const meta = generate(path);
  writeFileSync(metaFile, `${JSON.stringify(meta, null, 2)}\n`);
  return meta;
}
