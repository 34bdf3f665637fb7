/**
 * The full-screen app with --runtime runc: its shell runs under runc on the
 * app's pty (config terminal:true), the status bar shows runc's pid 1, the
 * feed sees the shell's changes, a restart makes a fresh container under
 * runc too, and the shell's exit code is the app's, with nothing left.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIn } from './support/cli.js';
import { startApp } from './support/app-driver.js';
import { capMask, DOCKER_CAPS } from './support/confine-profile.js';
import { leftovers, NOTHING_LEFT } from './support/runtime-leftovers.js';
import { removeRoot, tempRoot } from './support/state-root.js';

const PREFIX = '\x02'; // C-b
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

let root: string;

beforeAll(() => {
  root = tempRoot('ovt-app-runc-');
  expect(runIn(root, ['true']).code).toBe(0);
});

afterAll(() => removeRoot(root));

/** The status bar's pid: pid 1 in the container's own pid namespace. */
function expectPid1(text: string): number {
  const pid = Number(/· {2}pid (\d+) {2}·/.exec(text)?.[1]);
  const nspid = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^NSpid:\s+(.*)$/m)?.[1];
  expect(nspid?.split(/\s+/).at(-1)).toBe('1');
  return pid;
}

describe('overlay-tui --runtime runc (the app)', () => {
  it('runs its shell under runc, restarts under runc, and ends with nothing left', async () => {
    const app = await startApp(['--root', root, '--runtime', 'runc', '--name', 'apprunc']);
    try {
      await app.waitFor(/\/ # /, 10_000);
      expect(leftovers(root).runtimeState).toEqual(['apprunc']);
      expectPid1(app.text());
      app.type('grep CapBnd /proc/self/status\r');
      await app.waitFor(new RegExp(`CapBnd:\\s+${capMask(DOCKER_CAPS)}`), 2000);
      app.type('echo hi >> /etc/passwd\r');
      await app.waitFor(/copy-up\s+\/etc\/passwd/, 2000);
      // C-b R: a fresh container, again under runc.
      app.type(`${PREFIX}R`);
      await app.waitFor(/changes \(0\)/, 10_000); // the fresh upper's empty feed
      await app.waitFor(/\/ # /, 5000);
      app.type('echo again-$((40+2))\r');
      await app.waitFor(/again-42/, 3000);
      // runc keeps a state entry only while it runs the container: the new shell is its.
      expect(leftovers(root).runtimeState).toEqual(['apprunc']);
      app.type('exit 6\r');
      expect(await app.exited).toBe(6);
    } finally {
      app.pty.kill();
      await Promise.race([app.exited, pause(5000)]);
    }
    expect(leftovers(root)).toEqual(NOTHING_LEFT);
  }, 30_000);
});
