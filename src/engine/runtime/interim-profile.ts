/**
 * Docker's default confinement, by hand, for `--runtime` until the
 * profile builder (engine/confine/profile.ts, built in parallel) lands and
 * takes this module's place: its 14 capabilities, Docker's default
 * seccomp profile (resolved for them), its masked and read-only paths, and
 * the default pids limit.
 */
import { seccompFor } from '../confine/seccomp.js';
import type { ConfineProfile, ResourceLimits } from '../confine/types.js';

export const DOCKER_DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

export const DOCKER_MASKED_PATHS: readonly string[] = [
  '/proc/asound',
  '/proc/acpi',
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

export const DOCKER_READONLY_PATHS: readonly string[] = [
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/sys',
  '/proc/sysrq-trigger',
];

export function interimProfile(): ConfineProfile {
  return {
    privileged: false,
    capabilities: [...DOCKER_DEFAULT_CAPABILITIES],
    noNewPrivileges: false,
    seccomp: seccompFor({ kind: 'default' }, DOCKER_DEFAULT_CAPABILITIES),
    maskedPaths: [...DOCKER_MASKED_PATHS],
    readonlyPaths: [...DOCKER_READONLY_PATHS],
  };
}

export function interimLimits(): ResourceLimits {
  return { pidsLimit: 4096 };
}
