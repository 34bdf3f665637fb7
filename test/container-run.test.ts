/**
 * `overlay-tui run` for real: overlay mounts, namespaces, pivot_root, and
 * what lands in upper. Each test has its own state root under /tmp and ends
 * by checking that nothing is left mounted.
 */
import { spawnSync } from 'node:child_process';
import { lstatSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, runIn } from './support/cli.js';
import { CLI } from './support/paths.js';
import { imageLower, mountsUnder, removeRoot, tempRoot } from './support/state-root.js';
import { snapshotTree } from './support/tree-snapshot.js';
import { DOCKER_MASKED_PATHS, DOCKER_READONLY_PATHS } from '../src/engine/confine/profile.js';

let root: string;
let lower: string;

beforeAll(() => {
  root = tempRoot('ovt-run-');
  const warm = runIn(root, ['true']);
  expect(warm.code, warm.stderr).toBe(0);
  lower = imageLower(root);
});

afterAll(() => {
  removeRoot(root);
});

/** Runs a --keep container and returns its upper directory (removed by the caller via rm). */
function keptUpper(name: string, script: string): string {
  const r = runIn(root, ['sh', '-c', script], ['--keep', '--name', name]);
  expect(r.code, r.stderr).toBe(0);
  return join(root, 'containers', name, 'upper');
}

describe('what lands in upper', () => {
  it('puts a new file in upper, not in lower', () => {
    const upper = keptUpper('newfile', 'echo made > /root/new.txt');
    try {
      expect(readFileSync(join(upper, 'root/new.txt'), 'utf8')).toBe('made\n');
      expect(existsSync(join(lower, 'root/new.txt'))).toBe(false);
    } finally {
      expect(cli(['rm', '--root', root, 'newfile']).code).toBe(0);
    }
  });

  it('copies /etc/passwd up whole when it is appended to', () => {
    const original = readFileSync(join(lower, 'etc/passwd'), 'utf8');
    const upper = keptUpper('append', 'echo hi >> /etc/passwd');
    try {
      expect(readFileSync(join(upper, 'etc/passwd'), 'utf8')).toBe(`${original}hi\n`);
      expect(readFileSync(join(lower, 'etc/passwd'), 'utf8')).toBe(original);
    } finally {
      expect(cli(['rm', '--root', root, 'append']).code).toBe(0);
    }
  });

  it('leaves a 0/0 character device whiteout for rm /bin/ls', () => {
    const upper = keptUpper('whiteout', 'rm /bin/ls && ! test -e /bin/ls');
    try {
      const st = lstatSync(join(upper, 'bin/ls'));
      expect(st.isCharacterDevice()).toBe(true);
      expect(st.rdev).toBe(0);
      expect(lstatSync(join(lower, 'bin/ls')).isSymbolicLink()).toBe(true);
    } finally {
      expect(cli(['rm', '--root', root, 'whiteout']).code).toBe(0);
    }
  });
});

describe('teardown', () => {
  it('leaves no mount and no container directory, and lower is unchanged', () => {
    const before = snapshotTree(lower);
    const r = runIn(root, [
      'sh',
      '-c',
      'echo x > /x; rm -rf /usr; chmod 700 /etc/group; echo y >> /etc/passwd',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(mountsUnder(root)).toEqual([]);
    expect(readdirSync(join(root, 'containers'))).toEqual([]);
    expect(snapshotTree(lower)).toEqual(before);
  });
});

describe('the process', () => {
  it('passes the exit code through', () => {
    expect(runIn(root, ['sh', '-c', 'exit 42']).code).toBe(42);
    expect(runIn(root, ['false']).code).toBe(1);
  });

  it('passes argv through unsplit', () => {
    const args = ['a b', "c'd", '', '$HOME', '*'];
    const r = runIn(root, ['printf', '[%s]', ...args]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(args.map((a) => `[${a}]`).join(''));
  });

  it('says 127 for a command that does not exist and 126 for one that cannot run', () => {
    const missing = runIn(root, ['/no/such/cmd']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toMatch(/exec \/no\/such\/cmd: No such file or directory/);
    expect(runIn(root, ['/etc/passwd']).code).toBe(126);
  });

  it('runs as pid 1 and sees only its own processes', () => {
    const r = runIn(root, ['sh', '-c', 'echo $$; ls /proc | grep -c "^[0-9]"']);
    expect(r.code, r.stderr).toBe(0);
    const [pid, count] = r.stdout.trim().split('\n');
    expect(pid).toBe('1');
    expect(Number(count)).toBeLessThanOrEqual(3); // sh, ls, grep at most
  });

  it('has the container name as hostname, its own network and a real /dev', () => {
    const r = runIn(
      root,
      ['sh', '-c', 'hostname; ls /sys/class/net; ls /dev; cat /proc/self/mounts'],
      ['--name', 'box-1'],
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('box-1');
    expect(lines[1]).toBe('lo');
    for (const dev of ['null', 'zero', 'full', 'random', 'urandom', 'tty', 'ptmx', 'pts', 'shm']) {
      expect(lines).toContain(dev);
    }
    expect(r.stdout).toMatch(/^proc \/proc proc rw,nosuid,nodev,noexec/m);
    expect(r.stdout).toMatch(/^sysfs \/sys sysfs ro,/m);
    expect(r.stdout).toMatch(/^overlay \/ overlay /m);
  });

  it("never hands the user's terminal to the container when output is redirected", () => {
    // script(1) gives the CLI a pty as stdin and stderr; stdout goes to a file.
    const out = join(root, 'fds.txt');
    const cmd = `${process.execPath} ${CLI} run --root ${root} -- sh -c 'for fd in 0 1 2; do test -t $fd && echo tty$fd; done; echo done' > ${out}`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8' });
    expect(r.status, r.stdout).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('done\n');
  });

  it('mounts nothing from the host except the overlay', () => {
    const r = runIn(root, ['cat', '/proc/self/mountinfo']);
    expect(r.code, r.stderr).toBe(0);
    const points = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(' ')[4]);
    // Besides those, only what confines the container: its standard device
    // nodes bound onto themselves (to stay usable in a nodev /dev), and
    // Docker's masked and read-only kernel paths that this kernel has.
    const base = ['/', '/dev', '/dev/pts', '/dev/shm', '/proc', '/sys'];
    const nodes = ['null', 'zero', 'full', 'random', 'urandom', 'tty'].map((n) => `/dev/${n}`);
    const confining = [...nodes, ...DOCKER_MASKED_PATHS, ...DOCKER_READONLY_PATHS];
    expect(points.filter((p) => base.includes(p ?? '')).sort()).toEqual(base.sort());
    for (const p of points)
      expect(base.includes(p ?? '') || confining.includes(p ?? ''), p).toBe(true);
  });
});
