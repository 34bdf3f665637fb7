/**
 * What the container runs and with which environment, from the image's
 * config and what the user gave, by Docker's rules. Pure: no I/O.
 */
import type { ImageConfig } from '../image/image-record.js';

/** What `run` was given beside the image: CMD, --entrypoint, -e, -w. */
export interface ProcessRequest {
  /** CMD ARG...: replaces the image's Cmd, keeps its Entrypoint. Empty: the image's. */
  command: string[];
  /** --entrypoint: replaces the image's Entrypoint and drops its Cmd ('' clears it). */
  entrypoint?: string;
  /** -e K=V (already resolved from the host for a bare -e K), over the image's Env. */
  env: string[];
  /** -w DIR, over the image's WorkingDir. */
  workdir?: string;
  /** -u USER[:GROUP], over the image's User. */
  user?: string;
}

/**
 * Docker's rule: Entrypoint + Cmd, where a given CMD replaces Cmd and a
 * given --entrypoint replaces Entrypoint and drops Cmd. Empty: nothing to run.
 */
export function containerCommand(config: ImageConfig, req: ProcessRequest): string[] {
  const entrypoint =
    req.entrypoint !== undefined
      ? req.entrypoint === ''
        ? []
        : [req.entrypoint]
      : (config.entrypoint ?? []);
  const cmd =
    req.command.length > 0 ? req.command : req.entrypoint !== undefined ? [] : (config.cmd ?? []);
  return [...entrypoint, ...cmd];
}

/** Variables the container gets from us whatever the image says. */
const OURS = new Set(['HOSTNAME', 'TERM']);

function keyOf(entry: string): string | undefined {
  const eq = entry.indexOf('=');
  return eq > 0 ? entry.slice(0, eq) : undefined;
}

/**
 * "K=V" entries over BASE: a later entry of the same key replaces the
 * earlier one in place, a new key is appended. Entries without a key are
 * dropped (an image's Env may hold anything).
 */
export function overEnv(base: readonly string[], over: readonly string[]): string[] {
  const out = new Map<string, string>();
  for (const entry of [...base, ...over]) {
    const key = keyOf(entry);
    if (key !== undefined) out.set(key, entry);
  }
  return [...out.values()];
}

/**
 * What the command's environment gets over our defaults (PATH, HOME,
 * HOSTNAME, TERM): the image's Env (its PATH too; never HOSTNAME or TERM,
 * which are ours), HOME from the user's passwd entry when the image sets
 * none, then -e, which may set anything.
 */
export function environmentOver(
  config: ImageConfig,
  req: ProcessRequest,
  home: string | undefined,
): string[] {
  const image = (config.env ?? []).filter((e) => {
    const key = keyOf(e);
    return key !== undefined && !OURS.has(key);
  });
  const homeEntry = home !== undefined && !image.some((e) => keyOf(e) === 'HOME');
  return overEnv([...(homeEntry ? [`HOME=${home}`] : []), ...image], req.env);
}

/** -w, else the image's WorkingDir (Docker takes a relative one from /), else none. */
export function workingDir(config: ImageConfig, req: ProcessRequest): string | undefined {
  const dir = req.workdir ?? config.workingDir;
  if (dir === undefined || dir === '') return undefined;
  return dir.startsWith('/') ? dir : `/${dir}`;
}

/** -e K=V as given; a bare -e K takes K from our own environment, or is left out if unset (as Docker). */
export function resolveEnvArgs(given: readonly string[], env: NodeJS.ProcessEnv): string[] {
  return given.flatMap((e) => {
    if (e.includes('=')) return [e];
    const value = env[e];
    return value === undefined ? [] : [`${e}=${value}`];
  });
}
