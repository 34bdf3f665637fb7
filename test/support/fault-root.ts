/**
 * For the fault suite: a state root on a tmpfs of its own (fast for deep
 * trees, and small enough to fill), and the check every fault ends with:
 * no mount, no process of a container, no container directory and no
 * interrupted extraction left.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { mountsAtOrUnder } from '../../src/engine/mountinfo.js';
import { isRunning, type ProcessRef } from '../../src/engine/proc.js';
import { CLI } from './paths.js';

export interface TmpfsRoot {
  root: string;
  /** Cleans what a failed test left (with `clean`), unmounts and removes the root. */
  dispose(): void;
}

export function tmpfsRoot(prefix: string, sizeMb: number): TmpfsRoot {
  const root = mkdtempSync(`/tmp/${prefix}`);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0700`, 'tmpfs', root]);
  if (r.status !== 0) throw new Error(`mount tmpfs on ${root}: ${String(r.stderr)}`);
  return {
    root,
    dispose() {
      if (mountsBelow(root).length > 0) {
        spawnSync(process.execPath, [CLI, 'clean', '--root', root], { stdio: 'ignore' });
      }
      // Whatever is still mounted below keeps the tmpfs busy: a leak the
      // test has reported already; lazily detached here so the machine
      // is not left with it.
      for (const m of mountsBelow(root)) spawnSync('umount', ['-l', m]);
      spawnSync('umount', [root]);
      if (mountsAtOrUnder(root).length === 0) rmdirSync(root);
    },
  };
}

/** Mounts under root, the root's own tmpfs aside. */
export function mountsBelow(root: string): string[] {
  return mountsAtOrUnder(root)
    .map((m) => m.mountPoint)
    .filter((m) => m !== root);
}

/** The container pid 1 recorded under root ("PID START"), for each container there. */
export function recordedInits(root: string): ProcessRef[] {
  const dir = join(root, 'containers');
  const out: ProcessRef[] = [];
  for (const id of existsSync(dir) ? readdirSync(dir) : []) {
    let text = '';
    try {
      text = readFileSync(join(dir, id, 'init.pid'), 'utf8');
    } catch {
      continue; // not started (yet), or gone
    }
    const [pid, start] = text.trim().split(' ').map(Number);
    if (pid && start !== undefined && Number.isFinite(start)) out.push({ pid, start });
  }
  return out;
}

/**
 * Nothing of any container left under root: no mount, none of the given
 * pid 1s running (by pid and start time, never by name), no container
 * directory (but those in `kept`), no interrupted extraction.
 */
export function expectNothingLeft(root: string, inits: ProcessRef[], kept: string[] = []): void {
  expect(mountsBelow(root)).toEqual([]);
  for (const init of inits) expect(isRunning(init), `pid ${init.pid} still runs`).toBe(false);
  const containers = join(root, 'containers');
  const left = existsSync(containers) ? readdirSync(containers) : [];
  expect(left.filter((id) => !kept.includes(id))).toEqual([]);
  for (const where of ['layers', 'images']) {
    const dir = join(root, where);
    const tmp = existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('.tmp')) : [];
    expect(tmp).toEqual([]);
  }
}

/** True if text holds a Node stack trace ("    at f (file:...)"). */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+[:(]/m.test(text);
}
