/** A NAME argument: the container it names, with a clear error if there is none. */
import { UserError } from '../engine/errors.js';
import {
  containerPaths,
  readState,
  type ContainerPaths,
  type ContainerState,
} from '../engine/container/state.js';
import { isRealDir } from '../engine/no-follow.js';
import { isRunning } from '../engine/proc.js';
import type { StateRoot } from '../engine/state-root.js';

export interface NamedContainer {
  paths: ContainerPaths;
  state: ContainerState;
  running: boolean;
}

export function namedContainer(store: StateRoot, name: string): NamedContainer {
  const paths = containerPaths(store, name);
  const state = readState(paths);
  if (!state || !isRealDir(paths.upper)) {
    throw new UserError(`no container named "${name}" (see 'overlay-tui ps')`);
  }
  return { paths, state, running: state.status === 'running' && isRunning(state.owner) };
}
