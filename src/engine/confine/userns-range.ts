/**
 * The host ids a `--userns` container's ids map to. An administrator
 * reserves a range as for any subordinate ids: a line `overlay-tui:BASE:SIZE`
 * in both /etc/subuid and /etc/subgid. Without one, a range far above what
 * useradd hands out (100000 + 65536 per user) is used, so that the
 * container's root is nobody any login on the host owns.
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../errors.js';
import type { IdMap } from '../../overlay/id-map.js';

export const DEFAULT_USERNS_RANGE: IdMap = { base: 1_000_000_000, size: 65536 };
const OWNER = 'overlay-tui';

/** Our line of a subordinate id file, or undefined if it has none. */
export function subordinateRange(text: string, owner = OWNER): IdMap | undefined {
  for (const line of text.split('\n')) {
    const [name, base, size] = line.trim().split(':');
    if (name !== owner) continue;
    const map = { base: Number(base), size: Number(size) };
    const valid =
      Number.isSafeInteger(map.base) &&
      Number.isSafeInteger(map.size) &&
      map.base > 0 &&
      map.size > 0 &&
      map.base + map.size <= 2 ** 32 - 1;
    if (!valid) throw new UserError(`--userns: the line "${line.trim()}" is not NAME:BASE:SIZE`);
    return map;
  }
  return undefined;
}

function readOptional(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

export function usernsRange(subuid = '/etc/subuid', subgid = '/etc/subgid'): IdMap {
  const uids = subordinateRange(readOptional(subuid));
  const gids = subordinateRange(readOptional(subgid));
  if (!uids && !gids) return DEFAULT_USERNS_RANGE;
  if (!uids || !gids || uids.base !== gids.base || uids.size !== gids.size) {
    throw new UserError(
      `--userns: ${subuid} and ${subgid} must give ${OWNER} the same BASE:SIZE (one map serves uids and gids)`,
    );
  }
  return uids;
}
