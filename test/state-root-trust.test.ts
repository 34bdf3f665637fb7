/**
 * The state root cannot be turned against root (issue 8, section 2): it and
 * every parent up to / must be root's alone, system directories are
 * refused, and a symlink in place of containers/, images/ or a container's
 * directory is refused and its target left exactly as it was.
 */
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { rmSync, rmdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, type CliResult } from './support/cli.js';
import { removeRoot, tempRoot } from './support/state-root.js';
import { snapshotTree } from './support/tree-snapshot.js';

const NOBODY = 65534;

let box: string;

beforeEach(() => {
  box = tempRoot('ovt-trust-');
});

afterEach(() => {
  removeRoot(box);
});

/** Refused: exit 125 and exactly one line on stderr, which contains each of `words`. */
function expectRefused(r: CliResult, ...words: string[]): void {
  expect(r.code, r.stderr).toBe(125);
  expect(r.stderr).toMatch(/^overlay-tui: [^\n]+\n$/);
  for (const w of words) expect(r.stderr).toContain(w);
}

describe('the state root and its parents must be root-owned and writable by root alone', () => {
  it('refuses a parent owned by another uid, and creates nothing in it', () => {
    const parent = join(box, 'theirs');
    mkdirSync(parent, { mode: 0o755 });
    chownSync(parent, NOBODY, NOBODY);
    const r = cli(['ps', '--root', join(parent, 'root')]);
    expectRefused(r, parent, `uid ${NOBODY}`);
    expect(existsSync(join(parent, 'root'))).toBe(false);
  });

  it('refuses a group-writable parent and an other-writable one that is not sticky', () => {
    for (const mode of [0o775, 0o777]) {
      const parent = join(box, `mode-${mode.toString(8)}`);
      mkdirSync(parent);
      chmodSync(parent, mode);
      const r = cli(['ps', '--root', join(parent, 'root')]);
      expectRefused(r, parent, `0${mode.toString(8)}`);
      expect(existsSync(join(parent, 'root'))).toBe(false);
    }
  });

  it('accepts a root-owned sticky parent (as /tmp is), and a root-owned 0755 one', () => {
    for (const mode of [0o1777, 0o755]) {
      const parent = join(box, `ok-${mode.toString(8)}`);
      mkdirSync(parent);
      chmodSync(parent, mode);
      const r = cli(['ps', '--root', join(parent, 'root')]);
      expect(r.code, r.stderr).toBe(0);
      expect(lstatSync(join(parent, 'root')).mode & 0o7777).toBe(0o700);
    }
  });

  it('refuses a state root that is group-writable, owned by another uid, or a symlink', () => {
    const loose = join(box, 'loose');
    mkdirSync(loose);
    chmodSync(loose, 0o770);
    expectRefused(cli(['ps', '--root', loose]), loose, '0770');
    const theirs = join(box, 'theirs');
    mkdirSync(theirs, { mode: 0o700 });
    chownSync(theirs, NOBODY, NOBODY);
    expectRefused(cli(['ps', '--root', theirs]), theirs, `uid ${NOBODY}`);
    const link = join(box, 'link');
    symlinkSync(theirs, link);
    expectRefused(cli(['ps', '--root', link]), link, 'symlink');
    expect(existsSync(join(theirs, 'containers'))).toBe(false);
  });

  it('refuses / and other system directories as the state root', () => {
    const made = ['/layers', '/images', '/containers'].filter((d) => !existsSync(d));
    try {
      for (const dir of ['/', '/tmp', '/var/lib', '/etc', '/usr']) {
        // Other software may have its own (podman's /etc/containers): nothing appears, at least.
        const had = ['layers', 'images', 'containers'].map((n) => existsSync(join(dir, n)));
        expectRefused(cli(['ps', '--root', dir]), 'system directory');
        expect(
          ['layers', 'images', 'containers'].map((n) => existsSync(join(dir, n))),
          dir,
        ).toEqual(had);
      }
    } finally {
      // What the code before this check made in /: removed, if empty.
      for (const d of made) if (existsSync(d)) rmdirSync(d);
    }
  });
});

/** A container directory that recovery would tear down: its owner is long gone. */
function plantDeadContainer(dir: string): void {
  mkdirSync(join(dir, 'upper'), { recursive: true });
  mkdirSync(join(dir, 'merged'));
  writeFileSync(join(dir, 'upper', 'keep-me'), 'victim data\n');
  const state = {
    id: 'abc123def456',
    status: 'running',
    image: { digest: '0'.repeat(64), source: '/x.tar' },
    lowers: [],
    mountOptions: [],
    command: ['sh'],
    keep: false,
    owner: { pid: 2 ** 22 + 1, start: 1 }, // above pid_max: never a live process
    createdAt: new Date(0).toISOString(),
  };
  writeFileSync(join(dir, 'state.json'), JSON.stringify(state));
}

describe('nothing under the state root is followed through a symlink', () => {
  it('refuses a containers/ that is a symlink, and ps, rm, clean leave its target untouched', () => {
    const root = join(box, 'root');
    expect(cli(['ps', '--root', root]).code).toBe(0);
    const target = join(box, 'target');
    mkdirSync(target, { mode: 0o755 });
    plantDeadContainer(join(target, 'abc123def456'));
    const before = snapshotTree(target);
    rmdirSync(join(root, 'containers'));
    symlinkSync(target, join(root, 'containers'));
    for (const args of [['ps'], ['rm', 'abc123def456'], ['clean'], ['images']]) {
      const [command, ...rest] = args as [string, ...string[]];
      expectRefused(cli([command, '--root', root, ...rest]), 'containers', 'symlink');
    }
    expect(lstatSync(target).mode & 0o7777).toBe(0o755);
    expect(snapshotTree(target)).toEqual(before);
  });

  it('refuses an images/ that is a symlink, leaving its target untouched', () => {
    const root = join(box, 'root');
    expect(cli(['ps', '--root', root]).code).toBe(0);
    const target = join(box, 'target');
    mkdirSync(target, { mode: 0o755 });
    rmdirSync(join(root, 'images'));
    symlinkSync(target, join(root, 'images'));
    expectRefused(cli(['ps', '--root', root]), 'images', 'symlink');
    expect(lstatSync(target).mode & 0o7777).toBe(0o755);
  });

  it("refuses a layers/ that is a symlink or not root's, leaving its target untouched", () => {
    const root = join(box, 'root');
    expect(cli(['ps', '--root', root]).code).toBe(0);
    const target = join(box, 'target');
    mkdirSync(target, { mode: 0o755 });
    rmdirSync(join(root, 'layers'));
    symlinkSync(target, join(root, 'layers'));
    for (const args of [['ps'], ['images'], ['load', '/nonexistent.tar']]) {
      const [command, ...rest] = args as [string, ...string[]];
      expectRefused(cli([command, '--root', root, ...rest]), 'layers', 'symlink');
    }
    expect(lstatSync(target).mode & 0o7777).toBe(0o755);
    rmSync(join(root, 'layers'));
    mkdirSync(join(root, 'layers'), { mode: 0o700 });
    chownSync(join(root, 'layers'), 1000, 1000);
    expectRefused(cli(['ps', '--root', root]), 'layers', 'owned by uid 1000');
  });

  it('a container entry that is a symlink is neither recovered nor removed through', () => {
    const root = join(box, 'root');
    expect(cli(['ps', '--root', root]).code).toBe(0);
    const target = join(box, 'target');
    mkdirSync(target, { mode: 0o755 });
    plantDeadContainer(join(target, 'abc123def456'));
    const before = snapshotTree(target);
    const stateBefore = readFileSync(join(target, 'abc123def456', 'state.json'), 'utf8');
    symlinkSync(join(target, 'abc123def456'), join(root, 'containers', 'victim'));
    const ps = cli(['ps', '--root', root]);
    expect(ps.code, ps.stderr).toBe(0);
    expect(ps.stdout).not.toContain('victim');
    expect(cli(['clean', '--root', root]).stdout).toBe('nothing to clean\n');
    expectRefused(cli(['rm', '--root', root, 'victim']), 'victim', 'symlink');
    expect(readFileSync(join(target, 'abc123def456', 'state.json'), 'utf8')).toBe(stateBefore);
    expect(snapshotTree(target)).toEqual(before);
  });
});
