/**
 * Named scenarios on a real overlay mount: what a shell session leaves in
 * upper is classified as a person would describe it, and corner cases of
 * the rules (measured on Linux 6.18) match the kernel exactly.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { setAttributeSync } from '@napi-rs/xattr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { classifyLayers } from '../src/engine/layers/classify-container.js';
import { LowerLoader } from '../src/engine/layers/lower-loader.js';
import { classifyLowers, type LowerState } from '../src/overlay/classify-lower.js';
import { classifyUpper, type UpperChange } from '../src/overlay/classify-upper.js';
import type { XattrNamespace } from '../src/overlay/layer-entry.js';
import { scanLayer } from '../src/overlay/layer-scan.js';
import { computeMerged, type MergedView } from '../src/overlay/merged-view.js';
import { overlayDirs, withOverlay, type OverlayDirs } from './support/overlay-mount.js';
import { diffTrees, readKernelTree, renderMerged } from './support/overlay-render.js';
import { mountsUnder, removeRoot, tempRoot } from './support/state-root.js';

let root: string;
beforeEach(() => {
  root = tempRoot('ovt-kc-');
});
afterEach(() => {
  expect(mountsUnder(root)).toEqual([]);
  removeRoot(root);
});

/** Makes a layer from a shell script run inside it (mknod, mkfifo and all). */
function makeLayer(name: string, script: string): string {
  const dir = join(root, name);
  fs.mkdirSync(dir);
  execFileSync('sh', ['-ec', script], { cwd: dir });
  return dir;
}

/** The merged view from the layers on disk, after checking it equals the mount's. */
function modelChecked(dirs: OverlayDirs, ns: XattrNamespace = 'trusted'): MergedView {
  const lowers = dirs.lowers.map((l) => scanLayer(l));
  const view = computeMerged({ upper: scanLayer(dirs.upper), lowers }, { xattrNamespace: ns });
  expect(diffTrees(renderMerged(view), readKernelTree(dirs.merged)).join('\n')).toBe('');
  return view;
}

const byPath = <T extends { path: string }>(list: T[]) =>
  Object.fromEntries(list.map((c) => [c.path, c]));

describe('a shell session, classified', () => {
  it('reports copy-ups, whiteouts, opaque and redirected directories as they happened', () => {
    const lower = makeLayer(
      'l',
      `mkdir -p etc bin data/old/sub var/log
       echo root > etc/passwd; echo wheel > etc/group; echo h > etc/hosts
       echo ls > bin/ls; echo cat > bin/cat; echo k > data/keep; echo x > data/old/sub/x
       echo one > f1; echo two > f2; echo log > var/log/messages`,
    );
    const dirs = overlayDirs(root, [lower]);
    const { upper, lowers } = withOverlay(dirs, ['redirect_dir=on'], () => {
      const m = (p: string) => join(dirs.merged, p);
      fs.chmodSync(m('etc/passwd'), 0o600);
      fs.appendFileSync(m('etc/group'), 'more\n');
      fs.utimesSync(m('etc/hosts'), 1, 1);
      fs.unlinkSync(m('bin/ls'));
      fs.rmSync(m('data/old'), { recursive: true });
      fs.mkdirSync(m('data/old'));
      fs.closeSync(fs.openSync(m('data/keep'), 'r+'));
      fs.mkdirSync(m('new'));
      fs.writeFileSync(m('new/made.txt'), 'made');
      fs.renameSync(m('var'), m('var2'));
      fs.renameSync(m('f1'), m('f2'));
      fs.linkSync(m('bin/cat'), m('catlink'));
      const view = modelChecked(dirs);
      return { upper: byPath(classifyUpper(view)), lowers: byPath(classifyLowers(view)) };
    });
    const kinds = Object.fromEntries(
      Object.values(upper).map((c: UpperChange) => [c.path, c.kind]),
    );
    expect(kinds).toEqual({
      '/bin': 'copied-up',
      '/bin/cat': 'copied-up',
      '/bin/ls': 'whiteout',
      '/catlink': 'new',
      '/data': 'copied-up',
      '/data/keep': 'copied-up',
      '/data/old': 'opaque',
      '/etc': 'copied-up',
      '/etc/group': 'copied-up',
      '/etc/hosts': 'copied-up',
      '/etc/passwd': 'copied-up',
      '/f1': 'whiteout',
      '/f2': 'new',
      '/new': 'new',
      '/new/made.txt': 'new',
      '/var': 'whiteout',
      '/var2': 'redirected',
    });
    const changes = (p: string) => upper[p]?.changes;
    expect(changes('/etc/passwd')).toEqual({
      data: 'unchanged',
      mode: true,
      owner: false,
      mtime: false,
    });
    expect(changes('/etc/group')).toMatchObject({ data: 'changed' });
    expect(changes('/etc/hosts')).toEqual({
      data: 'unknown',
      mode: false,
      owner: false,
      mtime: true,
    });
    expect(changes('/data/keep')).toEqual({
      data: 'unchanged',
      mode: false,
      owner: false,
      mtime: false,
    });
    expect(upper['/new']?.opaque).toBe(true); // the kernel's optimisation for a new directory
    expect(upper['/var2']).toMatchObject({ redirect: 'var', lower: { path: '/var' } });
    // ext4 origin handles name the lower inode: f2 is f1's data, catlink is bin/cat.
    expect(upper['/f2']).toMatchObject({ lower: { path: '/f2' }, originPath: '/f1' });
    expect(upper['/catlink']).toMatchObject({ originPath: '/bin/cat' });

    const status = (p: string) => {
      const s: LowerState | undefined = lowers[p];
      return s && `${s.status}${s.by ? ` by ${s.by.layer}:${s.by.path} (${s.by.why})` : ''}`;
    };
    expect(status('/etc/passwd')).toBe('shadowed by upper:/etc/passwd (non-dir)');
    expect(status('/bin/ls')).toBe('hidden by upper:/bin/ls (whiteout)');
    expect(status('/bin/cat')).toBe('shadowed by upper:/bin/cat (non-dir)');
    expect(status('/data/old/sub/x')).toBe('hidden by upper:/data/old (opaque)');
    expect(status('/var')).toBe('shadowed by upper:/var2 (merged)');
    expect(lowers['/var/log/messages']).toMatchObject({
      status: 'visible',
      mergedPath: '/var2/log/messages',
    });
    expect(status('/f2')).toBe('shadowed by upper:/f2 (non-dir)');
  });

  it('copies up metadata only with metacopy=on, and follows a renamed metacopy file to its data', () => {
    const lower = makeLayer('l', 'echo data > a; echo data > b');
    const dirs = overlayDirs(root, [lower]);
    withOverlay(dirs, ['redirect_dir=on', 'metacopy=on'], () => {
      fs.lchownSync(join(dirs.merged, 'a'), 7, 7);
      fs.chmodSync(join(dirs.merged, 'b'), 0o600);
      fs.renameSync(join(dirs.merged, 'b'), join(dirs.merged, 'c'));
      const upper = byPath(classifyUpper(modelChecked(dirs)));
      expect(upper['/a']).toMatchObject({
        kind: 'metacopy',
        changes: { data: 'unchanged', owner: true },
      });
      expect(upper['/c']).toMatchObject({ kind: 'metacopy', lower: { path: '/b' } });
      expect(fs.readFileSync(join(dirs.merged, 'c'), 'utf8')).toBe('data\n');
    });
  });

  it("counts a metacopy file's data as unchanged where the engine compares contents", () => {
    const lower = makeLayer('l', 'echo data > a');
    const dirs = overlayDirs(root, [lower]);
    withOverlay(dirs, ['redirect_dir=on', 'metacopy=on'], () => {
      fs.chmodSync(join(dirs.merged, 'a'), 0o600);
    });
    // The upper file is sparse, of the lower's size: its bytes are zeros.
    expect(fs.statSync(join(dirs.upper, 'a')).size).toBe(5);
    const { changes } = classifyLayers(
      dirs.upper,
      scanLayer(dirs.upper),
      [lower],
      new LowerLoader([lower]),
    );
    expect(byPath(changes)['/a']).toMatchObject({
      kind: 'metacopy',
      changes: { data: 'unchanged', mode: true, owner: false, mtime: false },
    });
  });
});

describe('corner cases of the rules, against the kernel', () => {
  it('honours xattr whiteouts in a lower directory marked opaque=x', () => {
    const bottom = makeLayer('l1', 'mkdir d; echo 1 > d/gone; echo 2 > d/kept');
    const top = makeLayer('l0', 'mkdir d; touch d/gone');
    setAttributeSync(join(top, 'd/gone'), 'trusted.overlay.whiteout', '');
    setAttributeSync(join(top, 'd'), 'trusted.overlay.opaque', 'x');
    const dirs = overlayDirs(root, [top, bottom]);
    withOverlay(dirs, [], () => {
      const lowers = byPath(classifyLowers(modelChecked(dirs)).filter((s) => s.layer === 1));
      expect(lowers['/d/gone']).toMatchObject({
        status: 'hidden',
        by: { layer: 0, why: 'whiteout' },
      });
    });
  });

  it('does not follow a redirect in the bottom layer (the kernel stops there)', () => {
    const bottom = makeLayer('l1', 'mkdir -p a b; echo a > a/froma; echo b > b/fromb');
    setAttributeSync(join(bottom, 'b'), 'trusted.overlay.redirect', 'a');
    const top = makeLayer('l0', 'mkdir x; echo x > x/fromx');
    setAttributeSync(join(top, 'x'), 'trusted.overlay.redirect', '/b');
    const dirs = overlayDirs(root, [top, bottom]);
    withOverlay(dirs, ['redirect_dir=on'], () => {
      const view = modelChecked(dirs);
      expect([...(view.root.children?.get('x')?.children?.keys() ?? [])].sort()).toEqual([
        'fromb',
        'fromx',
      ]);
    });
  });

  it('lists a stray whiteout in a one-layer directory unless it has an origin xattr', () => {
    const lower = makeLayer('l', 'mkdir plain marked; mknod plain/w c 0 0; mknod marked/w c 0 0');
    setAttributeSync(join(lower, 'marked'), 'trusted.overlay.origin', '');
    const dirs = overlayDirs(root, [lower]);
    withOverlay(dirs, [], () => {
      const view = modelChecked(dirs);
      expect(view.root.children?.get('plain')?.ghosts).toEqual(['w']);
      expect(view.root.children?.get('marked')?.ghosts).toBeUndefined();
    });
  });

  it('reads user.overlay.* with the userxattr option', () => {
    const bottom = makeLayer('l1', 'mkdir d; echo 1 > d/old');
    const top = makeLayer('l0', 'mkdir d; echo 2 > d/new');
    setAttributeSync(join(top, 'd'), 'user.overlay.opaque', 'y');
    const dirs = overlayDirs(root, [top, bottom]);
    withOverlay(dirs, ['userxattr'], () => {
      fs.rmSync(join(dirs.merged, 'd/new'));
      const view = modelChecked(dirs, 'user');
      expect(view.root.children?.get('d')?.children?.size).toBe(0);
    });
  });
});
