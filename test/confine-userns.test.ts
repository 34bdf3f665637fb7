/**
 * --userns for real: the container's root is an unprivileged id on the
 * host, the image's lowers are idmapped mounts (so it still owns its
 * files), what it writes lands in upper with host ids, and the layer model
 * still tells a copy-up from a chown.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USERNS_RANGE, subordinateRange } from '../src/engine/confine/userns-range.js';
import { hostId } from '../src/overlay/id-map.js';
import { cli, runIn } from './support/cli.js';
import { CLI, HELPER } from './support/paths.js';
import { imageLower, mountsUnder, removeRoot, tempRoot } from './support/state-root.js';

const BASE = DEFAULT_USERNS_RANGE.base;
let root: string;

beforeAll(() => {
  root = tempRoot('ovt-userns-');
});

afterAll(() => {
  removeRoot(root);
});

async function until(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('--userns', () => {
  it('is root inside and the base id outside, with the map the kernel reports', async () => {
    const child = spawn(
      process.execPath,
      [
        CLI,
        'run',
        '--root',
        root,
        '--userns',
        '--name',
        'live',
        '--',
        'sh',
        '-c',
        'id -u > /id; cat /proc/self/uid_map > /map; touch /ready; exec sleep 60',
      ],
      { stdio: 'ignore' },
    );
    const upper = join(root, 'containers', 'live', 'upper');
    try {
      await until('the container to start', () => existsSync(join(upper, 'ready')));
      expect(readFileSync(join(upper, 'id'), 'utf8').trim()).toBe('0');
      expect(readFileSync(join(upper, 'map'), 'utf8').trim().split(/\s+/)).toEqual([
        '0',
        String(BASE),
        String(DEFAULT_USERNS_RANGE.size),
      ]);
      // The host's view of the container's pid 1: every uid and gid is the base.
      const [pid] = readFileSync(join(root, 'containers', 'live', 'init.pid'), 'utf8').split(' ');
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      expect(status).toMatch(new RegExp(`^Uid:\\t${BASE}\\t${BASE}\\t${BASE}\\t${BASE}$`, 'm'));
      expect(status).toMatch(new RegExp(`^Gid:\\t${BASE}\\t${BASE}\\t${BASE}\\t${BASE}$`, 'm'));
      // Files it made are the base's on disk.
      expect(lstatSync(join(upper, 'ready')).uid).toBe(BASE);
      // The idmapped lower is mounted under the container while it runs.
      expect(mountsUnder(join(root, 'containers', 'live', 'l')).length).toBe(1);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    expect(mountsUnder(root)).toEqual([]);
    expect(existsSync(join(root, 'containers', 'live'))).toBe(false);
  });

  it('owns the image files through the idmap, and diff tells a copy-up from a chown', () => {
    const r = runIn(
      root,
      [
        'sh',
        '-c',
        'test "$(stat -c %u /etc/passwd)" = 0 && echo hi >> /etc/passwd && chown 5:5 /etc/hostname && touch /new && ! mknod /tmp/disk b 254 0',
      ],
      ['--userns', '--keep', '--name', 'kept'],
    );
    try {
      expect(r.code, r.stderr).toBe(0);
      const upper = join(root, 'containers', 'kept', 'upper');
      expect(lstatSync(join(upper, 'etc/passwd')).uid).toBe(BASE);
      expect(lstatSync(join(upper, 'etc/hostname')).uid).toBe(hostId(5, DEFAULT_USERNS_RANGE));
      // The lower on disk keeps the image's own ids.
      expect(lstatSync(join(imageLower(root), 'etc/passwd')).uid).toBe(0);
      const diff = cli(['diff', '--root', root, 'kept']);
      expect(diff.code, diff.stderr).toBe(0);
      expect(diff.stdout).toContain('C /etc/passwd   copy-up: data\n');
      expect(diff.stdout).toMatch(/C \/etc\/hostname {3}copy-up: metadata \(owner\)/);
      expect(diff.stdout).toContain('A /new   new\n');
    } finally {
      expect(cli(['rm', '--root', root, 'kept']).code).toBe(0);
    }
    expect(mountsUnder(root)).toEqual([]);
  });

  it('says in one line where the kernel refuses an idmapped mount', () => {
    // procfs does not support idmapped mounts.
    const dst = join(root, 'idmap-target');
    mkdirSync(dst);
    try {
      const r = spawnSync(HELPER, ['idmap', '/proc', dst, '1000000000:65536'], {
        encoding: 'utf8',
      });
      expect(r.status).toBe(32);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('the kernel refused an idmapped mount');
      expect(mountsUnder(dst)).toEqual([]);
    } finally {
      rmSync(dst, { recursive: true });
    }
  });
});

describe('the id range', () => {
  it('takes overlay-tui:BASE:SIZE from a subordinate id file', () => {
    const text = 'alice:100000:65536\noverlay-tui:300000:65536\n';
    expect(subordinateRange(text)).toEqual({ base: 300000, size: 65536 });
    expect(subordinateRange('alice:100000:65536\n')).toBeUndefined();
    expect(() => subordinateRange('overlay-tui:x:65536\n')).toThrow(/not NAME:BASE:SIZE/);
  });

  it('maps ids as the idmapped mount shows them', () => {
    const map = { base: 1000, size: 10 };
    expect(hostId(0, map)).toBe(1000);
    expect(hostId(9, map)).toBe(1009);
    expect(hostId(10, map)).toBe(65534);
    expect(hostId(7, undefined)).toBe(7);
  });
});
