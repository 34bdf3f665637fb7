/**
 * Image layers for the layer report's tests: layer tars written from entry
 * lists, extracted with the project's extractor into directories whose
 * whiteouts are then made what the kernel reads (`.wh.NAME` -> a 0/0
 * character device, `DIR/.wh..wh..opq` -> DIR marked trusted.overlay.opaque=y),
 * random layers, and the figures a reader of the entry lists computes by
 * hand (an independent model: full paths in a flat map, no tree, no
 * readdir), to hold the report's figures against.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setAttributeSync } from '@napi-rs/xattr';
import { extractLayer } from '../../src/engine/image/layer-extract.js';
import { makeTar, type TarEntry } from './tarballs.js';
import type { Rng } from './overlay-rng.js';

/** A layer's tar written, extracted into dir, and its whiteouts made into the kernel's form. */
export async function extractLayerDir(entries: TarEntry[], dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const tar = await makeTar(entries);
  const { diffId } = await extractLayer(Readable.from([tar]), dir);
  convertWhiteouts(dir);
  return diffId;
}

/**
 * `.wh.` files as the kernel wants them. The extractor may already do this
 * (then none is left to convert); either way the directory ends in the
 * kernel's form.
 */
function convertWhiteouts(dir: string): void {
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, d.name);
    if (d.name === '.wh..wh..opq') {
      rmSync(p);
      setAttributeSync(dir, 'trusted.overlay.opaque', 'y');
    } else if (d.name.startsWith('.wh.')) {
      rmSync(p);
      execFileSync('mknod', [join(dir, d.name.slice(4)), 'c', '0', '0']);
    } else if (d.isDirectory()) {
      convertWhiteouts(p);
    }
  }
}

const bytes = (n: number): Buffer => Buffer.alloc(n, 0x78);

/**
 * Four layers as a Dockerfile makes them: a base; a layer that edits a
 * file, empties a directory (opaque) and renames one (a full copy plus a
 * whiteout); one that deletes a directory two layers made, changes only a
 * file's mode, and deletes one of two hard links; one that deletes the other.
 */
export const STORY: TarEntry[][] = [
  [
    { name: 'etc/' },
    { name: 'etc/passwd', content: bytes(100) },
    { name: 'etc/hosts', content: bytes(50) },
    { name: 'etc/group', content: bytes(10) },
    { name: 'bin/' },
    { name: 'bin/busybox', content: bytes(1000), mode: 0o755 },
    { name: 'bin/sh', type: 'link', linkname: 'bin/busybox' },
    { name: 'opt/' },
    { name: 'opt/app/' },
    { name: 'opt/app/data', content: bytes(300) },
    { name: 'usr/' },
    { name: 'usr/lib/' },
    { name: 'usr/lib/x.so', content: bytes(400) },
    { name: 'usr/lib/y.so', content: bytes(500) },
    { name: 'srv/' },
    { name: 'srv/old/' },
    { name: 'srv/old/f', content: bytes(200) },
  ],
  [
    { name: 'etc/' },
    { name: 'etc/passwd', content: bytes(120) },
    { name: 'opt/' },
    { name: 'opt/app/' },
    { name: 'opt/app/log', content: bytes(70) },
    { name: 'usr/' },
    { name: 'usr/lib/' },
    { name: 'usr/lib/.wh..wh..opq', content: '' },
    { name: 'usr/lib/z.so', content: bytes(600) },
    { name: 'srv/' },
    { name: 'srv/new/' },
    { name: 'srv/new/f', content: bytes(200) },
    { name: 'srv/.wh.old', content: '', mode: 0 },
  ],
  [
    { name: '.wh.opt', content: '' },
    { name: 'etc/' },
    { name: 'etc/hosts', content: bytes(50), mode: 0o600 },
    { name: 'bin/' },
    { name: 'bin/.wh.sh', content: '' },
  ],
  [{ name: 'bin/' }, { name: 'bin/.wh.busybox', content: '' }],
];

// ---- random layers ----------------------------------------------------------

/** The names random layers use: a small tree, so that layers meet each other often. */
const TOP = ['a', 'b', 'c', 'd'];
const SUB = ['s', 't', 'u'];
const LEAF = ['f', 'g', 'h', 'k'];

function childrenOf(depth: number): string[] {
  return depth === 0 ? TOP : depth === 1 ? SUB : depth === 2 ? LEAF : [];
}

/**
 * One random layer as tar entries, parents before children: each name
 * absent, a directory (maybe opaque) holding random children, a file of
 * random size, a symlink, a hard link to a file made earlier in the layer,
 * or a whiteout.
 */
export function randomLayer(rng: Rng): TarEntry[] {
  const entries: TarEntry[] = [];
  const files: string[] = [];
  const fill = (prefix: string, depth: number): void => {
    for (const name of childrenOf(depth)) {
      const path = `${prefix}${name}`;
      const canHold = childrenOf(depth + 1).length > 0;
      const r = rng.next();
      if (canHold && r < 0.45) {
        entries.push({ name: `${path}/` });
        if (rng.chance(0.12)) entries.push({ name: `${path}/.wh..wh..opq`, content: '' });
        fill(`${path}/`, depth + 1);
      } else if (r < 0.6) {
        const size = rng.chance(0.15) ? 0 : rng.int(1, 5000);
        entries.push({ name: path, content: Buffer.alloc(size, 0x61 + (size % 26)) });
        files.push(path);
      } else if (r < 0.66) {
        entries.push({ name: path, type: 'symlink', linkname: '/etc/passwd' });
      } else if (r < 0.7 && files.length > 0) {
        entries.push({ name: path, type: 'link', linkname: rng.pick(files) });
      } else if (r < 0.74) {
        entries.push({ name: path, type: 'directory' });
      } else if (r < 0.84) {
        const slash = path.lastIndexOf('/');
        entries.push({
          name: `${path.slice(0, slash + 1)}.wh.${path.slice(slash + 1)}`,
          content: '',
        });
      }
    }
  };
  fill('', 0);
  return entries;
}

// ---- the figures, computed from the entry lists ---------------------------

export interface ExpectedLayer {
  added: number;
  changed: number;
  deleted: number;
  opaque: number;
  sizeBytes: number;
  wastedBytes: number;
  /** Every wasted path charged to this layer: "path bytes by", sorted. */
  wasted: string[];
}

interface Held {
  owner: number;
  isDir: boolean;
  size: number;
  /** Hard links of one inode share this: its data is lost when no link is left. */
  group?: { size: number; visible: number };
}

const clean = (name: string): string => `/${name.replace(/\/$/, '')}`;

/**
 * What the layer tars say, by reading their entry lists as a person would:
 * a path is added if nothing below shows there, changed if something does;
 * a `.wh.` entry deletes; `.wh..wh..opq` hides all below its directory; the
 * bytes a layer stored at a path are wasted when a higher layer replaces
 * or hides that path (for hard links: once none of the links shows).
 */
export function expectedFigures(layers: TarEntry[][]): ExpectedLayer[] {
  const state = new Map<string, Held>();
  const out: ExpectedLayer[] = layers.map(() => ({
    added: 0,
    changed: 0,
    deleted: 0,
    opaque: 0,
    sizeBytes: 0,
    wastedBytes: 0,
    wasted: [],
  }));
  /** Hides path and all under it; the bytes each owner loses are one wasted path, `path`. */
  const hide = (path: string, by: number): void => {
    const perOwner = new Map<number, number>();
    for (const [p, held] of [...state]) {
      if (p !== path && !p.startsWith(`${path}/`)) continue;
      state.delete(p);
      let bytes = held.size;
      if (held.group) {
        held.group.visible--;
        bytes = held.group.visible === 0 ? held.group.size : 0;
      }
      if (bytes > 0) perOwner.set(held.owner, (perOwner.get(held.owner) ?? 0) + bytes);
    }
    for (const [owner, bytes] of perOwner) {
      const o = out[owner] as ExpectedLayer;
      o.wastedBytes += bytes;
      o.wasted.push(`${path} ${bytes} ${by + 1}`);
    }
  };
  layers.forEach((entries, k) => {
    const o = out[k] as ExpectedLayer;
    const opaques = new Set(
      entries
        .filter((e) => e.name.endsWith('/.wh..wh..opq'))
        .map((e) => clean(e.name.slice(0, -'/.wh..wh..opq'.length))),
    );
    const groups = new Map<string, { size: number; visible: number }>();
    for (const e of entries) {
      const path = clean(e.name);
      const base = path.slice(path.lastIndexOf('/') + 1);
      if (base === '.wh..wh..opq') continue;
      if (base.startsWith('.wh.')) {
        const target = `${path.slice(0, path.lastIndexOf('/'))}/${base.slice(4)}`;
        o.deleted++;
        hide(target, k);
        continue;
      }
      const below = state.get(path);
      const isDir = e.type === 'directory' || (e.type === undefined && e.name.endsWith('/'));
      if (below) o.changed++;
      else o.added++;
      if (isDir && opaques.has(path)) {
        o.opaque++;
        hide(path, k); // what was there, and everything below it
      } else if (below && !(below.isDir && isDir)) {
        hide(path, k);
      }
      if (isDir) {
        state.set(path, { owner: k, isDir: true, size: 0 });
      } else if (e.type === 'link') {
        const target = clean(e.linkname ?? '');
        let group = groups.get(target);
        const held = state.get(target);
        if (!group && held) {
          group = { size: held.size, visible: 1 };
          groups.set(target, group);
          held.group = group;
        }
        if (group) {
          group.visible++;
          state.set(path, { owner: k, isDir: false, size: group.size, group });
        }
      } else {
        const size =
          e.type === undefined || e.type === 'file' ? Buffer.byteLength(e.content ?? '') : 0;
        o.sizeBytes += size;
        state.set(path, { owner: k, isDir: false, size });
      }
    }
  });
  for (const o of out) o.wasted.sort();
  return out;
}
