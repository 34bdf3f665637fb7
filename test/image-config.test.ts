/**
 * A container runs with its image's config, by Docker's rules: Entrypoint
 * + Cmd as the default command (a given CMD replaces Cmd only), Env over
 * our defaults, WorkingDir made if missing, User numeric or resolved from
 * the image's own /etc/passwd. Through the helper and through runc alike,
 * and from the CLI's -e, -w, -u and --entrypoint. Every run is real.
 */
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageConfig } from '../src/engine/image/image-record.js';
import { ensureImage } from '../src/engine/image/store.js';
import { openRuntime } from '../src/engine/runtime/runtime-binary.js';
import { openStateRoot, type StateRoot } from '../src/engine/state-root.js';
import { runIn } from './support/cli.js';
import { layeredImage, put } from './support/layered-image.js';
import { runLayered } from './support/layered-run.js';
import { DEFAULT_IMAGE_PATH } from './support/paths.js';
import { mountsUnder, removeRoot, tempRoot } from './support/state-root.js';

let root: string;
let store: StateRoot;
let base: string;
let layerCount = 0;

beforeAll(async () => {
  root = tempRoot('ovt-config-');
  store = openStateRoot(root);
  const busybox = await ensureImage(store, DEFAULT_IMAGE_PATH);
  base = busybox.layers[0]?.dir ?? '';
});

afterAll(() => removeRoot(root));

function expectNothingLeft(): void {
  expect(mountsUnder(root)).toEqual([]);
  expect(readdirSync(store.containers)).toEqual([]);
}

/** busybox, and a layer of its own (files: path -> text), with this config. */
function image(config: Partial<ImageConfig>, files: Record<string, string> = {}) {
  const layer = join(root, 'layers', String(++layerCount));
  mkdirSync(layer, { recursive: true });
  for (const [path, text] of Object.entries(files)) put(layer, path, text);
  return layeredImage([base, layer], config);
}

const PASSWD = [
  'root:x:0:0:root:/root:/bin/sh',
  'app:x:4321:4322:App:/home/app:/bin/sh',
  'nobody:x:65534:65534:nobody:/nonexistent:/bin/false',
  '',
].join('\n');
const GROUP = ['root:x:0:', 'app:x:4322:', 'extra:x:777:nobody,app', 'other:x:778:nobody', ''].join(
  '\n',
);

describe("the image's command", () => {
  it('runs Cmd when no CMD is given', () => {
    const r = runLayered(store, image({ cmd: ['sh', '-c', 'echo from-cmd'] }));
    expect(r.stdout).toBe('from-cmd\n');
    expect(r.code).toBe(0);
    expect(r.state.command).toEqual(['sh', '-c', 'echo from-cmd']);
    expectNothingLeft();
  });

  it('runs Entrypoint + Cmd; a given CMD replaces Cmd and keeps Entrypoint; --entrypoint drops both', () => {
    const img = image({ entrypoint: ['echo', 'ep'], cmd: ['default'] });
    expect(runLayered(store, img).stdout).toBe('ep default\n');
    expect(runLayered(store, img, { command: ['given', 'two'] }).stdout).toBe('ep given two\n');
    expect(runLayered(store, img, { entrypoint: 'printf' }).code).not.toBe(0); // printf with nothing: usage
    expect(runLayered(store, img, { entrypoint: 'printf', command: ['x%s', 'y'] }).stdout).toBe(
      'xy',
    );
    expectNothingLeft();
  });
});

describe("the image's Env, WorkingDir and User", () => {
  it('gives the Env over our defaults, PATH included; HOSTNAME and TERM stay ours; -e wins', () => {
    const img = image({
      env: [
        'FOO=from image',
        'PATH=/custom:/bin:/usr/bin',
        'HOSTNAME=image-host',
        'TERM=image-term',
        'BAR',
      ],
    });
    const r = runLayered(store, img, { command: ['env'], env: ['BAZ=given'] });
    const env = r.stdout.trim().split('\n').sort();
    expect(env).toContain('FOO=from image');
    expect(env).toContain('PATH=/custom:/bin:/usr/bin');
    expect(env).toContain('BAZ=given');
    expect(env).toContain('HOME=/root');
    expect(env).toContain(`HOSTNAME=${r.state.id}`);
    expect(env.filter((e) => e.startsWith('TERM=image') || e === 'BAR')).toEqual([]);
    const over = runLayered(store, img, { command: ['sh', '-c', 'echo $FOO'], env: ['FOO=cli'] });
    expect(over.stdout).toBe('cli\n');
    expectNothingLeft();
  });

  it('starts in WorkingDir, made as root if the image lacks it', () => {
    const img = image({ workingDir: '/srv/made/here' });
    const r = runLayered(store, img, { command: ['sh', '-c', 'pwd; stat -c "%u %a" .'] });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('/srv/made/here\n0 755\n');
    const w = runLayered(store, img, { command: ['pwd'], workdir: '/tmp' });
    expect(w.stdout).toBe('/tmp\n');
    expectNothingLeft();
  });

  it('runs as a numeric User with no effective or permitted capability', () => {
    const img = image({ user: '1234:5678' });
    const r = runLayered(store, img, {
      command: ['sh', '-c', 'id -u; id -g; grep -E "^Cap(Prm|Eff)" /proc/self/status'],
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('1234\n5678\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\n');
    // A bare UID takes its group from /etc/passwd when listed there, 0 otherwise.
    const bare = runLayered(store, image({ user: '4321' }, { 'etc/passwd': PASSWD }), {
      command: ['id', '-g'],
    });
    expect(bare.stdout).toBe('4322\n');
    expectNothingLeft();
  });

  it("resolves a user name from the image's /etc/passwd and /etc/group", () => {
    const img = image({ user: 'app' }, { 'etc/passwd': PASSWD, 'etc/group': GROUP });
    const r = runLayered(store, img, { command: ['sh', '-c', 'id -u; id -g; id -G; echo $HOME'] });
    expect(r.note).toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('4321\n4322\n4322 777\n/home/app\n');
    const named = runLayered(store, img, { command: ['id', '-g'], user: 'app:other' });
    expect(named.stdout).toBe('778\n');
    expectNothingLeft();
  });

  it('runs an unknown image user as root, and says so in one line', () => {
    const r = runLayered(store, image({ user: 'ghost' }), { command: ['id', '-u'] });
    expect(r.stdout).toBe('0\n');
    expect(r.note).toBe(
      `the image's user "ghost" is not used: user "ghost" is not in the image's /etc/passwd; running as root instead`,
    );
    expectNothingLeft();
  });

  it("never reads a host file through the image's symlinks", () => {
    // On the host, this file names the user; in the container the symlink
    // resolves inside the image, where there is no such file.
    const host = join(root, 'host-passwd');
    writeFileSync(host, 'ghost:x:4444:4444::/:/bin/sh\n');
    const layer = join(root, 'layers', 'escape');
    mkdirSync(join(layer, 'etc'), { recursive: true });
    symlinkSync(host, join(layer, 'etc', 'passwd'));
    const r = runLayered(store, layeredImage([base, layer], { user: 'ghost' }), {
      command: ['id', '-u'],
    });
    expect(r.stdout).toBe('0\n');
    expect(r.note).toMatch(/^the image's user "ghost" is not used: the image has no \/etc\/passwd/);
    expectNothingLeft();
  });

  it('does the same under runc: Cmd, Env, WorkingDir, User', async () => {
    const runtime = await openRuntime(store.root, 'runc');
    const img = image(
      {
        entrypoint: ['sh', '-c'],
        cmd: ['id -u; id -G; pwd; echo $FOO; echo $PATH; grep ^CapEff /proc/self/status'],
        env: ['FOO=from image', 'PATH=/custom:/bin'],
        workingDir: '/srv/oci',
        user: 'app',
      },
      { 'etc/passwd': PASSWD, 'etc/group': GROUP },
    );
    const helper = runLayered(store, img);
    const oci = runLayered(store, img, {}, { runtime });
    expect(oci.stderr).toBe('');
    expect(oci.stdout).toBe(
      '4321\n4322 777\n/srv/oci\nfrom image\n/custom:/bin\nCapEff:\t0000000000000000\n',
    );
    expect(helper.stdout).toBe(oci.stdout);
    expectNothingLeft();
  });
});

describe('run -e, -w, -u, --entrypoint', () => {
  it('sets the environment, working directory and user from the command line', () => {
    const r = runIn(
      root,
      ['sh', '-c', 'echo $FOO; pwd; id -u; id -g'],
      ['-e', 'FOO=bar', '--workdir', '/made/by/run', '-u', '1000:1001'],
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('bar\n/made/by/run\n1000\n1001\n');
    expect(r.code).toBe(0);
    const e = runIn(root, ['sh', '-c', 'echo $HOST_VAR'], ['-e', 'HOST_VAR'], {
      env: { ...process.env, HOST_VAR: 'from host' },
    });
    expect(e.stdout).toBe('from host\n');
    expectNothingLeft();
  });

  it("resolves -u NAME in the image's /etc/passwd, and refuses one it lacks", () => {
    const r = runIn(root, ['id'], ['-u', 'nobody']);
    expect(r.stdout).toMatch(/^uid=65534\(nobody\) gid=65534\(nogroup\)/);
    const bad = runIn(root, ['id'], ['-u', 'nosuch']);
    expect(bad.code).toBe(125);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe(
      `overlay-tui: --user nosuch: user "nosuch" is not in the image's /etc/passwd\n`,
    );
    expectNothingLeft();
  });

  it('takes --entrypoint, and wants a CMD when the image has none', () => {
    expect(runIn(root, ['hi', 'there'], ['--entrypoint', 'echo']).stdout).toBe('hi there\n');
    const none = runIn(root, [], []);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(
      "overlay-tui run: missing CMD: the image has no Cmd or Entrypoint to run (see 'overlay-tui run --help')\n",
    );
    const rel = runIn(root, ['pwd'], ['-w', 'rel']);
    expect(rel.code).toBe(2);
    expect(rel.stderr).toMatch(/^overlay-tui run: --workdir 'rel': want an absolute path/);
    expectNothingLeft();
  });

  it('does the same under --runtime runc', () => {
    const r = runIn(
      root,
      ['sh', '-c', 'echo $FOO; pwd; id -u; grep ^CapEff /proc/self/status'],
      ['--runtime', 'runc', '-e', 'FOO=oci', '-w', '/made/by/runc', '-u', '1000'],
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('oci\n/made/by/runc\n1000\nCapEff:\t0000000000000000\n');
    expectNothingLeft();
  });
});
