/**
 * `--security-opt seccomp=FILE`: a profile in Docker's JSON form, read and
 * checked before anything is set up, so that a mistake in it is one line
 * naming the file and the problem, not a filter that half loads.
 * Keys Docker ignores are ignored here too (comment, flags...); what this
 * filter cannot honour (a notify listener) is refused.
 */
import { closeSync, fstatSync, openSync, readSync, constants } from 'node:fs';
import { UserError, errnoCode } from '../errors.js';
import { parseKernelVersion } from './seccomp-resolve.js';
import { KNOWN_ACTIONS, KNOWN_OPS } from './seccomp-rules.js';
import type { DockerSeccompArg, DockerSeccompProfile, DockerSeccompRule } from './types.js';

const MAX_BYTES = 4 << 20;
const MAX_DATA = 0xffff;
const SYSCALL_NAME = /^[a-z_][a-z0-9_]*$/;
const ARCH_NAME = /^SCMP_ARCH_[A-Z0-9_]+$/;

class ProfileProblem extends Error {}

function problem(text: string): never {
  throw new ProfileProblem(text);
}

function readText(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new UserError(
      `seccomp profile ${path}: cannot open it (${errnoCode(err) ?? String(err)})`,
    );
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) problem('not a regular file');
    if (st.size > MAX_BYTES) problem(`${st.size} bytes, more than a profile needs (${MAX_BYTES})`);
    const buf = Buffer.alloc(st.size);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: unknown, what: string): string[] {
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string'))
    problem(`${what} must be a list of strings`);
  return v as string[];
}

function checkAction(action: unknown, where: string): string {
  if (typeof action !== 'string' || !KNOWN_ACTIONS.includes(action))
    problem(
      `${where}: unknown action ${JSON.stringify(action)} (one of ${KNOWN_ACTIONS.join(', ')})`,
    );
  if (action === 'SCMP_ACT_NOTIFY')
    problem(`${where}: SCMP_ACT_NOTIFY needs a listener, which overlay-tui does not run`);
  return action;
}

function checkData(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_DATA)
    problem(`${where} must be a whole number from 0 to ${MAX_DATA}`);
  return v;
}

function checkValue(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    problem(`${where} must be a whole number, 0 or more`);
  // JSON numbers past 2^53 lose their low bits in JavaScript: refuse
  // rather than compare against a value the file did not say.
  if (!Number.isSafeInteger(v))
    problem(`${where} ${v} is too large to read exactly (2^53 at most)`);
  return v;
}

function checkArg(a: unknown, where: string): DockerSeccompArg {
  if (!isObject(a)) problem(`${where} must be an object`);
  if (typeof a.index !== 'number' || !Number.isInteger(a.index) || a.index < 0 || a.index > 5)
    problem(`${where}: bad index ${JSON.stringify(a.index)} (a syscall has arguments 0 to 5)`);
  if (typeof a.op !== 'string' || !KNOWN_OPS.includes(a.op))
    problem(`${where}: unknown op ${JSON.stringify(a.op)} (one of ${KNOWN_OPS.join(', ')})`);
  const arg: DockerSeccompArg = {
    index: a.index,
    op: a.op,
    value: checkValue(a.value, `${where} value`),
  };
  if (a.valueTwo !== undefined) arg.valueTwo = checkValue(a.valueTwo, `${where} valueTwo`);
  return arg;
}

function checkFilter(f: unknown, where: string): DockerSeccompRule['includes'] {
  if (f === undefined || f === null) return undefined;
  if (!isObject(f)) problem(`${where} must be an object`);
  const out: NonNullable<DockerSeccompRule['includes']> = {};
  if (f.caps !== undefined && f.caps !== null) out.caps = stringList(f.caps, `${where}.caps`);
  if (f.arches !== undefined && f.arches !== null)
    out.arches = stringList(f.arches, `${where}.arches`);
  if (f.minKernel !== undefined && f.minKernel !== '') {
    if (typeof f.minKernel !== 'string' || !parseKernelVersion(f.minKernel))
      problem(
        `${where}.minKernel ${JSON.stringify(f.minKernel)} is not a kernel version like "4.8"`,
      );
    out.minKernel = f.minKernel;
  }
  return out;
}

function checkRule(r: unknown, i: number): DockerSeccompRule {
  const where = `syscalls[${i}]`;
  if (!isObject(r)) problem(`${where} must be an object`);
  const hasName = r.name !== undefined && r.name !== '';
  const hasNames = Array.isArray(r.names) && r.names.length > 0;
  if (hasName && hasNames) problem(`${where} has both "name" and "names": use one`);
  if (!hasName && !hasNames) problem(`${where} names no syscall`);
  const list = hasName
    ? stringList([r.name], `${where}.name`)
    : stringList(r.names, `${where}.names`);
  const bad = list.find((n) => !SYSCALL_NAME.test(n));
  if (bad !== undefined) problem(`${where}: ${JSON.stringify(bad)} is not a syscall name`);
  const rule: DockerSeccompRule = { names: list, action: checkAction(r.action, where) };
  if (r.errnoRet !== undefined && r.errnoRet !== null)
    rule.errnoRet = checkData(r.errnoRet, `${where}.errnoRet`);
  if (r.args !== undefined && r.args !== null) {
    if (!Array.isArray(r.args)) problem(`${where}.args must be a list`);
    if (r.args.length > 6) problem(`${where} compares ${r.args.length} arguments (6 at most)`);
    rule.args = r.args.map((a, j) => checkArg(a, `${where}.args[${j}]`));
  }
  const includes = checkFilter(r.includes, `${where}.includes`);
  const excludes = checkFilter(r.excludes, `${where}.excludes`);
  if (includes) rule.includes = includes;
  if (excludes) rule.excludes = excludes;
  return rule;
}

function checkArches(
  p: Record<string, unknown>,
): Pick<DockerSeccompProfile, 'architectures' | 'archMap'> {
  const out: Pick<DockerSeccompProfile, 'architectures' | 'archMap'> = {};
  const hasList = Array.isArray(p.architectures) && p.architectures.length > 0;
  const hasMap = Array.isArray(p.archMap) && p.archMap.length > 0;
  if (hasList && hasMap) problem('has both "architectures" and "archMap": use one');
  const checkArch = (a: string, where: string): string => {
    if (!ARCH_NAME.test(a)) problem(`${where}: unknown architecture ${JSON.stringify(a)}`);
    return a;
  };
  if (hasList)
    out.architectures = stringList(p.architectures, 'architectures').map((a) =>
      checkArch(a, 'architectures'),
    );
  if (hasMap) {
    out.archMap = (p.archMap as unknown[]).map((e, i) => {
      const where = `archMap[${i}]`;
      if (!isObject(e) || typeof e.architecture !== 'string')
        problem(`${where} needs an "architecture"`);
      const subs =
        e.subArchitectures === undefined || e.subArchitectures === null
          ? []
          : stringList(e.subArchitectures, `${where}.subArchitectures`);
      return {
        architecture: checkArch(e.architecture, where),
        subArchitectures: subs.map((a) => checkArch(a, where)),
      };
    });
  }
  return out;
}

/** The profile of a parsed JSON value; throws ProfileProblem. */
export function checkProfile(json: unknown): DockerSeccompProfile {
  if (!isObject(json)) problem('the profile must be a JSON object');
  if (json.listenerPath !== undefined && json.listenerPath !== '')
    problem('"listenerPath" (a notify listener) is not supported');
  if (json.defaultAction === undefined || json.defaultAction === '')
    problem('no "defaultAction" (for no filter at all, use seccomp=unconfined)');
  const profile: DockerSeccompProfile = {
    defaultAction: checkAction(json.defaultAction, 'defaultAction'),
    ...checkArches(json),
    syscalls: [],
  };
  if (json.defaultErrnoRet !== undefined && json.defaultErrnoRet !== null)
    profile.defaultErrnoRet = checkData(json.defaultErrnoRet, 'defaultErrnoRet');
  if (json.syscalls !== undefined && json.syscalls !== null) {
    if (!Array.isArray(json.syscalls)) problem('"syscalls" must be a list');
    profile.syscalls = json.syscalls.map(checkRule);
  }
  return profile;
}

/** Reads and checks FILE; any problem is one UserError line naming the file. */
export function readSeccompFile(path: string): DockerSeccompProfile {
  try {
    const text = readText(path);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      problem(`not JSON (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
    }
    return checkProfile(json);
  } catch (err) {
    if (err instanceof ProfileProblem)
      throw new UserError(`seccomp profile ${path}: ${err.message}`);
    throw err;
  }
}
