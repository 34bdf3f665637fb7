/** `diff`, `watch` and `run --events` through the CLI, on real containers. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../src/overlay/index.js';
import { cli, runIn } from './support/cli.js';
import { CLI } from './support/paths.js';
import { startCli, waitForInit } from './support/spawn-cli.js';
import { imageLower, removeRoot, tempRoot } from './support/state-root.js';

let root: string;

beforeAll(() => {
  root = tempRoot('ovt-diff-');
});

afterAll(() => removeRoot(root));

const SCRIPT = [
  'echo hi >> /etc/passwd',
  'rm /bin/ls',
  'mkdir /x && touch /x/y',
  'chmod 600 /etc/group',
  'rm -r /home && mkdir /home',
  'chmod 700 /usr/sbin && chown 1:1 /usr/sbin',
].join('; ');

describe('diff', () => {
  it('prints docker diff lines with the overlay reason, sorted by path', () => {
    expect(runIn(root, ['sh', '-c', SCRIPT], ['--keep', '--name', 'd']).code).toBe(0);
    try {
      const r = cli(['diff', '--root', root, 'd']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(
        [
          'C /bin   copy-up: directory',
          'D /bin/ls   whiteout',
          'C /etc   copy-up: directory',
          'C /etc/group   copy-up: metadata (mode)',
          'C /etc/passwd   copy-up: data',
          'C /home   opaque (deleted and made again)',
          'C /usr   copy-up: directory',
          'C /usr/sbin   copy-up: directory, metadata (mode, owner)',
          'A /x   new',
          'A /x/y   new',
          '',
        ].join('\n'),
      );
      const json = JSON.parse(cli(['diff', '--root', root, '--json', 'd']).stdout) as {
        path: string;
        letter: string;
        kind: string;
      }[];
      expect(json.find((e) => e.path === '/bin/ls')).toMatchObject({
        letter: 'D',
        kind: 'whiteout',
      });
      expect(json.find((e) => e.path === '/etc/passwd')).toMatchObject({
        letter: 'C',
        kind: 'copied-up',
      });
    } finally {
      expect(cli(['rm', '--root', root, 'd']).code).toBe(0);
    }
  });

  it('writes every line through a pipe, however many there are', () => {
    const make = 'mkdir /m; i=0; while [ $i -lt 3000 ]; do echo x > /m/f$i; i=$((i+1)); done';
    expect(runIn(root, ['sh', '-c', make], ['--keep', '--name', 'many']).code).toBe(0);
    try {
      const r = cli(['diff', '--root', root, 'many']); // stdout is a pipe here
      expect(r.code).toBe(0);
      expect(r.stdout.trim().split('\n')).toHaveLength(3001);
      // diff | head -2: the reader goes after two lines; diff ends quietly.
      for (const json of [[], ['--json']]) {
        const cut = spawnSync(
          'bash',
          [
            '-c',
            'set -o pipefail; "$@" | head -2 >/dev/null',
            'diff',
            process.execPath,
            CLI,
            'diff',
            '--root',
            root,
            ...json,
            'many',
          ],
          { encoding: 'utf8' },
        );
        expect(cut.stderr).toBe('');
        expect(cut.status).toBe(0);
      }
    } finally {
      expect(cli(['rm', '--root', root, 'many']).code).toBe(0);
    }
  });

  it('says so for a container that does not exist', () => {
    const r = cli(['diff', '--root', root, 'nope']);
    expect(r.code).toBe(125);
    expect(r.stderr).toBe(`overlay-tui: no container named "nope" (see 'overlay-tui ps')\n`);
  });

  it('refuses a NAME that is not a container name, even one whose path leads to a container', () => {
    expect(runIn(root, ['true'], ['--keep', '--name', 'a']).code).toBe(0);
    try {
      for (const command of ['diff', 'watch']) {
        const r = cli([command, '--root', root, 'a/../a']);
        expect(r.code).toBe(125);
        expect(r.stdout).toBe('');
        expect(r.stderr).toBe(
          `overlay-tui: "a/../a" is not a container name (a letter or digit, then letters, digits, _ . -; at most 63)\n`,
        );
      }
    } finally {
      expect(cli(['rm', '--root', root, 'a']).code).toBe(0);
    }
  });
});

describe('watch', () => {
  it('prints the live stream of a running container and stops when it stops', async () => {
    const run = startCli([
      'run',
      '--root',
      root,
      '--name',
      'w',
      '--',
      'sh',
      '-c',
      // It ends right after a burst: the removal of a container must not
      // read as changes, nor cut off what came last.
      'while [ ! -e /go ]; do sleep 0.05; done; sleep 0.3; ' + SCRIPT + '; cp -r /bin /last',
    ]);
    await waitForInit(root);
    const watch = spawn(process.execPath, [CLI, 'watch', '--root', root, '--json', 'w'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    watch.stdout.on('data', (d: Buffer) => (out += d.toString()));
    watch.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // watch is up once it reports a file made after its first look (a fixed wait raced under load).
    for (let i = 0; !out.includes('/ready-'); i++) {
      if (i > 100) throw new Error('watch never reported a new file');
      spawnSync('touch', [join(root, `containers/w/merged/ready-${i}`)]);
      await new Promise((r) => setTimeout(r, 100));
    }
    spawnSync('touch', [join(root, 'containers/w/merged/go')]);
    const code = await new Promise<number | null>((r) => watch.on('exit', (c) => r(c)));
    await run.exit;
    expect(code).toBe(0);
    const events = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ChangeEvent);
    const find = (kind: string, path: string) =>
      events.find((e) => e.kind === kind && e.path === path);
    expect(find('create', '/go')).toBeDefined();
    expect(find('copy-up', '/etc/passwd')).toMatchObject({ changed: 'data' });
    expect(find('delete', '/bin/ls')).toMatchObject({ deleted: 'whiteout' });
    expect(find('create', '/x/y')).toBeDefined();
    expect(find('copy-up', '/etc/group')).toMatchObject({ changed: 'metadata' });
    expect(find('opaque', '/home')).toBeDefined();
    expect(find('copy-up', '/usr/sbin')).toMatchObject({ type: 'dir', changed: 'metadata' });
    // Every file of the last burst, and nothing the teardown did.
    const bin = readdirSync(join(imageLower(root), 'bin')).filter((n) => n !== 'ls'); // rm'd first
    expect(bin.filter((n) => !find('create', `/last/${n}`))).toEqual([]);
    expect(events.filter((e) => e.kind === 'delete' && e.deleted !== 'whiteout')).toEqual([]);
    expect(err).toBe('');
    expect(existsSync(join(root, 'containers/w'))).toBe(false);
  });

  it('ends quietly when its reader goes (watch | head -1)', async () => {
    const run = startCli(['run', '--root', root, '--name', 'p', '--', 'sleep', '30']);
    try {
      await waitForInit(root);
      const watch = spawn(process.execPath, [CLI, 'watch', '--root', root, 'p'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      watch.stderr.on('data', (d: Buffer) => (err += d.toString()));
      // As head -1 does: read the first line, then close the pipe.
      watch.stdout.once('data', () => watch.stdout.destroy());
      const exited = new Promise<number | null>((r) => watch.on('exit', (c) => r(c)));
      for (let i = 0; i < 100 && watch.exitCode === null; i++) {
        spawnSync('touch', [join(root, `containers/p/merged/f${i}`)]);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await exited).toBe(0);
      expect(err).toBe('');
    } finally {
      run.child.kill('SIGTERM');
      await run.exit;
    }
  });

  it('refuses a container that is not running', () => {
    expect(runIn(root, ['true'], ['--keep', '--name', 'stopped']).code).toBe(0);
    const r = cli(['watch', '--root', root, 'stopped']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/container "stopped" is not running/);
    expect(existsSync(join(root, 'containers/stopped/watchers'))).toBe(false);
    expect(cli(['rm', '--root', root, 'stopped']).code).toBe(0);
  });
});

describe('run --events', () => {
  it('records the stream as JSON lines', () => {
    const file = join(root, 'events.jsonl');
    expect(runIn(root, ['sh', '-c', SCRIPT], ['--events', file]).code).toBe(0);
    const events = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ChangeEvent);
    expect(
      events.some((e) => e.kind === 'delete' && e.path === '/bin/ls' && e.deleted === 'whiteout'),
    ).toBe(true);
    expect(events.some((e) => e.kind === 'copy-up' && e.path === '/etc/passwd')).toBe(true);
  });

  it('groups events under the command line typed before them (with a terminal)', async () => {
    const file = join(root, 'typed.jsonl');
    const { spawn: spawnPty } = await import('node-pty');
    const pty = spawnPty(
      process.execPath,
      [CLI, 'run', '--root', root, '--events', file, '--', 'sh'],
      {
        cols: 80,
        rows: 24,
        env: { ...process.env, TERM: 'xterm' },
      },
    );
    const exited = new Promise<number>((r) => pty.onExit(({ exitCode }) => r(exitCode)));
    let screen = '';
    pty.onData((d) => (screen += d));
    const until = async (done: () => boolean, what: string): Promise<void> => {
      for (let i = 0; !done(); i++) {
        if (i > 500) throw new Error(`no ${what}; the terminal showed:\n${screen}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const recorded = (path: string) => () =>
      readFileSync(file, 'utf8').includes(`"path":"${path}"`);
    // The recorder is up before the shell starts: the prompt says both are.
    await until(() => screen.includes('/ # '), 'prompt');
    // Typed as a person types: each line once the last one's change is on
    // record (fixed pauses raced under load).
    for (const [line, path] of [
      ['echo hi >> /etc/passwd', '/etc/passwd'],
      ['rm /bin/ls', '/bin/ls'],
    ] as const) {
      pty.write(`${line}\r`);
      await until(recorded(path), `event for ${path}`);
    }
    pty.write('exit\r');
    expect(await exited).toBe(0);
    const events = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ChangeEvent);
    expect(events.find((e) => e.path === '/etc/passwd')?.command).toBe('echo hi >> /etc/passwd');
    expect(events.find((e) => e.path === '/bin/ls')?.command).toBe('rm /bin/ls');
  });
});
