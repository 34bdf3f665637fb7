/**
 * What confines a container: the one description that the C helper (the
 * default) and an OCI runtime (`--runtime runc|crun`, a generated
 * config.json) both apply, so the two ways of starting a container give
 * it the same profile.
 */

/** A Docker seccomp profile (its JSON form), as `--security-opt seccomp=FILE` loads one. */
export interface DockerSeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: { architecture: string; subArchitectures?: string[] }[];
  syscalls: DockerSeccompRule[];
}

export interface DockerSeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}

export interface DockerSeccompRule {
  names?: string[];
  name?: string;
  action: string;
  errnoRet?: number;
  args?: DockerSeccompArg[] | null;
  includes?: { caps?: string[]; arches?: string[]; minKernel?: string };
  excludes?: { caps?: string[]; arches?: string[]; minKernel?: string };
}

/** The OCI runtime spec's linux.seccomp: a Docker profile resolved for one container's capabilities. */
export interface OciSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures: string[];
  syscalls: { names: string[]; action: string; errnoRet?: number; args?: DockerSeccompArg[] }[];
}

export interface ConfineProfile {
  /** --privileged: every capability, no seccomp, no masked paths, host devices reachable. */
  privileged: boolean;
  /** Capability names as the kernel spells them (CAP_CHOWN ...): bounding, permitted and effective. */
  capabilities: string[];
  noNewPrivileges: boolean;
  /** undefined: seccomp=unconfined. */
  seccomp: OciSeccomp | undefined;
  /** Where seccomp came from: 'default', 'unconfined' or a profile file's path. */
  seccompSource?: string;
  /** Hidden: a /dev/null bind on a file, an empty read-only tmpfs on a directory. */
  maskedPaths: string[];
  /** Bound onto themselves read-only. */
  readonlyPaths: string[];
}

/** The container's cgroup limits (`--pids-limit`, `--memory`, `--cpus`). */
export interface ResourceLimits {
  pidsLimit: number;
  memoryBytes?: number;
  /** CPUs' worth of time, e.g. 0.5. */
  cpus?: number;
}
