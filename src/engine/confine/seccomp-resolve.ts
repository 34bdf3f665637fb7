/**
 * A Docker seccomp profile resolved for one container on one machine, as
 * Docker does it before handing the OCI form to runc
 * (moby profiles/seccomp/seccomp_linux.go, setupSeccomp):
 * - architectures: the profile's `architectures`, or the `archMap` entry of
 *   this machine's architecture with its sub-architectures;
 * - a rule is dropped when excludes.arches names this machine, when the
 *   container holds any of excludes.caps, when the kernel is at least
 *   excludes.minKernel; and unless includes.arches names this machine, the
 *   container holds every one of includes.caps and the kernel is at least
 *   includes.minKernel.
 * Capabilities are compared against the container's bounding set.
 */
import { arch as nodeArch, release } from 'node:os';
import type { DockerSeccompProfile, DockerSeccompRule, OciSeccomp } from './types.js';

export interface SeccompHost {
  /** The architecture as Docker's profiles name it (Go's names: amd64, arm64, s390x...). */
  arch: string;
  /** The libseccomp architecture of the same machine (SCMP_ARCH_X86_64...). */
  seccompArch: string;
  /** The kernel release, e.g. "6.18.44-fc". */
  kernel: string;
}

const NODE_ARCHES: Record<string, [string, string]> = {
  x64: ['amd64', 'SCMP_ARCH_X86_64'],
  ia32: ['x86', 'SCMP_ARCH_X86'],
  arm64: ['arm64', 'SCMP_ARCH_AARCH64'],
  arm: ['arm', 'SCMP_ARCH_ARM'],
  ppc64: ['ppc64le', 'SCMP_ARCH_PPC64LE'],
  s390x: ['s390x', 'SCMP_ARCH_S390X'],
  riscv64: ['riscv64', 'SCMP_ARCH_RISCV64'],
  mips: ['mips', 'SCMP_ARCH_MIPS'],
  mipsel: ['mipsle', 'SCMP_ARCH_MIPSEL'],
};

export function thisHost(): SeccompHost {
  const [arch, seccompArch] = NODE_ARCHES[nodeArch()] ?? [nodeArch(), ''];
  return { arch, seccompArch, kernel: release() };
}

/** [major, minor, patch] of "6.18.44-fc" or "4.8"; undefined when it is not a version. */
export function parseKernelVersion(text: string): [number, number, number] | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

function kernelAtLeast(kernel: string, min: string): boolean {
  const have = parseKernelVersion(kernel);
  const want = parseKernelVersion(min);
  if (!have || !want) throw new Error(`cannot compare kernel ${kernel} with ${min}`);
  for (let i = 0; i < 3; i++) {
    const h = have[i] ?? 0;
    const w = want[i] ?? 0;
    if (h !== w) return h > w;
  }
  return true;
}

/** "chown" and "cap_chown" as the kernel spells them: CAP_CHOWN. */
export function capabilityName(cap: string): string {
  const upper = cap.toUpperCase();
  return upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
}

function applies(rule: DockerSeccompRule, caps: ReadonlySet<string>, host: SeccompHost): boolean {
  const { includes: inc = {}, excludes: exc = {} } = rule;
  if (exc.arches?.includes(host.arch)) return false;
  if (exc.caps?.some((c) => caps.has(capabilityName(c)))) return false;
  if (exc.minKernel !== undefined && kernelAtLeast(host.kernel, exc.minKernel)) return false;
  if (inc.arches && inc.arches.length > 0 && !inc.arches.includes(host.arch)) return false;
  if (inc.caps && !inc.caps.every((c) => caps.has(capabilityName(c)))) return false;
  if (inc.minKernel !== undefined && !kernelAtLeast(host.kernel, inc.minKernel)) return false;
  return true;
}

function architectures(profile: DockerSeccompProfile, host: SeccompHost): string[] {
  if (profile.architectures && profile.architectures.length > 0) return [...profile.architectures];
  const entry = profile.archMap?.find((a) => a.architecture === host.seccompArch);
  return entry ? [entry.architecture, ...(entry.subArchitectures ?? [])] : [];
}

export function resolveProfile(
  profile: DockerSeccompProfile,
  capabilities: readonly string[],
  host: SeccompHost = thisHost(),
): OciSeccomp {
  const caps = new Set(capabilities.map(capabilityName));
  const resolved: OciSeccomp = {
    defaultAction: profile.defaultAction,
    architectures: architectures(profile, host),
    syscalls: [],
  };
  if (profile.defaultErrnoRet !== undefined) resolved.defaultErrnoRet = profile.defaultErrnoRet;
  for (const rule of profile.syscalls) {
    if (!applies(rule, caps, host)) continue;
    const call: OciSeccomp['syscalls'][number] = {
      names: rule.names ?? (rule.name !== undefined ? [rule.name] : []),
      action: rule.action,
    };
    if (rule.errnoRet !== undefined) call.errnoRet = rule.errnoRet;
    if (rule.args && rule.args.length > 0) call.args = rule.args.map((a) => ({ ...a }));
    resolved.syscalls.push(call);
  }
  return resolved;
}
