/**
 * config.json for `--runtime runc|crun`: the same container the C helper
 * makes (namespaces, the kernel file systems under merged, hostname,
 * environment) with the same confinement profile and cgroup limits, in the
 * OCI runtime spec's words. Pure: the caller writes it into the bundle.
 */
import { DEFAULT_ALLOWED_DEVICES } from '../cgroup/devices.js';
import { CPU_PERIOD_US, cpuQuotaUs } from '../cgroup/limits.js';
import type { ConfineProfile, ResourceLimits } from '../confine/types.js';
import type { IdMap } from '../../overlay/id-map.js';
import { ALL_CAPABILITIES } from '../confine/capabilities.js';
import { overEnv } from '../container/image-command.js';
import type { ProcessConfig } from '../container/process-config.js';
import {
  OCI_VERSION,
  type OciConfig,
  type OciDeviceRule,
  type OciIdMapping,
  type OciMount,
  type OciResources,
} from './oci-spec.js';

export interface OciConfigInput {
  profile: ConfineProfile;
  limits: ResourceLimits;
  /** The merged directory, already mounted: the container writes through it. */
  rootfs: string;
  hostname: string;
  args: string[];
  /** The TERM to give the container, if any (the helper passes its own on). */
  term: string | undefined;
  /** true: the runtime makes a pty and relays it (needs a terminal on its stdin). */
  terminal: boolean;
  cgroupsPath: string;
  /** --userns: a user namespace, container 0.. as host base.. (the lowers already idmapped). */
  userns?: IdMap | undefined;
  /** The image's config and -e, -w, -u, as the helper gets them; default: root in /. */
  process?: ProcessConfig | undefined;
}

/** The helper's environment for the command (exec_command in ovl-helper.c). */
export function containerEnv(hostname: string, term: string | undefined): string[] {
  return [
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'HOME=/root',
    `HOSTNAME=${hostname}`,
    ...(term ? [`TERM=${term}`] : []),
  ];
}

/** The helper's mounts (setup_mounts in ovl-helper.c), plus /dev/mqueue as Docker has it. */
export const CONTAINER_MOUNTS: readonly OciMount[] = [
  { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
  {
    destination: '/dev',
    type: 'tmpfs',
    source: 'tmpfs',
    options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
  },
  {
    destination: '/dev/pts',
    type: 'devpts',
    source: 'devpts',
    options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'],
  },
  {
    destination: '/dev/shm',
    type: 'tmpfs',
    source: 'shm',
    options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'],
  },
  {
    destination: '/dev/mqueue',
    type: 'mqueue',
    source: 'mqueue',
    options: ['nosuid', 'noexec', 'nodev'],
  },
  {
    destination: '/sys',
    type: 'sysfs',
    source: 'sysfs',
    options: ['nosuid', 'noexec', 'nodev', 'ro'],
  },
];

/** Deny every device, then allow the cgroup module's list (the same one the helper's cgroup gets). */
export const STANDARD_DEVICE_RULES: readonly OciDeviceRule[] = [
  { allow: false, access: 'rwm' },
  ...DEFAULT_ALLOWED_DEVICES.map((d) => ({ allow: true, ...d })),
];

export function ociResources(limits: ResourceLimits, privileged: boolean): OciResources {
  return {
    devices: privileged ? [{ allow: true, access: 'rwm' }] : [...STANDARD_DEVICE_RULES],
    pids: { limit: limits.pidsLimit },
    // Swap equal to memory: no swap beyond the limit, as `docker run --memory` does.
    ...(limits.memoryBytes !== undefined
      ? { memory: { limit: limits.memoryBytes, swap: limits.memoryBytes } }
      : {}),
    ...(limits.cpus !== undefined
      ? { cpu: { quota: cpuQuotaUs(limits.cpus), period: CPU_PERIOD_US } }
      : {}),
  };
}

const NAMESPACES = ['pid', 'mount', 'ipc', 'uts', 'network'];

function idMappings(map: IdMap): { uidMappings: OciIdMapping[]; gidMappings: OciIdMapping[] } {
  const mapping = { containerID: 0, hostID: map.base, size: map.size };
  return { uidMappings: [mapping], gidMappings: [{ ...mapping }] };
}

export function ociConfig(input: OciConfigInput): OciConfig {
  const { profile } = input;
  const caps = profile.privileged ? [...ALL_CAPABILITIES] : [...profile.capabilities];
  const seccomp = profile.privileged ? undefined : profile.seccomp;
  const user = input.process?.user;
  // Docker's rule (oci.SetCapabilities): a user other than root gets the
  // bounding set only, as execve would leave it; the helper does the same.
  const root = (user?.uid ?? 0) === 0;
  return {
    ociVersion: OCI_VERSION,
    process: {
      terminal: input.terminal,
      user: {
        uid: user?.uid ?? 0,
        gid: user?.gid ?? 0,
        ...(user && user.groups.length > 0 ? { additionalGids: [...user.groups] } : {}),
      },
      args: [...input.args],
      env: overEnv(containerEnv(input.hostname, input.term), input.process?.env ?? []),
      // runc makes a missing cwd after the pivot, as root (the helper too).
      cwd: input.process?.cwd ?? '/',
      // Inheritable and ambient stay empty (CVE-2022-24769).
      capabilities: {
        bounding: caps,
        effective: root ? [...caps] : [],
        permitted: root ? [...caps] : [],
        inheritable: [],
        ambient: [],
      },
      noNewPrivileges: profile.noNewPrivileges,
    },
    root: { path: input.rootfs, readonly: false },
    hostname: input.hostname,
    mounts: CONTAINER_MOUNTS.map((m) => ({
      ...m,
      ...(m.options ? { options: [...m.options] } : {}),
    })),
    linux: {
      namespaces: [...NAMESPACES, ...(input.userns ? ['user'] : [])].map((type) => ({ type })),
      ...(input.userns ? idMappings(input.userns) : {}),
      cgroupsPath: input.cgroupsPath,
      resources: ociResources(input.limits, profile.privileged),
      ...(seccomp ? { seccomp } : {}),
      maskedPaths: profile.privileged ? [] : [...profile.maskedPaths],
      readonlyPaths: profile.privileged ? [] : [...profile.readonlyPaths],
    },
  };
}
