/**
 * The full-screen app shows names a container makes escaped, in the upper
 * tree and in the feed: an ESC does not drive the operator's terminal, a
 * newline does not break a row, bytes that are not UTF-8 show as \xNN, and
 * valid UTF-8 (é) shows as itself.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIn } from './support/cli.js';
import { startApp } from './support/app-driver.js';
import { mountsUnder, removeRoot, tempRoot } from './support/state-root.js';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

let root: string;

beforeAll(() => {
  root = tempRoot('ovt-names-app-');
  expect(runIn(root, ['true']).code).toBe(0); // the image, imported once
});

afterAll(() => removeRoot(root));

describe('odd names in the app', () => {
  it('shows them escaped in the upper tree and the feed', async () => {
    const app = await startApp(['--root', root]);
    try {
      await app.waitFor(/\/ # /, 10_000);
      app.type(`touch "$(printf '/e\\033[31mX\\nY')"\r`);
      await app.waitFor(/new\s+\/e\\x1b\[31mX\\nY/, 2000);
      await app.waitForPane('upper', /\+ e\\x1b\[31mX\\nY/, 2000);
      app.type(`touch "$(printf '/f\\377')" "$(printf '/caf\\303\\251')"\r`);
      await app.waitFor(/new\s+\/f\\xff/, 2000);
      await app.waitFor(/new\s+\/caf\u00e9/, 2000);
      await app.waitForPane('upper', /\+ f\\xff/, 2000);
      await app.waitForPane('upper', /\+ caf\u00e9 /, 2000);
      // Nothing the name held reached the terminal as a control: no red text.
      const red = app.screen
        .snapshot()
        .lines.flat()
        .filter((run) => run.fg === 'red' && run.text.includes('X'));
      expect(red).toEqual([]);
      app.type('exit\r');
      expect(await app.exited).toBe(0);
    } finally {
      app.pty.kill();
      await Promise.race([app.exited, pause(5000)]);
    }
    expect(mountsUnder(root)).toEqual([]);
    expect(readdirSync(join(root, 'containers'))).toEqual([]);
  }, 30_000);
});
