/** Small engine pieces: mountinfo parsing, overlay options, the helper's mount errors, argument splitting. */
import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMountinfo, mountsAtOrUnder } from '../src/engine/mountinfo.js';
import { overlayMountData } from '../src/overlay/mount-options.js';
import { mountOverlay } from '../src/engine/helper.js';
import { splitCommand } from '../src/commands/args.js';
import { removeRoot, tempRoot } from './support/state-root.js';

describe('mountinfo', () => {
  const text = [
    '22 1 8:1 / / rw - ext4 /dev/vda rw',
    '50 22 0:43 / /tmp/r/containers/a/merged rw - overlay overlay rw,lowerdir=/l',
    '51 50 0:44 / /tmp/r/containers/a/merged/with\\040space rw - tmpfs tmpfs rw',
    '52 22 0:45 / /tmp/r/containers/ab rw - tmpfs tmpfs rw',
  ].join('\n');

  it('unescapes octal escapes and finds mounts under a directory, deepest first', () => {
    const mounts = parseMountinfo(text);
    expect(mounts[2]?.mountPoint).toBe('/tmp/r/containers/a/merged/with space');
    expect(mountsAtOrUnder('/tmp/r/containers/a', mounts).map((m) => m.mountPoint)).toEqual([
      '/tmp/r/containers/a/merged/with space',
      '/tmp/r/containers/a/merged',
    ]);
  });
});

describe('overlay mount options', () => {
  it('puts lowers topmost first and index=off', () => {
    expect(overlayMountData({ lowers: ['/a', '/b'], upper: '/u', work: '/w' })).toBe(
      'lowerdir=/a:/b,upperdir=/u,workdir=/w,index=off',
    );
  });

  it('refuses separators in paths and data over one page', () => {
    expect(() => overlayMountData({ lowers: ['/a:b'], upper: '/u', work: '/w' })).toThrow(
      /must not contain/,
    );
    const long = `/${'x'.repeat(4100)}`;
    expect(() => overlayMountData({ lowers: [long], upper: '/u', work: '/w' })).toThrow(
      /over one page/,
    );
  });
});

describe('the helper', () => {
  it("reports a failed mount with the kernel's own reason", () => {
    const dir = tempRoot('ovt-unit-');
    try {
      for (const d of ['l', 'u', 'm']) mkdirSync(`${dir}/${d}`);
      mkdirSync(`${dir}/u/w`);
      // workdir inside upperdir: the kernel refuses, and says why only in its log.
      expect(() =>
        mountOverlay({ lowers: [`${dir}/l`], upper: `${dir}/u`, work: `${dir}/u/w` }, `${dir}/m`),
      ).toThrow(
        /^could not mount the overlay: mount overlay on \S+: Invalid argument: overlayfs: workdir and upperdir must be separate subtrees/,
      );
    } finally {
      removeRoot(dir);
    }
  });
});

describe('splitting run arguments', () => {
  const opts = { image: { type: 'string' as const }, keep: { type: 'boolean' as const } };
  it('stops at -- or at the first word that is not an option', () => {
    expect(splitCommand(['--image', 'x', '--', 'ls', '-l'], opts)).toEqual({
      ours: ['--image', 'x'],
      command: ['ls', '-l'],
    });
    expect(splitCommand(['--keep', 'sh', '-c', 'x'], opts)).toEqual({
      ours: ['--keep'],
      command: ['sh', '-c', 'x'],
    });
    expect(splitCommand(['--image=x', 'true'], opts)).toEqual({
      ours: ['--image=x'],
      command: ['true'],
    });
  });
});
