/**
 * An image's layers mounted as Docker's overlay2 mounts them: every layer a
 * lower, topmost first, under the container's upper, through the helper's
 * lowerdir+ (one layer per fsconfig call). The kernel is the oracle: the
 * container's own view of its root must be the stack flattened.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContainer } from '../src/engine/container/create.js';
import { mountOverlay, unmount } from '../src/engine/helper.js';
import { DEFAULT_USERNS_RANGE } from '../src/engine/confine/userns-range.js';
import type { LayeredImage } from '../src/engine/image/image-record.js';
import { ensureImage } from '../src/engine/image/store.js';
import { openStateRoot, type StateRoot } from '../src/engine/state-root.js';
import { MAX_LOWER_LAYERS } from '../src/overlay/mount-options.js';
import { layeredImage, opaqueDir, put, whiteout } from './support/layered-image.js';
import { runLayered } from './support/layered-run.js';
import { DEFAULT_IMAGE_PATH } from './support/paths.js';
import { mountsUnder, removeRoot, tempRoot } from './support/state-root.js';

let root: string;
let store: StateRoot;
let base: string;

beforeAll(async () => {
  root = tempRoot('ovt-stack-');
  store = openStateRoot(root);
  const busybox = await ensureImage(store, DEFAULT_IMAGE_PATH);
  base = busybox.layers[0]?.dir ?? '';
});

afterAll(() => removeRoot(root));

/** Nothing of any container is left: no mount, no container directory. */
function expectNothingLeft(): void {
  expect(mountsUnder(root)).toEqual([]);
  expect(readdirSync(store.containers)).toEqual([]);
}

/** Where tallImage puts its whiteout and opaque directory. */
interface Marks {
  /** This layer deletes add-<deletes> with a whiteout. */
  whiteoutAt: number;
  deletes: number;
  /** /stack/dir is made (a, b) at dirAt, made opaque (c alone) at opaqueAt. */
  dirAt: number;
  opaqueAt: number;
}
const MARKS: Marks = { whiteoutAt: 50, deletes: 10, dirAt: 5, opaqueAt: 60 };

/**
 * busybox at the bottom, then layers 2..n: layer i adds /stack/add-i and
 * rewrites /stack/changed; one layer makes /stack/dir with a and b, a
 * higher one makes it opaque with c alone; one deletes an add-N below it.
 */
function tallImage(name: string, n: number, marks = MARKS): LayeredImage {
  const dirs = [base];
  for (let i = 2; i <= n; i++) {
    const d = join(root, name, String(i));
    mkdirSync(d, { recursive: true });
    put(d, `stack/add-${i}`, `${i}`);
    put(d, 'stack/changed', `${i}`);
    if (i === marks.dirAt) {
      put(d, 'stack/dir/a', 'a');
      put(d, 'stack/dir/b', 'b');
    }
    if (i === marks.whiteoutAt) whiteout(d, `stack/add-${marks.deletes}`);
    if (i === marks.opaqueAt) {
      opaqueDir(d, 'stack/dir');
      put(d, 'stack/dir/c', 'c');
    }
    dirs.push(d);
  }
  return layeredImage(dirs, {}, name);
}

/** Every file under /stack as NAME=CONTENT, as the container itself reads it. */
const LIST_STACK = [
  'sh',
  '-c',
  'cd /stack && for f in * dir/*; do [ -f "$f" ] && printf "%s=%s\\n" "$f" "$(cat "$f")"; done; true',
];

/** The same list, from what tallImage wrote: the stack flattened by hand. */
function flattened(n: number, marks = MARKS): string[] {
  const lines = ['changed=' + String(n), 'dir/c=c'];
  for (let i = 2; i <= n; i++) if (i !== marks.deletes) lines.push(`add-${i}=${i}`);
  return lines.sort();
}

describe('an image of many layers', () => {
  it('runs with 128 layers: the container sees the stack flattened, top layer first', () => {
    const image = tallImage('tall128', 128);
    // merged's root looks like the topmost layer's root.
    chmodSync(image.layers.at(-1)?.dir ?? '', 0o751);
    const r = runLayered(store, image, {
      command: [...LIST_STACK.slice(0, 2), `${LIST_STACK[2] ?? ''}; stat -c %a /`],
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.pop()).toBe('751');
    expect(lines.sort()).toEqual(flattened(128));
    // What is deleted or hidden is gone; what changed is the top layer's.
    expect(r.stdout).not.toMatch(/^add-10=|^dir\/a=|^dir\/b=/m);
    expect(r.stdout).toMatch(/^changed=128$/m);
    // Recorded topmost first, each lower with its label.
    expect(r.state.lowers).toEqual(image.layers.map((l) => l.dir).reverse());
    expect(r.state.layers?.map((l) => l.number)).toEqual(
      Array.from({ length: 128 }, (_, i) => 128 - i),
    );
    expect(r.state.image.digest).toBe(image.record.id);
    expectNothingLeft();
  });

  it(`mounts ${MAX_LOWER_LAYERS} layers, the kernel's limit, and refuses one more before making anything`, () => {
    expect(MAX_LOWER_LAYERS).toBe(500);
    const image = tallImage('tall500', MAX_LOWER_LAYERS);
    const r = runLayered(store, image, { command: ['cat', '/stack/changed', '/stack/add-2'] });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${MAX_LOWER_LAYERS}2`);
    expectNothingLeft();

    const extra = join(root, 'tall500', 'extra');
    mkdirSync(extra);
    const over = layeredImage([...image.layers.map((l) => l.dir), extra], {}, 'tall501');
    expect(() => createContainer(store, over, { keep: false, command: ['true'] })).toThrow(
      /^the image has 501 layers, and overlayfs mounts at most 500 lower layers: nothing was mounted$/,
    );
    expectNothingLeft();
  });

  it('runs a few layers with --userns: every lower idmapped, whiteout and opaque dir still hide', () => {
    const marks = { whiteoutAt: 5, deletes: 3, dirAt: 2, opaqueAt: 4 };
    const image = tallImage('userns', 6, marks);
    const r = runLayered(
      store,
      image,
      {
        command: [
          ...LIST_STACK.slice(0, 2),
          `${LIST_STACK[2] ?? ''}; id -u; stat -c %u /stack/add-2`,
        ],
      },
      { userns: DEFAULT_USERNS_RANGE },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    // Root in the container, and the image's root-owned files are its own.
    expect(lines.slice(-2)).toEqual(['0', '0']);
    expect(lines.slice(0, -2).sort()).toEqual(flattened(6, marks));
    expect(lines).not.toContain('add-3=3');
    expect(lines).not.toContain('dir/a=a');
    expect(r.state.idmappedLowers).toHaveLength(6);
    expectNothingLeft();
  });

  it('mounts a path fsconfig cannot take through the legacy data, whose one-page limit is one line', () => {
    const dir = join(root, 'legacy');
    const long = (i: number): string => join(dir, 'x'.repeat(200), `${'y'.repeat(100)}${i}`);
    for (let i = 0; i < 14; i++) mkdirSync(long(i), { recursive: true });
    put(long(0), 'from-long', 'long');
    for (const d of ['u', 'w', 'm']) mkdirSync(join(dir, d));
    const layout = (lowers: string[]) => ({
      lowers,
      upper: join(dir, 'u'),
      work: join(dir, 'w'),
    });
    expect(long(0).length).toBeGreaterThan(255);
    mountOverlay(layout([long(0), base]), join(dir, 'm'));
    try {
      expect(existsSync(join(dir, 'm', 'from-long'))).toBe(true);
      expect(existsSync(join(dir, 'm', 'bin', 'busybox'))).toBe(true);
    } finally {
      unmount(join(dir, 'm'));
    }
    const all = Array.from({ length: 14 }, (_, i) => long(i));
    expect(() => mountOverlay(layout(all), join(dir, 'm'))).toThrow(
      /^could not mount the overlay: mount overlay on \S+: File name too long: 14 lowers joined into the legacy mount data \(this kernel has no lowerdir\+, or a path is over 255 bytes\) are over its one-page limit of 4095 bytes: use shorter paths/,
    );
    expect(mountsUnder(root)).toEqual([]);
  });
});
