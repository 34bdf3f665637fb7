/**
 * The app's actions as a person uses them, in a real pty: the inspector on
 * a copied-up file, keep upper on exit, restart with a fresh upper, and
 * quit asking first while the shell still runs something.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, runIn } from './support/cli.js';
import { startApp, type AppSession } from './support/app-driver.js';
import { mountsUnder, removeRoot, tempRoot } from './support/state-root.js';

const PREFIX = '\x02'; // C-b
const PROMPT = /\/ # /;
let root: string;

beforeAll(() => {
  root = tempRoot('ovt-act-');
  expect(runIn(root, ['true']).code).toBe(0); // the image, extracted once
});

afterAll(() => removeRoot(root));

const containers = () => readdirSync(join(root, 'containers'));
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Types keys one at a time: each may change the rows the next one moves over. */
async function keys(app: AppSession, ...list: string[]): Promise<void> {
  for (const k of list) {
    app.type(k);
    await pause(150);
  }
}

/** The app's exit code, or a failure that shows the screen if it does not exit in time. */
async function exitCode(app: AppSession, ms = 8000): Promise<number> {
  const late = pause(ms).then(() => {
    throw new Error(`the app did not exit within ${ms} ms:\n${app.text()}`);
  });
  return Promise.race([app.exited, late]);
}

/** After a failure: SIGHUP, as a closed terminal sends, and time for the app's teardown. */
async function stop(app: AppSession): Promise<void> {
  app.pty.kill();
  await Promise.race([app.exited, pause(5000)]);
}

async function started(args: string[] = []): Promise<AppSession> {
  const app = await startApp(['--root', root, ...args]);
  await app.waitFor(PROMPT, 10_000);
  return app;
}

/** The app with args, at its prompt, through body; stopped whatever happens, and nothing left mounted. */
async function inApp(args: string[], body: (app: AppSession) => Promise<void>): Promise<void> {
  const app = await started(args);
  try {
    await body(app);
  } finally {
    await stop(app);
  }
  expect(mountsUnder(root)).toEqual([]);
}

describe('overlay-tui actions', () => {
  it('inspects a copied-up file: the diff line and why it is in upper', async () => {
    await inApp([], async (app) => {
      app.type('echo hi >> /etc/passwd\r');
      await app.waitFor(/copy-up\s+\/etc\/passwd/, 2000);
      // Upper pane, then down to etc, open it, down to passwd, inspect.
      await keys(app, `${PREFIX}3`, 'j', 'l', 'j');
      await app.waitFor(/upper\s+2\/2/, 2000);
      app.type('i');
      await app.waitFor(/inspect \/etc\/passwd/, 2000);
      const screen = await app.waitFor(/^\s*\+hi\s*$/m, 2000).then(() => app.text());
      expect(screen).toMatch(/Copied up when it was opened for writing: lower still holds the/);
      expect(screen).toMatch(/diff lower → upper\s+\+1 −0/);
      expect(screen).toMatch(/mode\s+-rw-r--r-- 0644\s+-rw-r--r-- 0644/);
      // i again: the feed is back.
      app.type('i');
      await app.waitFor(/changes \(\d+\)/, 2000);
      await keys(app, `${PREFIX}1`);
      app.type('exit\r');
      expect(await exitCode(app)).toBe(0);
    });
    expect(containers()).toEqual([]);
  }, 30_000);

  it('keeps upper on exit after C-b k: ps lists it stopped, rm removes it', async () => {
    await inApp(['--name', 'kept'], async (app) => {
      app.type(`${PREFIX}k`);
      await app.waitFor(/upper will be kept on exit/, 2000);
      app.type('touch /made-here\r');
      await app.waitFor(/new\s+\/made-here/, 2000);
      app.type('exit\r');
      expect(await exitCode(app)).toBe(0);
    });
    expect(existsSync(join(root, 'containers/kept/upper/made-here'))).toBe(true);
    const ps = cli(['ps', '--root', root]);
    expect(ps.stdout).toMatch(/^kept\s+stopped \(0\)/m);
    expect(cli(['rm', '--root', root, 'kept']).code).toBe(0);
    expect(containers()).toEqual([]);
  }, 30_000);

  it('restarts with a fresh upper: the feed and upper pane empty, earlier files gone', async () => {
    await inApp(['--name', 'again'], async (app) => {
      app.type('touch /before\r');
      await app.waitFor(/new\s+\/before/, 2000);
      expect(existsSync(join(root, 'containers/again/upper/before'))).toBe(true);
      app.type(`${PREFIX}R`);
      await app.waitFor(/restarted: container again, with a fresh upper/, 10_000);
      await app.waitFor(PROMPT, 5000);
      const screen = app.text();
      expect(screen).toMatch(/changes \(0\)/);
      expect(screen).toMatch(/type in the shell: copy-ups/);
      expect(screen).toMatch(/upper\s+0\/0/);
      expect(screen).toMatch(/\(empty\)/);
      expect(screen).not.toMatch(/\/before/);
      expect(existsSync(join(root, 'containers/again/upper/before'))).toBe(false);
      // The new shell is attached: typing reaches it, and its changes reach the feed.
      app.type('ls /before || echo gone-$((40+2))\r');
      await app.waitFor(/gone-42/, 3000);
      app.type('touch /after\r');
      await app.waitFor(/new\s+\/after/, 2000);
      app.type('exit 3\r');
      expect(await exitCode(app)).toBe(3);
    });
    expect(containers()).toEqual([]);
  }, 40_000);

  it('restarting with keep on keeps the old upper and names the new container anew', async () => {
    let second = '';
    await inApp(['--name', 'first'], async (app) => {
      app.type(`${PREFIX}k`);
      await app.waitFor(/upper will be kept on exit/, 2000);
      app.type('touch /one\r');
      await app.waitFor(/new\s+\/one/, 2000);
      app.type(`${PREFIX}R`);
      second =
        (await app.waitFor(/restarted: container (\w+)/, 10_000).then(() => app.text())).match(
          /restarted: container (\w+)/,
        )?.[1] ?? '';
      expect(second).toMatch(/^[0-9a-f]{12}$/);
      await app.waitFor(PROMPT, 5000);
      app.type('exit\r');
      expect(await exitCode(app)).toBe(0);
    });
    expect(existsSync(join(root, 'containers/first/upper/one'))).toBe(true);
    expect(containers().sort()).toEqual([second, 'first'].sort());
    expect(cli(['rm', '--root', root, 'first', second]).code).toBe(0);
    expect(containers()).toEqual([]);
  }, 40_000);

  it('asks before quitting while the shell runs something; a second q quits', async () => {
    await inApp([], async (app) => {
      app.type('sleep 100 & echo started-$((6*7))\r');
      await app.waitFor(/started-42/, 3000);
      app.type(`${PREFIX}q`);
      await app.waitFor(/the shell still runs 1 process: press q again to quit/, 3000);
      app.type('q');
      expect(await exitCode(app)).toBe(0);
    });
    expect(containers()).toEqual([]);
  }, 30_000);

  it('quits at once when the shell runs nothing else, and another key cancels the question', async () => {
    await inApp([], async (app) => {
      app.type('sleep 100 & echo started-$((6*7))\r');
      await app.waitFor(/started-42/, 3000);
      app.type(`${PREFIX}q`);
      await app.waitFor(/press q again to quit/, 3000);
      // Any other key: the question goes, and the keys reach the shell.
      app.type('kill $!; echo killed-$((6*7))\r');
      await app.waitFor(/killed-42/, 3000);
      expect(app.text()).not.toMatch(/press q again/);
      await pause(300); // sleep is a zombie now (ash has not waited for it): not counted
      app.type(`${PREFIX}q`);
      expect(await exitCode(app)).toBe(0);
    });
    expect(containers()).toEqual([]);
  }, 30_000);

  it('takes another prefix with --prefix: its keys, its help and legend; C-b goes to the shell', async () => {
    await inApp(['--prefix', 'C-a'], async (app) => {
      await app.waitFor(/C-a \? help · C-a q quit · C-a o focus/, 3000);
      expect(app.text()).not.toMatch(/C-b o focus/);
      // C-b is ash's "cursor left" now: X lands between a and b.
      app.type('echo a-b\x02X\r');
      await app.waitFor(/^a-Xb/m, 3000);
      app.type('\x01?');
      await app.waitFor(/C-a q, q/, 3000);
      app.type('x'); // closes the help
      app.type('\x01q');
      expect(await exitCode(app)).toBe(0);
    });
    expect(containers()).toEqual([]);
  }, 30_000);

  it('refuses a prefix key the shell needs, in one line, before the screen changes', () => {
    const r = cli(['--root', root, '--prefix', 'C-i']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `overlay-tui: --prefix: "C-i" is the Tab key, which the shell needs: use e.g. C-b or C-a (see 'overlay-tui --help')\n`,
    );
    expect(containers()).toEqual([]);
  });

  it('searches the whole image, not only what was expanded', async () => {
    await inApp([], async (app) => {
      // Nothing below the top level is open: /etc/hostname is not loaded yet.
      app.type(`${PREFIX}2`);
      await keys(app, '/', ...'hostname', '\r');
      await app.waitForPane('lower', /hostname/, 3000);
      expect(app.text()).toMatch(/search: hostname/);
      expect(app.text()).not.toMatch(/reading the whole image/);
      app.type(`${PREFIX}q`);
      expect(await exitCode(app)).toBe(0);
    });
  }, 30_000);

  it('ignores pane keys while the terminal is too small to draw them', async () => {
    await inApp([], async (app) => {
      const id = /shell \((\w+)\)/.exec(app.text())?.[1];
      app.type(`${PREFIX}3`); // the upper pane
      await pause(200);
      app.resize(70, 20);
      await app.waitFor(/The terminal is 70x20: overlay-tui needs at least 80x24/, 3000);
      // Typed blind: changes only, the inspector, restart (twice).
      await keys(app, 'c', 'i', 'R', `${PREFIX}R`);
      app.resize(200, 50);
      await app.waitFor(/C-b o focus/, 3000);
      await pause(500);
      expect(/shell \((\w+)\)/.exec(app.text())?.[1]).toBe(id); // not restarted
      expect(app.text()).toMatch(/ changes \(0\)/); // the feed, not the inspector
      expect(app.pane('lower')).toMatch(/bin/); // not changes only
      app.type(`${PREFIX}q`);
      expect(await exitCode(app)).toBe(0);
    });
  }, 30_000);
});
