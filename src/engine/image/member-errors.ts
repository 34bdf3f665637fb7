/**
 * A member this program will not make, for a reason of its own header (an
 * owner Linux cannot have, a time no file system keeps, a hardlink to
 * itself) or one the file system gave: the whole import is refused with one
 * line naming the member, escaped, in our words rather than errno's.
 */
import { errnoCode } from '../errors.js';
import { printablePath } from '../../overlay/printable-path.js';

export class OddMemberError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OddMemberError';
  }
}

/** uid_t is 32 bits, and (uid_t)-1 means "leave the owner as it is" to chown(2). */
const MAX_ID = 2 ** 32 - 2;

/** What a JS Date can hold, ±275,760 years: beyond it fs cannot even pass the time on. */
const MAX_SECONDS = 8.64e12;

/** Refuses header values the member could not be made with, before anything of it is made. */
export function checkMemberValues(
  name: string,
  m: { uid: number; gid: number; mtime: number },
): void {
  const quoted = `member "${printablePath(name)}"`;
  for (const [what, id] of [
    ['uid', m.uid],
    ['gid', m.gid],
  ] as const) {
    if (id > MAX_ID)
      throw new OddMemberError(`${quoted} has ${what} ${id}, beyond what Linux can own (2^32 - 2)`);
  }
  if (!(Math.abs(m.mtime) <= MAX_SECONDS))
    throw new OddMemberError(
      `${quoted} has a modification time out of range (${m.mtime} s from 1970; at most ±${MAX_SECONDS})`,
    );
}

const REASONS: Record<string, string> = {
  ENAMETOOLONG: 'its name is too long for the file system',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EMLINK: 'too many hardlinks to one file',
  EINVAL: 'the file system refused a value in its header',
  EOVERFLOW: 'the file system refused a value in its header',
  ERANGE: 'the file system refused a value in its header',
  ERR_OUT_OF_RANGE: 'a value in its header is out of range',
  EILSEQ: 'the file system refused its name',
};

/** An error making the member, as one line naming it; other errors as they are. */
export function memberFailure(name: string, err: unknown): unknown {
  if (err instanceof OddMemberError) return err;
  const code = errnoCode(err);
  const reason = code === undefined ? undefined : REASONS[code];
  if (reason === undefined) return err;
  return new OddMemberError(`member "${printablePath(name)}" could not be made: ${reason}`);
}
