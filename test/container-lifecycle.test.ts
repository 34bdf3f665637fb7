/**
 * Containers over their whole life: --keep, ps, rm, names, signals,
 * kill -9 and recovery, and a busy mount that must stop deletion.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, runIn } from './support/cli.js';
import { mountsUnder, removeRoot, tempRoot } from './support/state-root.js';
import { processExists, startCli, waitForInit, waitForPath } from './support/spawn-cli.js';

let root: string;

beforeEach(() => {
  root = tempRoot('ovt-life-');
});

afterEach(() => {
  removeRoot(root);
});

/** The lines under a man-page section heading ('OPTIONS' also finds 'OPTIONS (...)'). */
function section(help: string, heading: string): string {
  return help.split(/\n(?=[A-Z])/).find((s) => s.startsWith(heading)) ?? '';
}

/** Every option OPTIONS describes (but --help) is in the SYNOPSIS too. */
function expectSynopsisHasEveryOption(help: string): void {
  const synopsis = section(help, 'SYNOPSIS');
  const options = [...section(help, 'OPTIONS').matchAll(/^ {4}(?:-\w, )?(--[a-z-]+)/gm)]
    .map((m) => m[1] as string)
    .filter((o) => o !== '--help');
  expect(options.length).toBeGreaterThan(0);
  for (const o of options) expect(synopsis, o).toContain(`[${o}`);
}

function containers(): string[] {
  return readdirSync(join(root, 'containers'));
}

/** Every command the CLI has (each takes --root, --help and refuses an unknown option). */
const COMMANDS = [
  'run',
  'ps',
  'images',
  'rm',
  'clean',
  'diff',
  'watch',
  'load',
  'layers',
  'commit',
];

describe('--keep, ps and rm', () => {
  it('keeps upper, lists the container as stopped, and rm removes it', () => {
    const r = runIn(root, ['sh', '-c', 'echo kept > /kept; exit 3'], ['--keep', '--name', 'demo']);
    expect(r.code).toBe(3);
    expect(existsSync(join(root, 'containers/demo/upper/kept'))).toBe(true);
    expect(existsSync(join(root, 'containers/demo/merged'))).toBe(false);
    expect(mountsUnder(root)).toEqual([]);
    const ps = cli(['ps', '--root', root]);
    expect(ps.code).toBe(0);
    expect(ps.stdout).toMatch(/^NAME\s+STATUS/);
    expect(ps.stdout).toMatch(/^demo\s+stopped \(3\)\s+[0-9a-f]{12} busybox\.tar/m);
    const rm = cli(['rm', '--root', root, 'demo']);
    expect(rm.code, rm.stderr).toBe(0);
    expect(containers()).toEqual([]);
  });

  it('refuses a name that is in use, and rm of an unknown name', () => {
    expect(runIn(root, ['true'], ['--keep', '--name', 'taken']).code).toBe(0);
    const again = runIn(root, ['true'], ['--name', 'taken']);
    expect(again.code).toBe(125);
    expect(again.stderr).toBe(
      `overlay-tui: the name "taken" is already in use: pick another --name, or remove it with 'overlay-tui rm taken'\n`,
    );
    const rm = cli(['rm', '--root', root, 'taken', 'nope']);
    expect(rm.code).toBe(125);
    expect(rm.stderr).toMatch(/no container named "nope"/);
    expect(containers()).toEqual([]);
  });

  it('refuses rm of a running container', async () => {
    const run = startCli(['run', '--root', root, '--name', 'busy', '--', 'sleep', '30']);
    try {
      await waitForInit(root);
      const rm = cli(['rm', '--root', root, 'busy']);
      expect(rm.code).toBe(125);
      expect(rm.stderr).toMatch(/container "busy" is running/);
    } finally {
      run.child.kill('SIGTERM');
      await run.exit;
    }
    expect(containers()).toEqual([]);
  });

  it('refuses a NAME that is not a container name, before it is joined into a path', () => {
    // What `rm ../victim` would have reached: a directory laid out like a
    // container's, beside containers/ (teardown removes upper, work, merged).
    const victim = join(root, 'victim');
    for (const d of ['upper', 'work', 'merged']) mkdirSync(join(victim, d), { recursive: true });
    writeFileSync(join(victim, 'upper', 'precious'), 'x');
    const rm = cli(['rm', '--root', root, '../victim', '../../etc', 'a/../a']);
    expect(rm.code).toBe(125);
    expect(rm.stdout).toBe('');
    const refusal = (name: string): string =>
      `overlay-tui: "${name}" is not a container name (a letter or digit, then letters, digits, _ . -; at most 63)\n`;
    expect(rm.stderr).toBe(refusal('../victim') + refusal('../../etc') + refusal('a/../a'));
    expect(readFileSync(join(victim, 'upper', 'precious'), 'utf8')).toBe('x');
    expect(readdirSync(victim).sort()).toEqual(['merged', 'upper', 'work']);
    // One line each, whatever the name holds.
    const odd = cli(['rm', '--root', root, 'a\nb']);
    expect(odd.code).toBe(125);
    expect(odd.stderr).toBe(refusal('a\\nb'));
  });
});

describe('signals tear the container down', () => {
  for (const [sig, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const) {
    it(`${sig}: kills the container, unmounts, removes, exits ${code}`, async () => {
      const run = startCli(['run', '--root', root, '--', 'sh', '-c', 'sleep 60 & sleep 60']);
      const init = await waitForInit(root);
      run.child.kill(sig);
      const { code: exitCode } = await run.exit;
      expect(exitCode).toBe(code);
      expect(processExists(init)).toBe(false);
      expect(mountsUnder(root)).toEqual([]);
      expect(containers()).toEqual([]);
    });
  }
});

describe('recovery after kill -9', () => {
  it('clean kills what still runs, unmounts and removes the dead container', async () => {
    const run = startCli(['run', '--root', root, '--', 'sh', '-c', 'sleep 60 & sleep 60']);
    const init = await waitForInit(root);
    run.child.kill('SIGKILL');
    await run.exit;
    expect(mountsUnder(root).length).toBe(1); // the overlay outlives a kill -9
    const clean = cli(['clean', '--root', root]);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toMatch(/^container [0-9a-f]{12}: killed, unmounted, removed$/m);
    expect(processExists(init)).toBe(false);
    expect(mountsUnder(root)).toEqual([]);
    expect(containers()).toEqual([]);
    expect(cli(['clean', '--root', root]).stdout).toBe('nothing to clean\n');
  });

  it('any later command cleans up first, and a kept container keeps its upper', async () => {
    const run = startCli([
      'run',
      '--root',
      root,
      '--keep',
      '--name',
      'k',
      '--',
      'sh',
      '-c',
      'echo a > /a; sleep 60',
    ]);
    // The shell is pid 1 before it has run its first command: wait for /a in upper.
    await waitForPath(join(root, 'containers/k/upper/a'));
    run.child.kill('SIGKILL');
    await run.exit;
    const ps = cli(['ps', '--root', root]);
    expect(ps.stderr).toMatch(
      /container k was left running by a process that died; stopped it and kept its upper/,
    );
    expect(ps.stdout).toMatch(/^k\s+stopped/m);
    expect(existsSync(join(root, 'containers/k/upper/a'))).toBe(true);
    expect(mountsUnder(root)).toEqual([]);
    expect(cli(['rm', '--root', root, 'k']).code).toBe(0);
  });
});

describe('a mount that cannot be unmounted', () => {
  it('keeps everything and says so, instead of deleting under a mount', async () => {
    const run = startCli(['run', '--root', root, '--name', 'pinned', '--', 'sleep', '60']);
    await waitForInit(root);
    const merged = join(root, 'containers/pinned/merged');
    // A host process whose working directory is inside merged makes it busy.
    const pin = spawn('sleep', ['60'], { cwd: join(merged, 'tmp'), stdio: 'ignore' });
    try {
      run.child.kill('SIGTERM');
      const { code } = await run.exit;
      expect(code).not.toBe(0);
      expect(run.stderr()).toMatch(
        /umount .*merged: Device or resource busy; kept .*pinned untouched/,
      );
      expect(mountsUnder(root)).toEqual([merged]);
      expect(existsSync(join(root, 'containers/pinned/upper'))).toBe(true);
    } finally {
      pin.kill('SIGKILL');
      await new Promise((r) => pin.on('exit', r));
    }
    const clean = cli(['clean', '--root', root]);
    expect(clean.code, clean.stderr).toBe(0);
    expect(mountsUnder(root)).toEqual([]);
    expect(containers()).toEqual([]);
  });
});

describe('errors a user can hit', () => {
  it('refuses to run without root, with one line', () => {
    const r = spawnSync(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        process.execPath,
        'bin/overlay-tui.js',
        'run',
        '--root',
        root,
        '--',
        'true',
      ],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^overlay-tui: overlay-tui needs root: run it with sudo \(sudo env "PATH=\$PATH" overlay-tui run --root \S+ -- true\)\n$/,
    );
  });

  it('refuses a state root on overlayfs', () => {
    // Our own container's merged directory is an overlay: use it as a state root.
    const run = runIn(root, ['true'], ['--keep', '--name', 'o']);
    expect(run.code).toBe(0);
    const lowerish = join(root, 'containers/o/upper');
    const ovl = join(root, 'ovl');
    mkdirSync(`${ovl}/u`, { recursive: true });
    mkdirSync(`${ovl}/w`);
    mkdirSync(`${ovl}/m`);
    const m = spawnSync('mount', [
      '-t',
      'overlay',
      'overlay',
      '-o',
      `lowerdir=${lowerish},upperdir=${ovl}/u,workdir=${ovl}/w`,
      `${ovl}/m`,
    ]);
    expect(m.status).toBe(0);
    try {
      const r = runIn(`${ovl}/m/state`, ['true']);
      expect(r.code).toBe(125);
      expect(r.stderr).toMatch(
        /is on overlayfs, which cannot hold an upper directory: pass --root DIR on another file system\n$/,
      );
    } finally {
      spawnSync('umount', [`${ovl}/m`]);
    }
    expect(cli(['rm', '--root', root, 'o']).code).toBe(0);
  });

  it('rejects unknown flags and missing commands with usage errors', () => {
    const bad = cli(['run', '--root', root, '--frobnicate', '--', 'true']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      `overlay-tui run: Unknown option '--frobnicate' (see 'overlay-tui run --help')\n`,
    );
    expect(cli(['run', '--root', root]).code).toBe(2);
    expect(cli(['ps', '--root', root, 'extra']).code).toBe(2);
    expect(cli(['frob']).code).toBe(2);
  });

  it('names the program once in a usage error: the command misused, or the app itself', () => {
    const usage = (args: string[], line: string): void => {
      const r = cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`${line}\n`);
    };
    for (const cmd of COMMANDS) {
      usage(
        [cmd, '--root', root, '--bogus'],
        `overlay-tui ${cmd}: Unknown option '--bogus' (see 'overlay-tui ${cmd} --help')`,
      );
    }
    for (const cmd of ['rm', 'diff', 'watch']) {
      usage(
        [cmd, '--root', root],
        `overlay-tui ${cmd}: missing NAME (see 'overlay-tui ${cmd} --help')`,
      );
    }
    usage(
      ['images', 'rm', '--root', root],
      `overlay-tui images rm: missing IMAGE (see 'overlay-tui images rm --help')`,
    );
    usage(
      ['load', '--root', root],
      `overlay-tui load: missing FILE (see 'overlay-tui load --help')`,
    );
    usage(
      ['layers', '--root', root],
      `overlay-tui layers: missing IMAGE (see 'overlay-tui layers --help')`,
    );
    usage(
      ['diff', '--root', root, 'a', 'b'],
      `overlay-tui diff: unexpected argument 'b' (see 'overlay-tui diff --help')`,
    );
    // CMD may be left out for an image with a Cmd or Entrypoint; busybox's has none.
    usage(
      ['run', '--root', root],
      `overlay-tui run: missing CMD: the image has no Cmd or Entrypoint to run (see 'overlay-tui run --help')`,
    );
    usage(['--bogus'], `overlay-tui: Unknown option '--bogus' (see 'overlay-tui --help')`);
    usage(['frob'], `overlay-tui: unknown command 'frob' (see 'overlay-tui --help')`);
  });

  it('has a man-page style --help on every command', () => {
    for (const cmd of COMMANDS) {
      const r = cli([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^NAME\\n    overlay-tui ${cmd} - `));
      expect(r.stdout).toMatch(/\nSYNOPSIS\n/);
      expect(r.stdout).toMatch(/\nOPTIONS\n/);
      expectSynopsisHasEveryOption(r.stdout);
    }
    const top = cli(['--help']).stdout;
    expect(top).toMatch(/^NAME\n {4}overlay-tui - /);
    expectSynopsisHasEveryOption(top);
  });
});
