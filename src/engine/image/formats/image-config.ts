/**
 * An image config (Docker's or OCI's: the same fields) as an ImageConfig,
 * with its rootfs.diff_ids: the sha256 of each layer's uncompressed tar,
 * bottom first.
 */
import type { HistoryEntry, ImageConfig } from '../image-record.js';
import { archiveError } from './archive-error.js';
import { sha256Hex } from './digest-ref.js';
import { isObject, optString, optStrings } from './json-shape.js';

export interface ParsedConfig {
  config: ImageConfig;
  /** 'sha256:<hex>', bottom first. */
  diffIds: string[];
}

export function parseImageConfig(json: unknown, file: string, member: string): ParsedConfig {
  const bad = (what: string): Error =>
    archiveError(file, member, `is not an image config: ${what}`);
  if (!isObject(json)) throw bad('not a JSON object');
  const c = json.config ?? null;
  if (c !== null && !isObject(c)) throw bad('"config" is not an object');
  const inner = c ?? {};
  const rootfs = json.rootfs;
  if (!isObject(rootfs)) throw bad('it has no "rootfs"');
  const ids = rootfs.diff_ids;
  if (!Array.isArray(ids)) throw bad('"rootfs.diff_ids" is not a list');
  const diffIds = ids.map((d, i) => {
    if (sha256Hex(d) === undefined)
      throw bad(`diff_id ${i + 1} is ${JSON.stringify(d).slice(0, 80)}, not sha256:<64 hex>`);
    return d as string;
  });
  const rawHistory = json.history ?? [];
  if (!Array.isArray(rawHistory)) throw bad('"history" is not a list');
  const history = rawHistory.map((h, i): HistoryEntry => {
    if (!isObject(h)) throw bad(`history entry ${i + 1} is not an object`);
    const at = (what: string): Error => bad(`history entry ${i + 1}: ${what}`);
    const created = optString(h, 'created', at);
    const comment = optString(h, 'comment', at);
    const empty = h.empty_layer ?? false;
    if (typeof empty !== 'boolean') throw at('"empty_layer" is not true or false');
    return {
      createdBy: optString(h, 'created_by', at) ?? '',
      ...(created !== undefined ? { created } : {}),
      ...(comment !== undefined ? { comment } : {}),
      emptyLayer: empty,
    };
  });
  const config: ImageConfig = { history };
  const cmd = optStrings(inner, 'Cmd', bad);
  const entrypoint = optStrings(inner, 'Entrypoint', bad);
  const env = optStrings(inner, 'Env', bad);
  const workingDir = optString(inner, 'WorkingDir', bad);
  const user = optString(inner, 'User', bad);
  const architecture = optString(json, 'architecture', bad);
  const os = optString(json, 'os', bad);
  if (cmd !== undefined) config.cmd = cmd;
  if (entrypoint !== undefined) config.entrypoint = entrypoint;
  if (env !== undefined) config.env = env;
  if (workingDir !== undefined && workingDir !== '') config.workingDir = workingDir;
  if (user !== undefined && user !== '') config.user = user;
  if (architecture !== undefined) config.architecture = architecture;
  if (os !== undefined) config.os = os;
  return { config, diffIds };
}

/** Gives each layer its diff_id; a config that lists another number of them is refused. */
export function checkLayerCount(
  parsed: ParsedConfig,
  layers: number,
  file: string,
  member: string,
): void {
  if (parsed.diffIds.length !== layers)
    throw archiveError(
      file,
      member,
      `lists ${parsed.diffIds.length} diff_ids but the manifest ${layers} layers: the archive is inconsistent`,
    );
}
