/**
 * Which user the container's command runs as: the image's User or -u, as
 * Docker reads them: '', 'root' and '0' are root; 'UID' and 'UID:GID' are
 * taken as they are; a name (or 'NAME:GROUP') is looked up in the image's
 * own /etc/passwd and /etc/group, which the caller reads inside the
 * container's root (helper.ts readInRoot: no symlink leads out of it).
 * Pure but for the reader it is given.
 */
import { UserError } from '../errors.js';
import { safeLine } from '../../overlay/printable-path.js';

export interface ProcessUser {
  uid: number;
  gid: number;
  /** Supplementary groups: those of /etc/group that list the user's name. */
  groups: number[];
}

export interface UserChoice {
  /** undefined: root with no supplementary group, as without any user. */
  user?: ProcessUser;
  /** The home directory from the user's passwd entry, for HOME. */
  home?: string;
  /** Said to the user in one line: why the image's user was not used. */
  note?: string;
}

/** An image file as read from the container's root: its text, absent, or why it could not be read. */
export type ImageFile = { text: string } | 'absent' | { error: string };

export interface UserSource {
  /** '-u' or 'image': an unresolvable -u is an error; an image's User falls back to root. */
  from: 'option' | 'image';
  read: (path: '/etc/passwd' | '/etc/group') => ImageFile;
  /** --userns: ids at or above the map's size do not exist in the container. */
  idLimit?: number;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

const ID = /^\d{1,10}$/;
const MAX_ID = 0xfffffffe;

function asId(s: string): number | undefined {
  if (!ID.test(s)) return undefined;
  const n = Number(s);
  return n <= MAX_ID ? n : undefined;
}

function passwdEntries(text: string): PasswdEntry[] {
  return text.split('\n').flatMap((line) => {
    const f = line.split(':');
    const uid = asId(f[2] ?? '');
    const gid = asId(f[3] ?? '');
    if (f.length < 7 || uid === undefined || gid === undefined || !f[0]) return [];
    return [{ name: f[0], uid, gid, home: f[5] ?? '' }];
  });
}

function groupEntries(text: string): { name: string; gid: number; members: string[] }[] {
  return text.split('\n').flatMap((line) => {
    const f = line.split(':');
    const gid = asId(f[2] ?? '');
    if (f.length < 4 || gid === undefined || !f[0]) return [];
    return [{ name: f[0], gid, members: (f[3] ?? '').split(',').filter((m) => m !== '') }];
  });
}

class Unresolved extends Error {}

function fileText(src: UserSource, path: '/etc/passwd' | '/etc/group'): string | undefined {
  const file = src.read(path);
  if (file === 'absent') return undefined;
  if ('error' in file) throw new Unresolved(`its ${path} could not be read (${file.error})`);
  return file.text;
}

function resolve(spec: string, src: UserSource): UserChoice {
  const colon = spec.indexOf(':');
  const userPart = colon < 0 ? spec : spec.slice(0, colon);
  const groupPart = colon < 0 ? undefined : spec.slice(colon + 1);
  if (userPart === '' || (groupPart !== undefined && groupPart === '')) {
    throw new Unresolved(`"${spec}" is not a user (USER, UID, USER:GROUP or UID:GID)`);
  }
  const numericUid = asId(userPart);
  const passwdText = fileText(src, '/etc/passwd');
  const entries = passwdText !== undefined ? passwdEntries(passwdText) : [];
  const entry =
    numericUid !== undefined
      ? entries.find((e) => e.uid === numericUid)
      : entries.find((e) => e.name === userPart);
  if (numericUid === undefined && !entry) {
    throw new Unresolved(
      passwdText === undefined
        ? `the image has no /etc/passwd to find user "${userPart}" in`
        : `user "${userPart}" is not in the image's /etc/passwd`,
    );
  }
  const uid = numericUid ?? (entry as PasswdEntry).uid;
  const needGroups = groupPart === undefined || asId(groupPart) === undefined || entry;
  const groupText = needGroups ? fileText(src, '/etc/group') : undefined;
  const groups = groupText !== undefined ? groupEntries(groupText) : [];
  let gid: number;
  if (groupPart === undefined) gid = entry?.gid ?? 0;
  else {
    const found = asId(groupPart) ?? groups.find((g) => g.name === groupPart)?.gid;
    if (found === undefined)
      throw new Unresolved(`group "${groupPart}" is not in the image's /etc/group`);
    gid = found;
  }
  const extra = entry
    ? [...new Set(groups.filter((g) => g.members.includes(entry.name)).map((g) => g.gid))]
    : [];
  const limit = src.idLimit;
  const over = [uid, gid, ...extra].find((id) => limit !== undefined && id >= limit);
  if (over !== undefined) {
    throw new Unresolved(
      `id ${over} is not mapped in the user namespace (--userns maps 0-${(limit ?? 1) - 1})`,
    );
  }
  const home = entry?.home || (uid === 0 ? '/root' : '/');
  if (uid === 0 && gid === 0 && extra.length === 0) return { home };
  return { user: { uid, gid, groups: extra }, home };
}

/**
 * The user to run as. An image's User that cannot be resolved runs as root,
 * with a note saying so and why (the rule); a -u that cannot be is
 * an error: the user asked not to be root.
 */
export function chooseUser(spec: string | undefined, src: UserSource): UserChoice {
  if (spec === undefined || spec === '' || spec === 'root' || spec === '0' || spec === '0:0') {
    return {};
  }
  try {
    return resolve(spec, src);
  } catch (err) {
    if (!(err instanceof Unresolved)) throw err;
    if (src.from === 'option')
      throw new UserError(`--user ${safeLine(spec)}: ${safeLine(err.message)}`);
    return {
      note: `the image's user "${safeLine(spec)}" is not used: ${safeLine(err.message)}; running as root instead`,
    };
  }
}
