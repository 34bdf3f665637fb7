/**
 * The one line an unreadable or hostile image archive gets: the file, the
 * member, what is wrong with it. Member names are byte strings from the
 * archive, shown escaped.
 */
import { printablePath } from '../../../overlay/printable-path.js';
import { UserError } from '../../errors.js';

/** "image FILE: member "NAME" PROBLEM" (or without a member). */
export function archiveError(file: string, member: string | undefined, problem: string): UserError {
  const where = member === undefined ? '' : ` member "${printablePath(member)}"`;
  return new UserError(`image ${file}:${where} ${problem}`);
}
