/** `overlay-tui ps`: the containers under the state root. */
import {
  containerPaths,
  listContainerIds,
  readState,
  type ContainerState,
} from '../engine/container/state.js';
import { treeBytes } from '../engine/du.js';
import { isRunning } from '../engine/proc.js';
import { humanBytes } from '../engine/human-bytes.js';
import { ago, table } from './format.js';
import { HELP_OPTION, ROOT_OPTION, parse, stateRootArg } from './args.js';
import { prepare } from './prepare.js';
import { safeLine } from '../overlay/printable-path.js';

export const PS_HELP = `NAME
    overlay-tui ps - list containers

SYNOPSIS
    overlay-tui ps [--root DIR]

DESCRIPTION
    Lists every container under the state root: running ones (their
    overlay-tui process is alive) and stopped ones kept with --keep. A
    container left by a run that died is cleaned up first (see 'clean').

    Columns: NAME, STATUS (running, or stopped with the exit code), IMAGE
    (digest prefix and source file), CREATED, PID (the container's pid 1 as
    the host sees it), UPPER (bytes in its upper directory), COMMAND.

OPTIONS
    --root DIR     state root (default: /var/lib/overlay-tui)
    -h, --help     show this help
`;

function status(s: ContainerState): string {
  if (s.status === 'stopped')
    return s.exitCode !== undefined ? `stopped (${s.exitCode})` : 'stopped';
  return isRunning(s.owner) ? s.status : 'dead';
}

export function psCommand(argv: string[]): number {
  const { values } = parse(
    'ps',
    argv,
    { ...ROOT_OPTION, ...HELP_OPTION },
    { min: 0, max: 0, what: '' },
  );
  if (values.help) {
    process.stdout.write(PS_HELP);
    return 0;
  }
  const store = prepare(['ps', ...argv], stateRootArg(values.root));
  const rows: string[][] = [];
  for (const id of listContainerIds(store)) {
    const paths = containerPaths(store, id);
    const s = readState(paths);
    if (!s) continue;
    const init = s.init ?? undefined;
    rows.push([
      s.id,
      status(s),
      `${s.image.digest.slice(0, 12)} ${safeLine(s.image.source.split('/').pop() ?? '')}`,
      ago(s.createdAt),
      init ? String(init.pid) : '-',
      humanBytes(treeBytes(paths.upper)),
      safeLine(s.command.join(' ')),
    ]);
  }
  process.stdout.write(
    table(['NAME', 'STATUS', 'IMAGE', 'CREATED', 'PID', 'UPPER', 'COMMAND'], rows),
  );
  return 0;
}
