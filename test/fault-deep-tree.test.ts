/**
 * A container that makes a tree deeper than a path may be long (the issue's
 * `while mkdir d && cd d`) must not wedge anything: teardown, `rm`, `diff`,
 * `watch` and `run --events` end cleanly, and the helper's rmtree removes
 * any depth with few descriptors and a small stack, never through a symlink
 * and never below a mount.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, runIn } from './support/cli.js';
import { HELPER } from './support/paths.js';
import { startCli, waitForInit, waitForPath } from './support/spawn-cli.js';
import {
  expectNothingLeft,
  hasStackTrace,
  recordedInits,
  tmpfsRoot,
  type TmpfsRoot,
} from './support/fault-root.js';

/** A tree 5,000 deep in the container's /tmp (busybox's cd stops at PATH_MAX: hop with cd -P). */
const DEEP_TREE =
  'cd /tmp && p=d && for i in $(seq 1 999); do p=$p/d; done && ' +
  'for r in 1 2 3 4 5; do mkdir -p $p && cd -P $p || exit 9; done && echo hi > f';

/**
 * Also 5,000 deep, with names of 100 bytes: the first 40 levels are all a
 * path can name, so the readers of upper have little they can read (a chain
 * of 2,000 one-letter names costs a watch tens of seconds of rescanning).
 */
const DEEP_WIDE_TREE =
  'cd /tmp && n=dddddddddd && n=$n$n$n$n$n$n$n$n$n$n && p=$n && for i in $(seq 1 38); do p=$p/$n; done && ' +
  'for r in $(seq 1 128); do mkdir -p $p && cd -P $p || exit 9; done && echo hi > f';

let fs: TmpfsRoot;
let root: string;

beforeEach(() => {
  fs = tmpfsRoot('ovt-deep-', 256);
  root = fs.root;
});

afterEach(() => {
  fs.dispose();
});

/** Makes DIR/d/d/.../d, `depth` deep, with relative mkdirs (no path limit). */
function makeDeepTree(dir: string, depth: number): void {
  const cwd = process.cwd();
  try {
    mkdirSync(dir);
    process.chdir(dir);
    for (let i = 0; i < depth; i++) {
      mkdirSync('d');
      process.chdir('d');
    }
  } finally {
    process.chdir(cwd);
  }
}

/** The helper under a small stack and descriptor limit: recursion or an fd per level fails. */
function rmtreeConfined(path: string): { code: number | null; stderr: string } {
  const r = spawnSync(
    'sh',
    ['-c', `ulimit -s 256 && ulimit -n 64 && exec "$0" rmtree "$1"`, HELPER, path],
    {
      encoding: 'utf8',
    },
  );
  return { code: r.status, stderr: r.stderr };
}

describe('ovl-helper rmtree', () => {
  it('removes a tree 30,000 deep with a 256 KB stack and 64 descriptors, never following a symlink', () => {
    const outside = join(root, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'keep'), 'kept');
    const tree = join(root, 'tree');
    makeDeepTree(tree, 30_000);
    // At the bottom, a symlink to a directory outside, and a file.
    const cwd = process.cwd();
    process.chdir(tree);
    try {
      for (let i = 0; i < 30_000; i++) process.chdir('d');
      symlinkSync(outside, 'link');
      writeFileSync('file', 'x');
    } finally {
      process.chdir(cwd);
    }
    const r = rmtreeConfined(tree);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(existsSync(tree)).toBe(false);
    expect(readFileSync(join(outside, 'keep'), 'utf8')).toBe('kept');
  });

  it('removes a symlink given as the path, not what it points to', () => {
    const target = join(root, 'target');
    mkdirSync(target);
    writeFileSync(join(target, 'keep'), 'kept');
    symlinkSync(target, join(root, 'link'));
    expect(rmtreeConfined(join(root, 'link')).code).toBe(0);
    expect(existsSync(join(root, 'link'))).toBe(false);
    expect(readdirSync(target)).toEqual(['keep']);
  });

  it('refuses, in one line, to remove anything below a mount', () => {
    const host = join(root, 'host');
    mkdirSync(host);
    writeFileSync(join(host, 'precious'), 'yes');
    const mnt = join(root, 'tree', 'a', 'b', 'mnt');
    mkdirSync(mnt, { recursive: true });
    // A bind mount of the same file system: same st_dev, another mount.
    expect(spawnSync('mount', ['--bind', host, mnt]).status).toBe(0);
    try {
      const r = rmtreeConfined(join(root, 'tree'));
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`${mnt} is on another mount`);
      expect(readFileSync(join(host, 'precious'), 'utf8')).toBe('yes');
      // And a mount point given as the path itself.
      expect(rmtreeConfined(mnt).code).toBe(1);
      expect(readFileSync(join(host, 'precious'), 'utf8')).toBe('yes');
    } finally {
      spawnSync('umount', [mnt]);
    }
    expect(rmtreeConfined(join(root, 'tree')).code).toBe(0);
    expect(readdirSync(root).sort()).toEqual(['host']);
  });
});

describe('a container with a tree 5,000 deep', () => {
  it('is torn down with no stack trace, and the name is free again', () => {
    const run = runIn(root, ['sh', '-c', DEEP_TREE], ['--name', 'deep']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expectNothingLeft(root, []);
    expect(runIn(root, ['true'], ['--name', 'deep']).code).toBe(0);
  });

  // One container for the three readers of upper (a tree this deep costs
  // seconds of scanning): run --events and a watch while it is made, then
  // diff and rm of the kept container.
  it('run --events, watch, diff and rm end cleanly, each saying in one line what is not shown', async () => {
    const events = join(root, 'events.jsonl');
    const go = 'while [ ! -e /go ]; do sleep 0.05; done';
    const run = startCli([
      ...['run', '--root', root, '--keep', '--name', 'deep', '--events', events],
      ...['--', 'sh', '-c', `${go}; ${DEEP_WIDE_TREE}`],
    ]);
    await waitForInit(root);
    const inits = recordedInits(root);
    const watch = startCli(['watch', '--root', root, '--json', 'deep']);
    let watched = '';
    watch.child.stdout?.on('data', (d: Buffer) => (watched += d.toString()));
    const watchers = join(root, 'containers', 'deep', 'watchers');
    await waitForPath(watchers);
    await waitUntil(() => readdirSync(watchers).length > 0);
    writeFileSync(join(root, 'containers', 'deep', 'merged', 'go'), '');

    expect((await run.exit).code).toBe(0);
    expect(hasStackTrace(run.stderr())).toBe(false);
    expect(run.stderr().trim()).toMatch(/^overlay-tui: events: .* nothing below it is shown$/);
    const recorded = readFileSync(events, 'utf8').trim().split('\n');
    expect(recorded.map((l) => JSON.parse(l) as { path: string })).toContainEqual(
      expect.objectContaining({ path: `/tmp/${'d'.repeat(100)}`, kind: 'create' }),
    );
    expect((await watch.exit).code).toBe(0);
    expect(hasStackTrace(watch.stderr())).toBe(false);
    expect(watch.stderr().trim()).toMatch(/^overlay-tui: watch: .* nothing below it is shown$/);
    expect(watched).toContain(`"path":"/tmp/${'d'.repeat(100)}"`);

    const diff = cli(['diff', '--root', root, 'deep']);
    expect(hasStackTrace(diff.stderr)).toBe(false);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toMatch(/^A +\/tmp\/d{100}\/d{100} /m);
    expect(diff.stderr.trim()).toMatch(/^overlay-tui: .* nothing below it is shown$/);
    const rm = cli(['rm', '--root', root, 'deep']);
    expect(rm.stderr).toBe('');
    expect(rm.code).toBe(0);
    expectNothingLeft(root, inits);
  });
});

async function waitUntil(ok: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
