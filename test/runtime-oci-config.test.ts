/**
 * config.json for --runtime (oci-config.ts): the profile's capabilities,
 * masks, seccomp and cgroup limits land where the OCI runtime spec puts
 * them, and --privileged opens them all.
 */
import { describe, expect, it } from 'vitest';
import { ociConfig, type OciConfigInput } from '../src/engine/runtime/oci-config.js';
import { ALL_CAPABILITIES } from '../src/engine/confine/capabilities.js';
import type { OciDeviceRule } from '../src/engine/runtime/oci-spec.js';
import {
  DOCKER_CAPS,
  DOCKER_MASKED,
  DOCKER_READONLY,
  denyMkdir,
  dockerLikeProfile,
} from './support/confine-profile.js';

function input(overrides: Partial<OciConfigInput> = {}): OciConfigInput {
  return {
    profile: dockerLikeProfile(),
    limits: { pidsLimit: 4096 },
    rootfs: '/var/lib/overlay-tui/containers/c1/merged',
    hostname: 'c1',
    args: ['sh', '-c', 'echo hi'],
    term: 'xterm-256color',
    terminal: false,
    cgroupsPath: 'overlay-tui-0123abcd-c1',
    ...overrides,
  };
}

/** Whether the device cgroup rules let a process read/write this device. */
function allowed(rules: readonly OciDeviceRule[], type: 'b' | 'c', major: number, minor: number) {
  let ok = false; // the last matching rule wins, as in the kernel's list
  for (const r of rules) {
    const matches =
      (r.type === undefined || r.type === 'a' || r.type === type) &&
      (r.major === undefined || r.major === major) &&
      (r.minor === undefined || r.minor === minor) &&
      (r.access ?? 'rwm').includes('r') &&
      (r.access ?? 'rwm').includes('w');
    if (matches) ok = r.allow;
  }
  return ok;
}

describe('the process', () => {
  it("takes the image's config as the helper does: env over ours, cwd, a user with no effective caps", () => {
    const c = ociConfig(
      input({
        process: {
          env: ['PATH=/image/bin', 'FOO=bar'],
          cwd: '/srv/app',
          user: { uid: 1000, gid: 1001, groups: [20, 30] },
        },
      }),
    ).process;
    expect(c.env).toEqual([
      'PATH=/image/bin',
      'HOME=/root',
      'HOSTNAME=c1',
      'TERM=xterm-256color',
      'FOO=bar',
    ]);
    expect(c.cwd).toBe('/srv/app');
    expect(c.user).toEqual({ uid: 1000, gid: 1001, additionalGids: [20, 30] });
    // Docker's rule for a user other than root: the bounding set only.
    expect([...(c.capabilities?.bounding ?? [])].sort()).toEqual([...DOCKER_CAPS].sort());
    expect(c.capabilities?.effective).toEqual([]);
    expect(c.capabilities?.permitted).toEqual([]);
    const root = ociConfig(input({ process: { env: [], user: { uid: 0, gid: 5, groups: [] } } }));
    expect(root.process.capabilities?.effective).toEqual(root.process.capabilities?.bounding);
  });

  it('runs the command as root in / with the environment the helper gives', () => {
    const c = ociConfig(input()).process;
    expect(c.args).toEqual(['sh', '-c', 'echo hi']);
    expect(c.user).toEqual({ uid: 0, gid: 0 });
    expect(c.cwd).toBe('/');
    expect(c.env).toEqual([
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'HOME=/root',
      'HOSTNAME=c1',
      'TERM=xterm-256color',
    ]);
    expect(ociConfig(input({ term: undefined })).process.env).not.toContainEqual(
      expect.stringMatching(/^TERM=/),
    );
    expect(ociConfig(input({ terminal: true })).process.terminal).toBe(true);
  });

  it("has the profile's capabilities in bounding, effective and permitted; none inheritable or ambient", () => {
    const caps = ociConfig(input()).process.capabilities;
    expect(caps.bounding).toEqual(DOCKER_CAPS);
    expect(caps.effective).toEqual(DOCKER_CAPS);
    expect(caps.permitted).toEqual(DOCKER_CAPS);
    expect(caps.inheritable).toEqual([]);
    expect(caps.ambient).toEqual([]);
  });

  it('sets no_new_privs as the profile says', () => {
    expect(ociConfig(input()).process.noNewPrivileges).toBe(false);
    const nnp = input({ profile: dockerLikeProfile({ noNewPrivileges: true }) });
    expect(ociConfig(nnp).process.noNewPrivileges).toBe(true);
  });
});

describe('the container', () => {
  it('has merged as its writable root, new namespaces, the hostname and the cgroup path', () => {
    const c = ociConfig(input());
    expect(c.ociVersion).toBe('1.0.2');
    expect(c.root).toEqual({ path: '/var/lib/overlay-tui/containers/c1/merged', readonly: false });
    expect(c.hostname).toBe('c1');
    expect(c.linux.namespaces.map((n) => n.type).sort()).toEqual(
      ['ipc', 'mount', 'network', 'pid', 'uts'].sort(),
    );
    expect(c.linux.cgroupsPath).toBe('overlay-tui-0123abcd-c1');
  });

  it('mounts proc, a tmpfs /dev with pts, shm and mqueue, and a read-only /sys', () => {
    const mounts = ociConfig(input()).mounts;
    const byDest = new Map(mounts.map((m) => [m.destination, m]));
    expect([...byDest.keys()]).toEqual([
      '/proc',
      '/dev',
      '/dev/pts',
      '/dev/shm',
      '/dev/mqueue',
      '/sys',
    ]);
    expect(byDest.get('/proc')?.type).toBe('proc');
    expect(byDest.get('/dev')?.type).toBe('tmpfs');
    expect(byDest.get('/dev/pts')?.options).toContain('newinstance');
    expect(byDest.get('/sys')?.type).toBe('sysfs');
    expect(byDest.get('/sys')?.options).toContain('ro');
    for (const m of mounts) expect(m.options, m.destination).toContain('nosuid');
  });

  it("masks and makes read-only the profile's paths", () => {
    const c = ociConfig(input());
    expect(c.linux.maskedPaths).toEqual(DOCKER_MASKED);
    expect(c.linux.readonlyPaths).toEqual(DOCKER_READONLY);
  });

  it("passes the profile's seccomp through as it is, and none for seccomp=unconfined", () => {
    const seccomp = denyMkdir();
    const c = ociConfig(input({ profile: dockerLikeProfile({ seccomp }) }));
    expect(c.linux.seccomp).toEqual(seccomp);
    expect('seccomp' in ociConfig(input()).linux).toBe(false);
  });
});

describe('--userns', () => {
  it('adds a user namespace mapping container 0.. to the host base, uids and gids alike', () => {
    const c = ociConfig(input({ userns: { base: 1000000000, size: 65536 } }));
    expect(c.linux.namespaces.map((n) => n.type)).toContain('user');
    const mapping = [{ containerID: 0, hostID: 1000000000, size: 65536 }];
    expect(c.linux.uidMappings).toEqual(mapping);
    expect(c.linux.gidMappings).toEqual(mapping);
    const plain = ociConfig(input());
    expect(plain.linux.namespaces.map((n) => n.type)).not.toContain('user');
    expect(plain.linux.uidMappings).toBeUndefined();
  });
});

describe('resources', () => {
  it('limits pids, memory (swap equal: none beyond it) and CPU time', () => {
    const limits = { pidsLimit: 77, memoryBytes: 64 * 1024 * 1024, cpus: 0.5 };
    const r = ociConfig(input({ limits })).linux.resources;
    expect(r.pids).toEqual({ limit: 77 });
    expect(r.memory).toEqual({ limit: 67108864, swap: 67108864 });
    expect(r.cpu).toEqual({ quota: 50000, period: 100000 });
  });

  it('sets no memory or CPU limit unless asked', () => {
    const r = ociConfig(input()).linux.resources;
    expect(r.pids).toEqual({ limit: 4096 });
    expect(r.memory).toBeUndefined();
    expect(r.cpu).toBeUndefined();
  });

  it('denies every device but the standard ones, and allows mknod (the node cannot be opened)', () => {
    const rules = ociConfig(input()).linux.resources.devices;
    expect(rules[0]).toEqual({ allow: false, access: 'rwm' });
    for (const [major, minor] of [
      [1, 3],
      [1, 5],
      [1, 7],
      [1, 8],
      [1, 9],
      [5, 0],
      [5, 2],
      [136, 4],
    ] as const)
      expect(allowed(rules, 'c', major, minor), `c ${major}:${minor}`).toBe(true);
    expect(allowed(rules, 'b', 254, 0), 'the host disk').toBe(false);
    expect(allowed(rules, 'b', 8, 0), 'sda').toBe(false);
    expect(allowed(rules, 'c', 1, 1), '/dev/mem').toBe(false);
    expect(allowed(rules, 'c', 10, 232), '/dev/kvm').toBe(false);
    expect(rules).toContainEqual({ allow: true, type: 'b', access: 'm' });
  });
});

describe('--privileged', () => {
  const privileged = ociConfig(
    input({ profile: dockerLikeProfile({ privileged: true, seccomp: denyMkdir() }) }),
  );

  it('has every capability, still none inheritable or ambient', () => {
    const caps = privileged.process.capabilities;
    expect(caps.bounding).toEqual(ALL_CAPABILITIES);
    expect(caps.bounding).toContain('CAP_SYS_ADMIN');
    expect(caps.bounding).toHaveLength(41);
    expect(caps.effective).toEqual(caps.bounding);
    expect(caps.inheritable).toEqual([]);
    expect(caps.ambient).toEqual([]);
  });

  it('has no seccomp filter, no masked or read-only paths, and every device', () => {
    expect(privileged.linux.seccomp).toBeUndefined();
    expect(privileged.linux.maskedPaths).toEqual([]);
    expect(privileged.linux.readonlyPaths).toEqual([]);
    expect(privileged.linux.resources.devices).toEqual([{ allow: true, access: 'rwm' }]);
    expect(allowed(privileged.linux.resources.devices, 'b', 254, 0)).toBe(true);
  });

  it('keeps the cgroup limits', () => {
    expect(privileged.linux.resources.pids).toEqual({ limit: 4096 });
  });
});
