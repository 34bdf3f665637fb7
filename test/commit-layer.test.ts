/**
 * `overlay-tui commit`: a kept container's upper read back from the layer
 * tar it writes (every member, in order), and a redirected directory and a
 * metacopy file from a real overlay mounted with redirect_dir=on,metacopy=on.
 */
import { spawnSync } from 'node:child_process';
import {
  statSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
  chmodSync,
  utimesSync,
  renameSync,
} from 'node:fs';
import { join } from 'node:path';
import { setAttributeSync, listAttributesSync } from '@napi-rs/xattr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, runIn } from './support/cli.js';
import { readTar, paxRecordIn, type TarRead } from './support/layer-tar.js';
import { removeRoot, tempRoot, mountsUnder } from './support/state-root.js';
import { overlayDirs, withOverlay } from './support/overlay-mount.js';
import { writeUpperLayer } from '../src/engine/commit/layer-writer.js';

// security.capability v2 (VFS_CAP_REVISION_2 | effective), permitted = CAP_NET_RAW (13).
const CAP_NET_RAW = Buffer.from([
  0x01, 0, 0, 0x02, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
]);

let root: string;
beforeEach(() => {
  root = tempRoot('ovt-commit-');
});
afterEach(() => removeRoot(root));

/** The archive's new (top) layer: blobs named by manifest.json's last entry. */
function topLayer(dir: string): string {
  const [manifest] = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    Layers: string[];
  }[];
  return join(dir, manifest?.Layers.at(-1) ?? '');
}

function untar(archive: string, into: string): void {
  mkdirSync(into);
  const t = spawnSync('tar', ['-xf', archive, '-C', into]);
  if (t.status !== 0) throw new Error(`tar -xf ${archive}: ${String(t.stderr)}`);
}

const summary = (m: TarRead) =>
  `${m.type} ${m.name} ${m.mode.toString(8)}${m.linkname ? ` -> ${m.linkname}` : ''}${m.type === 'file' ? ` ${m.size}` : ''}`;

describe('commit of a kept container', () => {
  it('writes whiteouts, the opaque marker before new children, hardlinks, modes, the capability and no overlay xattrs', async () => {
    const run = runIn(
      root,
      [
        'sh',
        '-c',
        `echo more >> /etc/passwd && rm /etc/group && rm -rf /sbin && mkdir /sbin &&
         echo new > /sbin/only && chmod 600 /etc/hostname &&
         echo data > /root/a && ln /root/a /root/b && echo ping > /root/ping`,
      ],
      ['--keep', '--name', 'c1'],
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const upper = join(root, 'containers', 'c1', 'upper');
    setAttributeSync(join(upper, 'root/ping'), 'security.capability', CAP_NET_RAW);
    // The upper does carry overlay xattrs: the layer must not.
    expect(listAttributesSync(join(upper, 'sbin'))).toContain('trusted.overlay.opaque');

    const out = join(root, 'img.tar');
    const c = cli(['commit', '--root', root, '--tag', 'test/c1:v1', '-o', out, 'c1']);
    expect(c.stderr).toBe('');
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/^test\/c1:v1 sha256:[0-9a-f]{64} layer sha256:[0-9a-f]{64} -> /);
    const dir = join(root, 'x');
    untar(out, dir);
    const layerFile = topLayer(dir);
    const members = await readTar(layerFile);
    expect(members.map(summary)).toEqual([
      'directory etc/ 755',
      'file etc/.wh.group 600 0',
      'file etc/hostname 600 12',
      'file etc/passwd 644 ' + String(members.find((m) => m.name === 'etc/passwd')?.size),
      'directory root/ 700',
      'file root/a 644 5',
      'link root/b 644 -> root/a',
      'file root/ping 644 5',
      'directory sbin/ 755',
      'file sbin/.wh..wh..opq 600 0',
      'file sbin/only 644 4',
    ]);
    const passwd = members.find((m) => m.name === 'etc/passwd');
    expect(passwd?.data.toString()).toMatch(/\nmore\n$/);
    expect(members.flatMap((m) => m.xattrs)).toEqual(['security.capability']);
    expect(members.find((m) => m.name === 'root/ping')?.xattrs).toEqual(['security.capability']);
    expect(
      paxRecordIn(readFileSync(layerFile), 'SCHILY.xattr.security.capability', CAP_NET_RAW),
    ).toBe(true);
    // The blob is named by its diff_id, which the config lists last.
    const config = JSON.parse(
      readFileSync(
        join(
          dir,
          (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { Config: string }[])[0]
            ?.Config ?? '',
        ),
        'utf8',
      ),
    ) as { rootfs: { diff_ids: string[] }; history: { created_by?: string }[] };
    expect(config.rootfs.diff_ids.at(-1)).toBe(`sha256:${layerFile.split('/').pop()}`);
    expect(config.history.at(-1)?.created_by).toBe('overlay-tui commit c1');
    expect(config.history).toHaveLength(config.rootfs.diff_ids.length);

    // Determinism: the same upper, committed again, is the same layer.
    const again = cli([
      'commit',
      '--root',
      root,
      '--tag',
      'test/c1:v2',
      '-o',
      join(root, 'again.tar'),
      'c1',
    ]);
    expect(again.code).toBe(0);
    const layerOf = (s: string) => / layer (sha256:[0-9a-f]{64})/.exec(s)?.[1];
    expect(layerOf(again.stdout)).toBe(layerOf(c.stdout));
    expect(mountsUnder(root)).toEqual([]);
  });

  it("writes a --userns container's files with the container's ids, not the host's", async () => {
    const run = runIn(
      root,
      ['sh', '-c', 'echo x > /root/u && echo y > /root/n && chown 5:6 /root/n'],
      ['--userns', '--keep', '--name', 'u'],
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const hostUid = statSync(join(root, 'containers/u/upper/root/u')).uid;
    expect(hostUid).toBeGreaterThan(0); // the upper holds host ids
    const out = join(root, 'u.tar');
    const c = cli(['commit', '--root', root, '-o', out, 'u']);
    expect(c.code, c.stderr).toBe(0);
    const dir = join(root, 'ux');
    untar(out, dir);
    const members = await readTar(topLayer(dir));
    const ids = (name: string) => {
      const m = members.find((x) => x.name === name);
      return m && `${m.uid}:${m.gid}`;
    };
    expect([ids('root/'), ids('root/u'), ids('root/n')]).toEqual(['0:0', '0:0', '5:6']);
  });

  it('refuses what it cannot do in one line: an unknown container, a bad tag, a bad -o or --format', () => {
    const none = cli(['commit', '--root', root, '-o', join(root, 'x.tar'), 'nosuch']);
    expect(none.code).toBe(125);
    expect(none.stderr).toBe(`overlay-tui: no container named "nosuch" (see 'overlay-tui ps')\n`);
    const tag = cli(['commit', '--root', root, '--tag', 'Bad:Tag!', '-o', 'x', 'c']);
    expect(tag.code).toBe(2);
    expect(tag.stderr.split('\n')).toHaveLength(2);
    const runC = runIn(root, ['true'], ['--keep', '--name', 'c']);
    expect(runC.code).toBe(0);
    const badDir = cli(['commit', '--root', root, '-o', join(root, 'no/such/x.tar'), 'c']);
    expect(badDir.code).toBe(125);
    expect(badDir.stderr).toBe(
      `overlay-tui: ${join(root, 'no/such')} is not a directory: cannot write ${join(root, 'no/such/x.tar')} there\n`,
    );
    const unknown = cli(['commit', '--root', root, '--bogus', 'c']);
    expect(unknown.stderr).toBe(
      `overlay-tui commit: Unknown option '--bogus' (see 'overlay-tui commit --help')\n`,
    );
    const format = cli(['commit', '--root', root, '--format', 'zip', '-o', 'x', 'c']);
    expect(format.code).toBe(2);
    expect(format.stderr).toBe(
      `overlay-tui commit: --format: 'zip' is not one of docker, oci (see 'overlay-tui commit --help')\n`,
    );
  });
});

describe('commit --help', () => {
  it('is listed in the top help, and its SYNOPSIS names every option', () => {
    expect(cli(['--help']).stdout).toMatch(/^ {4}commit {3}write a container's upper/m);
    const help = cli(['commit', '--help']);
    expect(help.code).toBe(0);
    const synopsis = help.stdout.split(/\n(?=[A-Z])/).find((s) => s.startsWith('SYNOPSIS')) ?? '';
    const options = help.stdout.split(/\n(?=[A-Z])/).find((s) => s.startsWith('OPTIONS')) ?? '';
    const names = [...options.matchAll(/^ {4}(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1] ?? '');
    expect(names).toEqual(['--tag', '--output', '--format', '--root', '--help']);
    for (const o of names.filter((n) => n !== '--help')) expect(synopsis, o).toContain(`[${o}`);
  });
});

describe('a redirected directory and a metacopy file', () => {
  it('writes the renamed directory in full at its new path, a whiteout at the old, and the lower data of a metacopy', async () => {
    const lower = join(root, 'l');
    mkdirSync(join(lower, 'data/sub'), { recursive: true });
    writeFileSync(join(lower, 'data/one'), 'one');
    writeFileSync(join(lower, 'data/sub/two'), 'two');
    writeFileSync(join(lower, 'big'), 'lower data');
    utimesSync(join(lower, 'big'), 1000, 1000);
    const dirs = overlayDirs(root, [lower]);
    withOverlay(dirs, ['redirect_dir=on', 'metacopy=on'], () => {
      renameSync(join(dirs.merged, 'data'), join(dirs.merged, 'moved'));
      writeFileSync(join(dirs.merged, 'moved/three'), 'three');
      chmodSync(join(dirs.merged, 'big'), 0o600);
    });
    // The upper really is a redirect and a metacopy (else this test proves nothing).
    expect(listAttributesSync(join(dirs.upper, 'moved'))).toContain('trusted.overlay.redirect');
    expect(listAttributesSync(join(dirs.upper, 'big'))).toContain('trusted.overlay.metacopy');
    const a = writeUpperLayer({ upper: dirs.upper, lowers: [lower] }, join(root, 'a.tar'));
    const b = writeUpperLayer({ upper: dirs.upper, lowers: [lower] }, join(root, 'b.tar'));
    expect(b.diffId).toBe(a.diffId);
    const members = await readTar(join(root, 'a.tar'));
    expect(members.map(summary)).toEqual([
      // In byte order of the names they stand for: big < data < moved.
      'file big 600 10',
      'file .wh.data 600 0',
      'directory moved/ 755',
      'file moved/one 644 3',
      'directory moved/sub/ 755',
      'file moved/sub/two 644 3',
      'file moved/three 644 5',
    ]);
    expect(members.find((m) => m.name === 'big')?.data.toString()).toBe('lower data');
    expect(members.flatMap((m) => m.xattrs)).toEqual([]);
  });
});
