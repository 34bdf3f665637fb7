/**
 * The container's pid 1 as the engine records it: "PID STARTTIME" in
 * containers/<id>/init.pid, as ovl-helper writes it, so that teardown and
 * recovery work the same for both ways of starting a container. The
 * runtime writes the pid alone (--pid-file); this adds the start time.
 */
import { readFileSync, renameSync, watch, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { processRef, type ProcessRef } from '../proc.js';
import type { BundlePaths } from './runtime-record.js';

/** Atomic, as the helper's write_pid_file: a reader never sees half a line. */
export function writeProcessRef(file: string, ref: ProcessRef): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${ref.pid} ${ref.start}\n`);
  renameSync(tmp, file);
}

export function readPidAlone(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Waits for the runtime's pid file (an inotify watch on the bundle, no
 * polling) and writes initPidFile from it. Resolves true once written;
 * false if the run ended first, or pid 1 was already gone.
 */
export function recordInitPid(
  bundle: BundlePaths,
  initPidFile: string,
  ended: Promise<unknown>,
): Promise<boolean> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (ok: boolean): void => {
      if (done) return;
      done = true;
      watcher.close();
      resolve(ok);
    };
    const attempt = (): void => {
      if (done) return;
      const pid = readPidAlone(bundle.runtimePidFile);
      if (pid === undefined) return; // not there yet
      const ref = processRef(pid);
      if (ref) writeProcessRef(initPidFile, ref);
      finish(ref !== undefined);
    };
    const name = basename(bundle.runtimePidFile);
    const watcher = watch(bundle.dir, (_event, file) => {
      if (file === null || file === name) attempt();
    });
    attempt();
    void ended.then(() => {
      attempt();
      finish(false);
    });
  });
}
