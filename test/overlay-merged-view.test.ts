/**
 * The merged view computed from hand-built layer trees: overlayfs's rules
 * one at a time, without a disk. (test/overlay-oracle.test.ts checks the
 * same code against the kernel.)
 */
import { describe, expect, it } from 'vitest';
import type { LayerEntry } from '../src/overlay/layer-entry.js';
import {
  computeMerged,
  mergedAt,
  walkMerged,
  type MergedView,
} from '../src/overlay/merged-view.js';
import { dir, file, layer, symlink, whiteout, xwhiteout } from './support/overlay-trees.js';

function merge(upper: LayerEntry | undefined, ...lowers: LayerEntry[]): MergedView {
  return computeMerged(upper ? { upper, lowers } : { lowers });
}

/** path -> "type@layer" for every merged entry but the root. */
function shown(view: MergedView): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of walkMerged(view.root)) {
    if (m.path !== '/') out[m.path] = `${m.type}@${m.top.layer}`;
  }
  return out;
}

describe('merged view: one lower and an upper', () => {
  it('shows a lower alone as it is, labelled lower 0', () => {
    const v = merge(undefined, layer({ etc: dir({ passwd: file() }), sh: symlink('busybox') }));
    expect(shown(v)).toEqual({ '/etc': 'dir@0', '/etc/passwd': 'file@0', '/sh': 'symlink@0' });
  });

  it('lets an upper file win over the lower one and merges directories', () => {
    const v = merge(
      layer({ etc: dir({ passwd: file({ size: 9 }), new: file() }) }),
      layer({ etc: dir({ passwd: file({ size: 5 }), group: file() }) }),
    );
    expect(shown(v)).toEqual({
      '/etc': 'dir@upper',
      '/etc/group': 'file@0',
      '/etc/new': 'file@upper',
      '/etc/passwd': 'file@upper',
    });
    const etc = mergedAt(v, '/etc');
    expect(etc?.stack?.map((s) => s.layer)).toEqual(['upper', 0]);
    expect(etc?.nlink).toBe(1); // a merged directory reports one link
    expect(mergedAt(v, '/etc/passwd')?.top.entry.size).toBe(9);
  });

  it('hides a lower file and a whole lower directory behind whiteouts', () => {
    const v = merge(
      layer({ bin: dir({ ls: whiteout() }), usr: whiteout() }),
      layer({ bin: dir({ ls: file(), cat: file() }), usr: dir({ lib: dir({ x: file() }) }) }),
    );
    expect(shown(v)).toEqual({ '/bin': 'dir@upper', '/bin/cat': 'file@0' });
    const masked = mergedAt(v, '/bin')?.masked?.get('ls');
    expect(masked?.stop?.why).toBe('whiteout');
    expect(masked?.below.map((b) => `${b.layer}:${b.path}`)).toEqual(['0:/bin/ls']);
    expect(v.root.ghosts).toBeUndefined();
  });

  it('does not merge the lower children of an opaque upper directory', () => {
    const v = merge(
      layer({ d: dir({ mine: file() }, { x: { opaque: 'y' } }) }),
      layer({ d: dir({ theirs: file() }) }),
    );
    expect(shown(v)).toEqual({ '/d': 'dir@upper', '/d/mine': 'file@upper' });
    expect(mergedAt(v, '/d')?.stack?.length).toBe(1);
    expect(mergedAt(v, '/d')?.lookup.below.map((b) => b.path)).toEqual(['/d']);
  });

  it('ignores opaque=y on a layer root: the root always merges every layer', () => {
    const v = merge(layer({}, { x: { opaque: 'y' } }), layer({ a: file() }));
    expect(shown(v)).toEqual({ '/a': 'file@0' });
  });

  it('lets an upper non-directory hide a lower directory, and an upper directory a lower file', () => {
    const v = merge(
      layer({ d: file(), f: dir({ inner: file() }) }),
      layer({ d: dir({ child: file() }), f: file() }),
    );
    expect(shown(v)).toEqual({ '/d': 'file@upper', '/f': 'dir@upper', '/f/inner': 'file@upper' });
    expect(mergedAt(v, '/f')?.lookup.stop?.why).toBe('type-mismatch');
    expect(mergedAt(v, '/f')?.lookup.below.map((b) => b.entry.type)).toEqual(['file']);
  });
});

describe('merged view: renamed directories (redirect)', () => {
  it('follows a relative redirect to the old name in the same parent', () => {
    const v = merge(
      layer({ d: whiteout(), dd: dir({ z: whiteout() }, { x: { redirect: 'd', origin: '' } }) }),
      layer({ d: dir({ f: file(), z: file() }) }),
    );
    expect(shown(v)).toEqual({ '/dd': 'dir@upper', '/dd/f': 'file@0' });
    expect(mergedAt(v, '/dd')?.stack?.map((s) => `${s.layer}:${s.path}`)).toEqual([
      'upper:/dd',
      '0:/d',
    ]);
  });

  it('follows an absolute redirect from the lower roots', () => {
    const v = merge(
      layer({ a: whiteout(), x: dir({ moved: dir({}, { x: { redirect: '/a/b' } }) }) }),
      layer({ a: dir({ b: dir({ deep: file() }) }), x: dir() }),
    );
    expect(shown(v)).toEqual({
      '/x': 'dir@upper',
      '/x/moved': 'dir@upper',
      '/x/moved/deep': 'file@0',
    });
  });

  it('follows a redirect left in a lower layer (a former upper) into the layers below it', () => {
    const v = merge(
      undefined,
      layer({ old: whiteout(), new: dir({ mine: file() }, { x: { redirect: 'old' } }) }),
      layer({ old: dir({ theirs: file() }) }),
    );
    expect(shown(v)).toEqual({ '/new': 'dir@0', '/new/mine': 'file@0', '/new/theirs': 'file@1' });
  });

  it('ignores a redirect the kernel would reject', () => {
    const v = merge(
      layer({ dd: dir({}, { x: { redirect: 'a/b' } }) }),
      layer({ a: dir({ b: dir({ f: file() }) }), dd: dir({ g: file() }) }),
    );
    expect(Object.keys(shown(v))).toContain('/dd/g');
    expect(Object.keys(shown(v))).not.toContain('/dd/f');
  });
});

describe('merged view: several lower layers', () => {
  const bottom = () =>
    layer({
      gone: file(),
      opq: dir({ old: file() }),
      swap: dir({ inside: file() }),
      both: dir({ low: file() }),
    });

  it('applies whiteouts, opaque directories and non-directories found in a middle layer', () => {
    const middle = layer({
      gone: whiteout(),
      opq: dir({ fresh: file() }, { x: { opaque: 'y' } }),
      swap: file(),
      both: dir({ mid: file() }),
    });
    const v = merge(layer({ both: dir({ up: file() }) }), middle, bottom());
    expect(shown(v)).toEqual({
      '/both': 'dir@upper',
      '/both/low': 'file@1',
      '/both/mid': 'file@0',
      '/both/up': 'file@upper',
      '/opq': 'dir@0',
      '/opq/fresh': 'file@0',
      '/swap': 'file@0',
    });
    expect(mergedAt(v, '/both')?.stack?.map((s) => s.layer)).toEqual(['upper', 0, 1]);
    expect(v.root.masked?.get('gone')?.stop?.at.layer).toBe(0);
  });

  it('honours xattr whiteouts in a lower directory marked opaque=x, and does not list them', () => {
    const middle = layer({ both: dir({ low: xwhiteout() }, { x: { opaque: 'x' } }) });
    const v = merge(undefined, middle, bottom());
    expect(shown(v)['/both/low']).toBeUndefined();
    expect(mergedAt(v, '/both')?.ghosts).toBeUndefined();
  });

  it('treats an xattr whiteout outside an x directory as a whiteout readdir still lists (6.18)', () => {
    const middle = layer({ both: dir({ low: xwhiteout() }) });
    const v = merge(undefined, middle, bottom());
    expect(shown(v)['/both/low']).toBeUndefined();
    expect(mergedAt(v, '/both')?.ghosts).toEqual(['low']);
  });

  it('lists a whiteout in a single-layer directory as a name lstat cannot find', () => {
    const v = merge(layer({ solo: dir({ w: whiteout(), f: file() }) }), layer());
    expect(mergedAt(v, '/solo')?.ghosts).toEqual(['w']);
    expect(mergedAt(v, '/solo')?.nlink).toBe(2); // not merged: its own link count
  });
});

describe('merged view: metacopy', () => {
  it('shows the metacopy file and reads its data from the lower file', () => {
    const v = merge(
      layer({ f: file({ size: 7, mode: 0o600, x: { metacopy: '', origin: '' } }) }),
      layer({ f: file({ size: 7 }) }),
    );
    const f = mergedAt(v, '/f');
    expect(f?.top.layer).toBe('upper');
    expect(f?.top.entry.mode).toBe(0o600);
    expect(f?.data?.layer).toBe(0);
  });

  it('finds the data of a renamed metacopy file through its absolute redirect', () => {
    const v = merge(
      layer({ a: whiteout(), b: file({ x: { metacopy: '', redirect: '/a' } }) }),
      layer({ a: file() }),
    );
    expect(mergedAt(v, '/b')?.data?.path).toBe('/a');
  });

  it('has no data for a metacopy file with nothing below (the kernel says EIO)', () => {
    const v = merge(layer({ f: file({ x: { metacopy: '' } }) }), layer());
    expect(mergedAt(v, '/f')?.data).toBeUndefined();
  });
});

describe('merged view: xattr namespace', () => {
  it('reads user.overlay.* with the userxattr option, and only then', () => {
    const upper = () => layer({ d: dir({}, { user: { opaque: 'y' } }) });
    const lower = () => layer({ d: dir({ f: file() }) });
    expect(shown(merge(upper(), lower()))['/d/f']).toBe('file@0');
    const user = computeMerged({ upper: upper(), lowers: [lower()] }, { xattrNamespace: 'user' });
    expect(shown(user)['/d/f']).toBeUndefined();
  });
});
