/**
 * The generated config.json run by the real runc (engine/runtime/launch.ts,
 * no CLI): a profile made by hand reaches the container (no_new_privs, a
 * seccomp filter, capabilities), the cgroup limits are the ones asked for,
 * and teardown of a running container leaves nothing of the runtime's.
 * The container writes what it sees into its own root; the test reads it
 * from upper before teardown.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfineProfile, ResourceLimits } from '../src/engine/confine/types.js';
import { createContainer, type Container } from '../src/engine/container/create.js';
import { readInitPid, readState } from '../src/engine/container/state.js';
import { teardownContainer } from '../src/engine/container/teardown.js';
import { ensureImage } from '../src/engine/image/store.js';
import type { LayeredImage } from '../src/engine/image/image-record.js';
import { isRunning } from '../src/engine/proc.js';
import { launchRuntimeWithStdio } from '../src/engine/runtime/launch.js';
import { openRuntime } from '../src/engine/runtime/runtime-binary.js';
import type { RuntimeRecord } from '../src/engine/runtime/runtime-record.js';
import { openStateRoot, type StateRoot } from '../src/engine/state-root.js';
import { capMask, denyMkdir, DOCKER_CAPS, dockerLikeProfile } from './support/confine-profile.js';
import { DEFAULT_IMAGE_PATH } from './support/paths.js';
import { leftovers, NOTHING_LEFT } from './support/runtime-leftovers.js';
import { removeRoot, tempRoot } from './support/state-root.js';

let root: string;
let store: StateRoot;
let image: LayeredImage;
let runtime: RuntimeRecord;

beforeAll(async () => {
  root = tempRoot('ovt-oci-');
  store = openStateRoot(root);
  image = await ensureImage(store, DEFAULT_IMAGE_PATH);
  runtime = await openRuntime(store.root, 'runc');
});

afterAll(() => {
  removeRoot(root);
});

/** Starts `sh -c script` under runc with this profile; the caller awaits exited and tears down. */
function start(
  script: string,
  profile: ConfineProfile,
  limits: ResourceLimits = { pidsLimit: 4096 },
) {
  const command = ['sh', '-c', script];
  const c: Container = createContainer(store, image, { keep: false, command, runtime });
  const proc = launchRuntimeWithStdio({
    runtime,
    paths: c.paths,
    hostname: c.state.id,
    command,
    profile,
    limits,
  });
  const upperFile = (name: string): string => readFileSync(join(c.paths.upper, name), 'utf8');
  const teardown = (): void =>
    teardownContainer(c.paths, readState(c.paths) ?? c.state, { keep: false });
  return { c, proc, upperFile, teardown };
}

describe('the profile, applied by runc', () => {
  it('sets no_new_privs and loads the seccomp filter when the profile asks', async () => {
    const profile = dockerLikeProfile({ noNewPrivileges: true, seccomp: denyMkdir() });
    const run = start(
      'grep -E "^(NoNewPrivs|Seccomp|CapBnd|CapEff|CapInh|CapAmb):" /proc/self/status > /status; ' +
        'if mkdir /made 2> /mkdir.err; then echo made; else echo refused; fi > /mkdir',
      profile,
    );
    try {
      expect(await run.proc.exited).toBe(0);
      const status = run.upperFile('status');
      expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
      expect(status).toMatch(/^Seccomp:\s+2$/m); // filter mode
      expect(status).toMatch(new RegExp(`^CapBnd:\\s+${capMask(DOCKER_CAPS)}$`, 'm'));
      expect(status).toMatch(new RegExp(`^CapEff:\\s+${capMask(DOCKER_CAPS)}$`, 'm'));
      expect(status).toMatch(/^CapInh:\s+0{16}$/m);
      expect(status).toMatch(/^CapAmb:\s+0{16}$/m);
      expect(run.upperFile('mkdir')).toBe('refused\n');
      expect(run.upperFile('mkdir.err')).toMatch(/Operation not permitted/);
    } finally {
      run.teardown();
    }
    expect(leftovers(root)).toEqual(NOTHING_LEFT);
  });

  it('leaves no_new_privs off and loads no filter when the profile says so', async () => {
    const run = start(
      'grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status > /status; mkdir /made',
      dockerLikeProfile(),
    );
    try {
      expect(await run.proc.exited).toBe(0);
      expect(run.upperFile('status')).toMatch(/^NoNewPrivs:\s+0\nSeccomp:\s+0$/m);
    } finally {
      run.teardown();
    }
  });

  it('puts the container in cgroups with the limits asked, and teardown of a running one removes them', async () => {
    const limits = { pidsLimit: 77, memoryBytes: 64 * 1024 * 1024, cpus: 0.5 };
    const run = start('sleep 60', dockerLikeProfile(), limits);
    let init;
    try {
      for (let i = 0; i < 500 && !(init = readInitPid(run.c.paths)); i++)
        await new Promise((r) => setTimeout(r, 10));
      if (!init) throw new Error('runc recorded no pid 1');
      const groups = new Map(
        readFileSync(`/proc/${init.pid}/cgroup`, 'utf8')
          .trim()
          .split('\n')
          .map((l) => {
            const [, ctrl, path] = l.split(':');
            return [ctrl ?? '', path ?? ''] as const;
          }),
      );
      const file = (ctrl: string, name: string): string =>
        readFileSync(join('/sys/fs/cgroup', ctrl, groups.get(ctrl) ?? '?', name), 'utf8').trim();
      expect(groups.get('pids')).toMatch(/\/overlay-tui-[0-9a-f]{8}-/);
      expect(file('pids', 'pids.max')).toBe('77');
      expect(file('memory', 'memory.limit_in_bytes')).toBe(String(64 * 1024 * 1024));
      expect(file('memory', 'memory.memsw.limit_in_bytes')).toBe(String(64 * 1024 * 1024));
      expect(file('cpu', 'cpu.cfs_quota_us')).toBe('50000');
      const devices = file('devices', 'devices.list');
      expect(devices).toMatch(/^c 1:3 rwm$/m);
      expect(devices).not.toMatch(/^a /m); // not every device
      expect(readFileSync(join(runtime.root, run.c.state.id, 'state.json'), 'utf8')).toContain(
        run.c.paths.merged,
      );
    } finally {
      run.teardown();
    }
    expect(isRunning(init)).toBe(false);
    expect(await run.proc.exited).toBe(137);
    expect(leftovers(root)).toEqual(NOTHING_LEFT);
  });
});
