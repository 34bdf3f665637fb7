/**
 * `overlay-tui commit` into the store, and the round trip through an
 * archive: the committed image shares its base layers (nothing copied),
 * `run --image TAG` starts it, and an archive written with -o, loaded
 * again, runs with the same files (a deleted file stays deleted, an opaque
 * directory hides what was below it).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, runIn } from './support/cli.js';
import { mountsUnder, removeRoot, tempRoot } from './support/state-root.js';

let root: string;
beforeEach(() => {
  root = tempRoot('ovt-commitstore-');
});
afterEach(() => removeRoot(root));

const storedLayers = (): string[] =>
  readdirSync(join(root, 'layers')).filter((n) => /^[0-9a-f]{64}$/.test(n));

const CHANGES = `echo appended >> /etc/passwd && rm /bin/ls && rm -rf /etc/network && mkdir -p /etc/network && echo new > /etc/network/only && echo hi > /hello`;
const PROBE = `tail -1 /etc/passwd; cat /hello; ls /etc/network; test -e /bin/ls && echo ls-present || echo ls-gone`;
const EXPECTED = 'appended\nhi\nonly\nls-gone\n';

describe('commit into the store', () => {
  it('stores the image on top of the shared base, and run --image TAG starts it', () => {
    expect(runIn(root, ['sh', '-c', CHANGES], ['--keep', '--name', 'c']).code).toBe(0);
    const before = storedLayers();
    expect(before).toHaveLength(1);
    const commit = cli(['commit', '--root', root, '--tag', 'mine:v1', 'c']);
    expect(commit.code, commit.stderr).toBe(0);
    expect(commit.stdout).toMatch(/^mine:v1 sha256:[0-9a-f]{64} layer sha256:[0-9a-f]{64}\n$/);
    // One new layer; the base is the very same directory.
    const after = storedLayers();
    expect(after).toHaveLength(2);
    expect(after).toEqual(expect.arrayContaining(before));
    const images = cli(['images', '--root', root]);
    expect(images.stdout).toMatch(/^mine:v1 +[0-9a-f]{12} +2 /m);

    const run = runIn(root, ['sh', '-c', PROBE], ['--image', 'mine:v1']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(EXPECTED);
    const layers = cli(['layers', '--root', root, '--json', 'mine:v1']);
    expect(layers.code, layers.stderr).toBe(0);
    const report = JSON.parse(layers.stdout) as {
      layers: { number: number; deleted: number; createdBy: string }[];
    };
    expect(report.layers.map((l) => l.number)).toEqual([1, 2]);
    expect(report.layers[1]?.createdBy).toBe('overlay-tui commit c');
    expect(report.layers[1]?.deleted).toBeGreaterThanOrEqual(1); // the whiteout of /bin/ls
    expect(cli(['rm', '--root', root, 'c']).code).toBe(0);
    expect(mountsUnder(root)).toEqual([]);
  });

  it('round trips through an archive: commit -o, load, run: the same files', () => {
    expect(runIn(root, ['sh', '-c', CHANGES], ['--keep', '--name', 'c']).code).toBe(0);
    for (const format of ['docker', 'oci']) {
      const file = join(root, `c-${format}.tar`);
      const tag = `trip:${format}`;
      const commit = cli([
        'commit',
        '--root',
        root,
        '--tag',
        tag,
        '--format',
        format,
        '-o',
        file,
        'c',
      ]);
      expect(commit.code, commit.stderr).toBe(0);
      const load = cli(['load', '--root', root, file]);
      expect(load.code, load.stderr).toBe(0);
      expect(load.stdout).toMatch(new RegExp(`^loaded ${tag} [0-9a-f]{12}: 2 layers`));
      const run = runIn(root, ['sh', '-c', PROBE], ['--image', `${file}:${tag}`]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toBe(EXPECTED);
    }
    expect(cli(['rm', '--root', root, 'c']).code).toBe(0);
    expect(mountsUnder(root)).toEqual([]);
  });
});
