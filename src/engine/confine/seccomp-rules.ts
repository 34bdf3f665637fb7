/**
 * A resolved profile (the OCI form) as the rules text the C helper reads
 * (`ovl-helper run --seccomp FILE`, src/engine/helper/seccomp.c). One
 * statement a line, words separated by one space, `#` starts a comment line:
 *
 *   default ACTION            the action for every syscall no rule names
 *   arch NAME                 an architecture the filter also covers
 *                             (libseccomp's names: x86_64, x86, x32, aarch64...)
 *   rule ACTION SYSCALL [argN OP VALUE [VALUE2]]...
 *
 * ACTION: allow | errno N | kill_process | kill_thread | trap | trace N | log
 * OP: eq ne lt le gt ge (VALUE), masked_eq (VALUE is the mask, VALUE2 what
 * the masked argument must equal). N: 0-65535 (errno) or 0-65535 (trace
 * message). VALUEs are unsigned 64-bit numbers, written in hex.
 * All of a rule's comparisons must hold (AND). SYSCALL is libseccomp's
 * name; the helper skips names its libseccomp does not know, as runc does.
 *
 * Docker's SCMP_ACT_KILL is libseccomp's thread kill, so it becomes
 * kill_thread. Where one rule compares the same argument twice, libseccomp
 * refuses the rule; runc then adds one rule per comparison (either may
 * match), and so does this.
 */
import { UserError } from '../errors.js';
import type { DockerSeccompArg, OciSeccomp } from './types.js';

export const RULES_HEADER = '# overlay-tui seccomp rules 1';

const EPERM = 1;

const OPS: Record<string, string> = {
  SCMP_CMP_NE: 'ne',
  SCMP_CMP_LT: 'lt',
  SCMP_CMP_LE: 'le',
  SCMP_CMP_EQ: 'eq',
  SCMP_CMP_GE: 'ge',
  SCMP_CMP_GT: 'gt',
  SCMP_CMP_MASKED_EQ: 'masked_eq',
};

/** Docker's action names as rule words; errno and trace take a number. */
const ACTIONS: Record<string, string> = {
  SCMP_ACT_ALLOW: 'allow',
  SCMP_ACT_ERRNO: 'errno',
  SCMP_ACT_KILL: 'kill_thread',
  SCMP_ACT_KILL_THREAD: 'kill_thread',
  SCMP_ACT_KILL_PROCESS: 'kill_process',
  SCMP_ACT_TRAP: 'trap',
  SCMP_ACT_TRACE: 'trace',
  SCMP_ACT_LOG: 'log',
};

export const KNOWN_ACTIONS = [...Object.keys(ACTIONS), 'SCMP_ACT_NOTIFY'];
export const KNOWN_OPS = Object.keys(OPS);

function actionWords(action: string, ret: number | undefined): string {
  if (action === 'SCMP_ACT_NOTIFY')
    throw new UserError(
      'seccomp: SCMP_ACT_NOTIFY needs a listener, which overlay-tui does not run; use another action',
    );
  const word = ACTIONS[action];
  if (word === undefined) throw new UserError(`seccomp: unknown action ${action}`);
  return word === 'errno' || word === 'trace' ? `${word} ${ret ?? EPERM}` : word;
}

function hex(value: number): string {
  return `0x${value.toString(16)}`;
}

function argWords(arg: DockerSeccompArg): string {
  const op = OPS[arg.op];
  if (op === undefined) throw new UserError(`seccomp: unknown comparison ${arg.op}`);
  const values =
    op === 'masked_eq' ? `${hex(arg.value)} ${hex(arg.valueTwo ?? 0)}` : hex(arg.value);
  return `arg${arg.index} ${op} ${values}`;
}

/** The comparisons of one rule, or one group per comparison when an argument repeats. */
function comparisonGroups(args: readonly DockerSeccompArg[]): DockerSeccompArg[][] {
  const indexes = args.map((a) => a.index);
  const repeats = new Set(indexes).size !== indexes.length;
  return repeats ? args.map((a) => [a]) : [[...args]];
}

/** libseccomp's name for an OCI architecture: SCMP_ARCH_X86_64 -> x86_64. */
export function archWord(arch: string): string {
  return arch.replace(/^SCMP_ARCH_/, '').toLowerCase();
}

export function rulesText(profile: OciSeccomp): string {
  const lines = [
    RULES_HEADER,
    `default ${actionWords(profile.defaultAction, profile.defaultErrnoRet)}`,
  ];
  for (const arch of profile.architectures) lines.push(`arch ${archWord(arch)}`);
  for (const call of profile.syscalls) {
    const action = actionWords(call.action, call.errnoRet);
    for (const group of comparisonGroups(call.args ?? [])) {
      const conditions = group.map((a) => ` ${argWords(a)}`).join('');
      for (const name of call.names) lines.push(`rule ${action} ${name}${conditions}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
