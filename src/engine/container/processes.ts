/**
 * What still runs in a container besides its shell, so that quitting can
 * ask first: the processes in the pid namespace of the container's pid 1
 * (recorded by the helper in init.pid), less pid 1 itself.
 */
import { countInPidNamespace, isRunning, pidNamespace } from '../proc.js';
import { readInitPid, type ContainerPaths } from './state.js';

export function otherProcesses(paths: ContainerPaths): number {
  const init = readInitPid(paths);
  if (!init || !isRunning(init)) return 0;
  const ns = pidNamespace(init.pid);
  // Our own namespace would count every process on the machine: not a container's.
  if (ns === undefined || ns === pidNamespace('self')) return 0;
  return Math.max(0, countInPidNamespace(ns) - 1);
}
