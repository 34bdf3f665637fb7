/**
 * The container's confinement profile, from the options `run` and the app
 * take: Docker's defaults (14 capabilities, the default seccomp profile,
 * masked and read-only kernel paths), what --cap-add, --cap-drop and
 * --security-opt change, or --privileged, which turns all of it off.
 */
import { ALL_CAPABILITIES, resolveCapabilities } from './capabilities.js';
import { seccompFor, type SeccompOption } from './seccomp.js';
import type { ConfineProfile } from './types.js';

/** What the user asked for, checked (names normalised) but not yet resolved. */
export interface ConfineOptions {
  privileged: boolean;
  capAdd: string[];
  capDrop: string[];
  noNewPrivileges: boolean;
  seccomp: SeccompOption;
}

export const DEFAULT_CONFINE_OPTIONS: ConfineOptions = {
  privileged: false,
  capAdd: [],
  capDrop: [],
  noNewPrivileges: false,
  seccomp: { kind: 'default' },
};

/** Docker's (moby oci/defaults.go): kernel files a container has no business reading. */
export const DOCKER_MASKED_PATHS: readonly string[] = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

/** Docker's: kernel knobs a container may read but not turn. */
export const DOCKER_READONLY_PATHS: readonly string[] = [
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/sys',
  '/proc/sysrq-trigger',
];

/** The one line `run` and the app show before a --privileged container starts. */
export const PRIVILEGED_WARNING =
  "--privileged: the container's root is the host's root (all capabilities, no seccomp, host devices reachable)";

function seccompSourceOf(option: SeccompOption): string {
  return option.kind === 'file' ? option.path : option.kind;
}

export function buildProfile(options: ConfineOptions): ConfineProfile {
  if (options.privileged) {
    // As Docker: --cap-add, --cap-drop and seccomp= do not apply.
    return {
      privileged: true,
      capabilities: [...ALL_CAPABILITIES],
      noNewPrivileges: options.noNewPrivileges,
      seccomp: undefined,
      seccompSource: 'unconfined',
      maskedPaths: [],
      readonlyPaths: [],
    };
  }
  const capabilities = resolveCapabilities(options.capAdd, options.capDrop);
  return {
    privileged: false,
    capabilities,
    noNewPrivileges: options.noNewPrivileges,
    seccomp: seccompFor(options.seccomp, capabilities),
    seccompSource: seccompSourceOf(options.seccomp),
    maskedPaths: [...DOCKER_MASKED_PATHS],
    readonlyPaths: [...DOCKER_READONLY_PATHS],
  };
}

/** Every container started without options gets this. */
export function defaultProfile(): ConfineProfile {
  return buildProfile(DEFAULT_CONFINE_OPTIONS);
}

/** What state.json records, for `ps` and the app. */
export interface ConfinementSummary {
  privileged: boolean;
  capabilities: string[];
  /** 'default', 'unconfined' or the profile file's path. */
  seccomp: string;
  noNewPrivileges: boolean;
}

export function confinementSummary(profile: ConfineProfile): ConfinementSummary {
  return {
    privileged: profile.privileged,
    capabilities: profile.capabilities,
    // A profile that resolved to no filter is no filter, whatever was asked.
    seccomp: profile.seccomp ? (profile.seccompSource ?? 'default') : 'unconfined',
    noNewPrivileges: profile.noNewPrivileges,
  };
}
