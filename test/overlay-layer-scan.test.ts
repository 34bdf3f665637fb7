/**
 * Scanning a layer directory into a tree: every file type, the metadata
 * the model needs, and the overlay xattrs (trusted and user) read on the
 * layer itself, symlinks' own included.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, lchownSync, linkSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setAttributeSync } from '@napi-rs/xattr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryAt, walkEntries, withEntry } from '../src/overlay/layer-entry.js';
import { scanEntry, scanLayer, splitDev } from '../src/overlay/layer-scan.js';
import { removeRoot, tempRoot } from './support/state-root.js';

let root: string;
let layerDir: string;

beforeAll(() => {
  root = tempRoot('ovt-scan-');
  layerDir = join(root, 'layer');
  const p = (rel: string) => join(layerDir, rel);
  mkdirSync(p('etc/sub'), { recursive: true });
  writeFileSync(p('etc/passwd'), 'root:x:0:0\n');
  lchownSync(p('etc/passwd'), 1000, 65534); // before chmod: chown clears setuid
  chmodSync(p('etc/passwd'), 0o4755);
  utimesSync(p('etc/passwd'), 1_000_000, 1_234_567);
  linkSync(p('etc/passwd'), p('etc/hard'));
  symlinkSync('passwd', p('etc/link'));
  symlinkSync('/nowhere', p('etc/dangling'));
  execFileSync('sh', [
    '-ec',
    `mkfifo ${p('fifo')}; mknod ${p('null')} c 1 3; mknod ${p('loop')} b 7 0; mknod ${p('wh')} c 0 0`,
  ]);
  // A bound unix socket stays on disk after its process exits (Node's server unlinks it).
  const bind = 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])';
  execFileSync('python3', ['-c', bind, p('sock')]);
  setAttributeSync(p('etc'), 'trusted.overlay.opaque', 'y');
  setAttributeSync(p('etc/sub'), 'user.overlay.redirect', '/old/sub');
  setAttributeSync(p('etc/passwd'), 'trusted.overlay.origin', Buffer.from([0, 0xfb, 5, 0, 1]));
  setAttributeSync(p('etc/passwd'), 'trusted.overlay.metacopy', '');
  setAttributeSync(p('etc/passwd'), 'user.unrelated', 'ignored');
  setAttributeSync(p('etc/link'), 'trusted.overlay.origin', ''); // the link's own, not passwd's
  writeFileSync(p('xwh'), '');
  setAttributeSync(p('xwh'), 'trusted.overlay.whiteout', '');
});

afterAll(() => removeRoot(root));

describe('scanLayer', () => {
  it('reads every file type', () => {
    const tree = scanLayer(layerDir);
    const types = Object.fromEntries([...walkEntries(tree)].map((w) => [w.path, w.entry.type]));
    expect(types).toEqual({
      '/': 'dir',
      '/etc': 'dir',
      '/etc/dangling': 'symlink',
      '/etc/hard': 'file',
      '/etc/link': 'symlink',
      '/etc/passwd': 'file',
      '/etc/sub': 'dir',
      '/fifo': 'fifo',
      '/loop': 'block',
      '/null': 'char',
      '/sock': 'socket',
      '/wh': 'char',
      '/xwh': 'file',
    });
  });

  it('keeps mode with setuid, owner, size, mtime, inode and link count', () => {
    const tree = scanLayer(layerDir);
    const passwd = entryAt(tree, '/etc/passwd');
    expect(passwd).toMatchObject({ name: 'passwd', mode: 0o4755, uid: 1000, gid: 65534, size: 11 });
    expect(passwd?.mtimeMs).toBe(1_234_567_000);
    expect(passwd?.nlink).toBe(2);
    expect(entryAt(tree, '/etc/hard')?.ino).toBe(passwd?.ino);
  });

  it('reads link targets without following them, and device numbers', () => {
    const tree = scanLayer(layerDir);
    expect(entryAt(tree, '/etc/link')?.target).toBe('passwd');
    expect(entryAt(tree, '/etc/dangling')?.target).toBe('/nowhere');
    expect(entryAt(tree, '/null')?.rdev).toEqual({ major: 1, minor: 3 });
    expect(entryAt(tree, '/loop')?.rdev).toEqual({ major: 7, minor: 0 });
    expect(entryAt(tree, '/wh')?.rdev).toEqual({ major: 0, minor: 0 });
  });

  it('reads the overlay xattrs of both namespaces, and only those', () => {
    const tree = scanLayer(layerDir);
    expect(entryAt(tree, '/etc')?.xattrs).toEqual({ trusted: { opaque: 'y' } });
    expect(entryAt(tree, '/etc/sub')?.xattrs).toEqual({ user: { redirect: '/old/sub' } });
    expect(entryAt(tree, '/etc/passwd')?.xattrs).toEqual({
      trusted: { origin: '00fb050001', metacopy: '' },
    });
    expect(entryAt(tree, '/etc/link')?.xattrs).toEqual({ trusted: { origin: '' } });
    expect(entryAt(tree, '/xwh')?.xattrs).toEqual({ trusted: { whiteout: true } });
    expect(entryAt(tree, '/fifo')?.xattrs).toBeUndefined();
  });

  it('reports each entry to onEntry with its layer path', () => {
    const seen: string[] = [];
    scanLayer(join(layerDir, 'etc'), { onEntry: (path) => seen.push(path) });
    expect(seen).toEqual(['/', '/dangling', '/hard', '/link', '/passwd', '/sub']);
  });

  it('refuses a missing directory or a file, and skips an entry that vanished', () => {
    expect(() => scanLayer(join(root, 'nope'))).toThrow(/no such directory/);
    expect(() => scanLayer(join(layerDir, 'etc/passwd'))).toThrow(/not a directory/);
    expect(scanEntry(join(root, 'nope'), 'nope')).toBeUndefined();
  });

  it('swaps in a rescanned subtree without touching the rest', () => {
    const tree = scanLayer(layerDir);
    const scratch = join(root, 'scratch');
    mkdirSync(join(scratch, 'etc/sub'), { recursive: true });
    writeFileSync(join(scratch, 'etc/sub/new'), 'x');
    try {
      const sub = scanLayer(join(scratch, 'etc/sub'));
      const next = withEntry(tree, '/etc/sub', sub);
      expect(entryAt(next, '/etc/sub/new')?.size).toBe(1);
      expect(entryAt(tree, '/etc/sub/new')).toBeUndefined();
      expect(entryAt(next, '/etc/passwd')).toBe(entryAt(tree, '/etc/passwd'));
      expect(entryAt(withEntry(next, '/etc/passwd', undefined), '/etc/passwd')).toBeUndefined();
    } finally {
      rmSync(scratch, { recursive: true });
    }
  });
});

describe('splitDev', () => {
  it('splits dev_t as glibc does, large numbers included', () => {
    expect(splitDev(0x103)).toEqual({ major: 1, minor: 3 });
    // major 300, minor 70000: makedev puts the high bits above bit 32 and 20.
    const dev = (70000 & 0xff) | ((300 & 0xfff) << 8) | ((70000 >> 8) << 20);
    expect(splitDev(dev)).toEqual({ major: 300, minor: 70000 });
    // major 5000 (over 12 bits): its high bits go above bit 32.
    const big = ((5000n & 0xfffn) << 8n) | ((5000n & ~0xfffn) << 32n) | 7n;
    expect(splitDev(Number(big))).toEqual({ major: 5000, minor: 7 });
  });
});
