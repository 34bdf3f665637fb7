/**
 * A running container is frozen while its upper is read, so that the layer
 * is one moment of it (a file half written, a directory half renamed would
 * otherwise go into the tar), and thawed afterwards whatever happened. The
 * cgroup freezer does it without the processes noticing: cgroup.freeze on
 * cgroup v2 (also on a hybrid machine's unified hierarchy, where it needs
 * no controller), freezer.state on v1. A container already frozen by
 * someone else is left frozen.
 */
import { UserError } from '../errors.js';
import { detectLayout } from '../cgroup/layout.js';
import { checkRecorded, type ContainerCgroup } from '../cgroup/record.js';
import {
  readCgroupFile,
  readKeyValues,
  tryWriteCgroupFile,
  writeCgroupFile,
} from '../cgroup/files.js';
import { sleepSync } from '../proc.js';
import { SignalGuard } from '../signal-guard.js';

const FREEZE_TIMEOUT_MS = 10_000;

interface Freezer {
  what: string;
  isFrozen(): boolean;
  freeze(): void;
  thaw(): void;
}

function v2Freezer(dir: string): Freezer | undefined {
  if (readCgroupFile(dir, 'cgroup.freeze') === undefined) return undefined;
  return {
    what: `${dir}/cgroup.freeze`,
    isFrozen: () => readKeyValues(dir, 'cgroup.events').get('frozen') === 1,
    freeze: () => writeCgroupFile(dir, 'cgroup.freeze', '1'),
    thaw: () => void tryWriteCgroupFile(dir, 'cgroup.freeze', '0'),
  };
}

function v1Freezer(dir: string): Freezer | undefined {
  if (readCgroupFile(dir, 'freezer.state') === undefined) return undefined;
  return {
    what: `${dir}/freezer.state`,
    isFrozen: () => readCgroupFile(dir, 'freezer.state')?.trim() === 'FROZEN',
    freeze: () => writeCgroupFile(dir, 'freezer.state', 'FROZEN'),
    thaw: () => void tryWriteCgroupFile(dir, 'freezer.state', 'THAWED'),
  };
}

function freezerOf(cg: ContainerCgroup, id: string): Freezer | undefined {
  const layout = detectLayout();
  const mounts = [
    ...(layout.v2 ? [layout.v2.mount] : []),
    ...Object.values(layout.v1).map((h) => h.mount),
  ];
  checkRecorded(cg, id, mounts); // never freeze a cgroup the record only claims is ours
  return (
    (cg.v2 ? v2Freezer(cg.v2) : undefined) ?? (cg.v1.freezer ? v1Freezer(cg.v1.freezer) : undefined)
  );
}

/** Whether container `id`'s cgroup reads as frozen now (for tests and `ps`-like callers). */
export function isCgroupFrozen(cg: ContainerCgroup, id: string): boolean {
  return freezerOf(cg, id)?.isFrozen() ?? false;
}

/**
 * Runs fn with container `id`'s processes frozen, and thaws them after
 * (unless they were frozen before). No cgroup to freeze: one line, and
 * nothing is read.
 */
export async function whileFrozen<T>(
  cg: ContainerCgroup | undefined,
  id: string,
  fn: () => T | Promise<T>,
): Promise<T> {
  const freezer = cg && freezerOf(cg, id);
  if (!freezer) {
    throw new UserError(
      `container ${id} is running and has no cgroup freezer to pause it with: stop it (keeping its upper with --keep) and commit it then`,
    );
  }
  const wasFrozen = freezer.isFrozen();
  // Ctrl-C (or SIGTERM, SIGHUP) must not leave the container frozen for
  // good: Node's default is to die at once, past every finally. With a
  // handler the signal waits for the read to end, the thaw runs, and the
  // commit then stops with 128+N. (SIGKILL cannot be caught: after one,
  // thaw with "echo 0 > DIR/cgroup.freeze".)
  const guard = new SignalGuard();
  let result: T;
  try {
    if (!wasFrozen) {
      freezer.freeze();
      for (let waited = 0; !freezer.isFrozen(); waited += 10) {
        if (waited >= FREEZE_TIMEOUT_MS) {
          throw new UserError(
            `container ${id} did not freeze within ${FREEZE_TIMEOUT_MS / 1000} s (${freezer.what}); nothing was written, try again`,
          );
        }
        sleepSync(10);
      }
    }
    result = await fn();
    // A signal that came during the synchronous read reaches its handler
    // only after the event loop has polled: measured, one setImmediate is
    // not enough, two are. Let it come before the guard goes.
    for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 5));
  } finally {
    if (!wasFrozen) freezer.thaw();
    guard.dispose();
  }
  const sig = guard.receivedSignal;
  if (sig) {
    throw new UserError(
      `stopped on ${sig}; container ${id} was thawed and nothing was written`,
      guard.exitCode,
    );
  }
  return result;
}
