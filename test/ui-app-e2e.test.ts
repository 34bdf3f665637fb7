/**
 * The whole app, as a person uses it: started in a pty, the screen read by
 * a terminal emulator, commands typed into the container's shell.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, runIn } from './support/cli.js';
import { writeTar } from './support/tarballs.js';
import { startApp } from './support/app-driver.js';

const PREFIX = '\x02'; // C-b
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
import { imageLower, mountsUnder, removeRoot, tempRoot } from './support/state-root.js';
import { snapshotTree } from './support/tree-snapshot.js';

let root: string;
let lower: string;

beforeAll(() => {
  root = tempRoot('ovt-app-');
  expect(runIn(root, ['true']).code).toBe(0);
  lower = imageLower(root);
});

afterAll(() => removeRoot(root));

describe('overlay-tui, the full-screen app', () => {
  it('shows copy-up, whiteout and new files within a second each, and cleans up on exit', async () => {
    const before = snapshotTree(lower);
    const app = await startApp(['--root', root]);
    try {
      await app.waitFor(/\/ # /, 10_000); // the shell's prompt
      // The status bar: the shell's host pid (pid 1 in its namespace) and the mount's options.
      const pid = /· {2}pid (\d+) {2}·/.exec(app.text())?.[1];
      const nspid = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^NSpid:\s+(.*)$/m)?.[1];
      expect(nspid?.split(/\s+/).at(-1)).toBe('1');
      expect(app.text()).toMatch(/overlay index=off/);
      // Open /etc and /bin in the lower pane (the three panes share what is
      // open), so that the upper pane shows what lands in them; back to the shell.
      for (const key of [`${PREFIX}2`, 'j', 'j', 'j', 'l', 'k', 'k', 'l', `${PREFIX}1`]) {
        app.type(key);
        await pause(100);
      }
      // (/etc's rows are below /bin's 80 now: off the pane.)
      await app.waitForPane('lower', /1\/\d+ [^]*▾ . bin/, 2000);
      // Each within a second: in the feed, and marked in the upper pane.
      app.type('echo hi >> /etc/passwd\r');
      await app.waitFor(/copy-up\s+\/etc\/passwd/, 1000);
      await app.waitForPane('upper', /\^ passwd/, 1000);
      app.type('rm /bin/ls\r');
      await app.waitFor(/whiteout\s+\/bin\/ls/, 1000);
      await app.waitForPane('upper', /✗ ls/, 1000);
      app.type('mkdir /x && touch /x/y\r');
      await app.waitFor(/new\s+\/x\/y/, 1000);
      await app.waitForPane('upper', /\+ x/, 1000);
      // In colour, under CI=0 too: the new directory is green.
      const row = app.screen
        .snapshot()
        .lines.find((runs) => /\+ x\b/.test(runs.map((r) => r.text).join('')));
      expect(row?.some((r) => /^\+ x\b/.test(r.text) && r.fg === 'green')).toBe(true);
      // Open /x in the upper pane: its last row.
      for (const key of [`${PREFIX}3`, 'End', 'l', `${PREFIX}1`]) {
        app.type(key === 'End' ? '\x1b[F' : key);
        await pause(100);
      }
      await app.waitForPane('upper', /\+ y/, 1000);
      expect(app.text()).toMatch(/\$ echo hi >> \/etc\/passwd/); // grouped under the command
      app.type('exit\r');
      expect(await app.exited).toBe(0);
    } finally {
      // After a failure: SIGHUP, as a closed terminal sends, and time for the teardown.
      app.pty.kill();
      await Promise.race([app.exited, pause(5000)]);
    }
    expect(mountsUnder(root)).toEqual([]);
    expect(readdirSync(join(root, 'containers'))).toEqual([]);
    expect(snapshotTree(lower)).toEqual(before);
  }, 30_000);

  it("exits with the shell's exit code", async () => {
    const app = await startApp(['--root', root]);
    await app.waitFor(/\/ # /, 10_000);
    app.type('exit 7\r');
    expect(await app.exited).toBe(7);
    expect(readdirSync(join(root, 'containers'))).toEqual([]);
  }, 30_000);

  it('says why when the shell cannot start (an image without /bin/sh), leaving nothing behind', async () => {
    const image = await writeTar(join(root, 'no-shell.tar'), [
      { name: 'etc/', type: 'directory' },
      { name: 'etc/hostname', content: 'x\n' },
    ]);
    const app = await startApp(['--root', root, '--image', image]);
    expect(await app.exited).toBe(127);
    await app.waitFor(/overlay-tui: the container's shell exited with 127: .*\/bin\/sh/, 2000);
    expect(mountsUnder(root)).toEqual([]);
    expect(readdirSync(join(root, 'containers'))).toEqual([]);
  }, 30_000);

  it('says in one line when the memory limit killed the shell, leaving nothing behind', async () => {
    const app = await startApp(['--root', root, '--memory', '16m']);
    await app.waitFor(/\/ # /, 10_000);
    // The shell itself grows past the limit, so the kernel kills it.
    app.type('x=$(head -c 100000000 /dev/zero | tr "\\0" a)\r');
    expect(await app.exited).toBe(137);
    await app.waitFor(/overlay-tui: container \S+: out of memory/, 2000);
    expect(mountsUnder(root)).toEqual([]);
    expect(readdirSync(join(root, 'containers'))).toEqual([]);
  }, 30_000);

  it('without a terminal, says to use run instead', () => {
    const r = cli(['--root', root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "overlay-tui: overlay-tui's screen needs a terminal: for scripts and pipes use 'overlay-tui run -- CMD'\n",
    );
  });

  it('refuses a terminal that is too small, with one line, leaving nothing behind', async () => {
    const app = await startApp(['--root', root], 60, 20);
    expect(await app.exited).toBe(2);
    // The emulator parses what arrived a moment later than the exit is seen.
    await app.waitFor(/the terminal is 60x20, overlay-tui needs/, 2000);
    const joined = app
      .text()
      .split('\n')
      .map((l) => l.trimEnd())
      .join('');
    expect(joined).toMatch(/the terminal is 60x20, overlay-tui needs at least 80x24/);
    expect(readdirSync(join(root, 'containers'))).toEqual([]);
  });
});
