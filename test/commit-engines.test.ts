/**
 * What `overlay-tui commit -o` writes, loaded by the real engines: Docker
 * 20.10 (Debian's dockerd, started here) and podman take both --format
 * docker and --format oci, and a container run from the loaded image sees
 * the committed changes. A machine without them fails saying so.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, runIn } from './support/cli.js';
import { startDocker, startPodman, type Docker, type Podman } from './support/engines.js';
import { removeRoot, tempRoot } from './support/state-root.js';

// What the committed container did, and what a container of the image must see.
const CHANGES =
  'echo more >> /etc/passwd && rm /etc/group && rm -rf /sbin && mkdir /sbin && ' +
  'echo new > /sbin/only && echo data > /root/a && ln /root/a /root/b';
const PROBE =
  'tail -n1 /etc/passwd; [ -e /etc/group ] && echo group || echo nogroup; ls /sbin; stat -c %h /root/a';
const SEEN = 'more\nnogroup\nonly\n2\n';

let root: string;
let docker: Docker | undefined;
let podman: Podman | undefined;
const archives: Record<'docker' | 'oci', string> = { docker: '', oci: '' };

beforeAll(async () => {
  root = tempRoot('ovt-commite-');
  const run = runIn(root, ['sh', '-c', CHANGES], ['--keep', '--name', 'eng']);
  if (run.code !== 0) throw new Error(`run failed: ${run.stderr}`);
  for (const format of ['docker', 'oci'] as const) {
    archives[format] = join(root, `${format}.tar`);
    const c = cli([
      'commit',
      '--root',
      root,
      '--tag',
      `ovt/${format}:t1`,
      '-o',
      archives[format],
      '--format',
      format,
      'eng',
    ]);
    if (c.code !== 0) throw new Error(`commit --format ${format} failed: ${c.stderr}`);
  }
  docker = await startDocker();
  podman = startPodman();
}, 120_000);

afterAll(async () => {
  try {
    await docker?.stop();
    podman?.stop();
  } finally {
    removeRoot(root);
  }
}, 120_000);

describe.each(['docker', 'oci'] as const)('an archive in --format %s', (format) => {
  it('docker load takes it, and docker run sees the committed files', () => {
    if (!docker) throw new Error('dockerd did not start');
    const load = docker.run(['load', '-i', archives[format]]);
    expect(load.stderr).toBe('');
    expect(load.stdout).toBe(`Loaded image: ovt/${format}:t1\n`);
    const r = docker.run([
      'run',
      '--rm',
      '--network',
      'none',
      `ovt/${format}:t1`,
      'sh',
      '-c',
      PROBE,
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(SEEN);
    const history = docker.run([
      'history',
      '--no-trunc',
      '--format',
      '{{.CreatedBy}}',
      `ovt/${format}:t1`,
    ]);
    expect(history.stdout.split('\n')[0]).toBe('overlay-tui commit eng');
  }, 120_000);

  it('podman load takes it, and podman run sees the committed files', () => {
    if (!podman) throw new Error('podman did not start');
    const load = podman.run(['load', '-q', '-i', archives[format]]);
    expect(load.code).toBe(0);
    const name = format === 'docker' ? `docker.io/ovt/${format}:t1` : `localhost/ovt/${format}:t1`;
    expect(load.stdout).toBe(`Loaded image: ${name}\n`);
    const r = podman.run(['run', '--rm', ...podman.runFlags, name, 'sh', '-c', PROBE]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(SEEN);
  }, 120_000);
});
