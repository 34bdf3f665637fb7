/** `overlay-tui rm`: remove stopped (kept) containers. */
import { UserError } from '../engine/errors.js';
import { containerPaths, readState } from '../engine/container/state.js';
import { teardownContainer } from '../engine/container/teardown.js';
import { lstatOrNone } from '../engine/no-follow.js';
import { isRunning } from '../engine/proc.js';
import { HELP_OPTION, ROOT_OPTION, parse, stateRootArg } from './args.js';
import { prepare } from './prepare.js';

export const RM_HELP = `NAME
    overlay-tui rm - remove stopped containers

SYNOPSIS
    overlay-tui rm [--root DIR] NAME...

DESCRIPTION
    Removes each named container's upper directory and record. A running
    container is refused: leave its shell (or stop its overlay-tui) first,
    and it is removed by itself unless it was started with --keep.

OPTIONS
    --root DIR     state root (default: /var/lib/overlay-tui)
    -h, --help     show this help

EXIT STATUS
    0 if every container was removed, 125 otherwise (one line per failure).
`;

export function rmCommand(argv: string[]): number {
  const { values, positionals } = parse(
    'rm',
    argv,
    { ...ROOT_OPTION, ...HELP_OPTION },
    { min: 1, max: Infinity, what: 'NAME' },
  );
  if (values.help) {
    process.stdout.write(RM_HELP);
    return 0;
  }
  const store = prepare(['rm', ...argv], stateRootArg(values.root));
  let failed = 0;
  for (const name of positionals) {
    try {
      const paths = containerPaths(store, name);
      const state = readState(paths);
      if (!state && !lstatOrNone(paths.dir))
        throw new UserError(`no container named "${name}" (see 'overlay-tui ps')`);
      if (state && state.status !== 'stopped' && isRunning(state.owner)) {
        throw new UserError(
          `container "${name}" is running (overlay-tui pid ${state.owner.pid}): exit its shell first`,
        );
      }
      teardownContainer(paths, state, { keep: false });
      process.stdout.write(`${name}\n`);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      process.stderr.write(`${err.program}: ${err.message}\n`);
      failed++;
    }
  }
  return failed ? 125 : 0;
}
