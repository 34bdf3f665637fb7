/**
 * `overlay-tui run --runtime runc|crun` for real: the container runs under
 * the OCI runtime with merged as its root and Docker's default
 * capabilities, stdio through pipes or a pty, exit codes passed through,
 * and nothing of it left after the run, after a kill -9 of overlay-tui
 * followed by `clean`, or after a runtime that refuses.
 */
import { existsSync, readFileSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, runIn } from './support/cli.js';
import { capMask, DOCKER_CAPS } from './support/confine-profile.js';
import { CLI } from './support/paths.js';
import { leftovers, NOTHING_LEFT } from './support/runtime-leftovers.js';
import { processExists, startCli, waitForInit } from './support/spawn-cli.js';
import { removeRoot, tempRoot } from './support/state-root.js';

let root: string;

beforeAll(() => {
  root = tempRoot('ovt-runc-');
  const warm = runIn(root, ['true']);
  expect(warm.code, warm.stderr).toBe(0);
});

afterAll(() => {
  removeRoot(root);
});

const RUNC = ['--runtime', 'runc'];

describe('run --runtime runc', () => {
  it("gives the container Docker's 14 capabilities, none inheritable or ambient, and Docker's seccomp filter", () => {
    const script = 'grep -E "^(Cap|Seccomp:)" /proc/self/status; unshare -U true 2>&1; true';
    const r = runIn(root, ['sh', '-c', script], RUNC);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^CapBnd:\\s+${capMask(DOCKER_CAPS)}$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^CapEff:\\s+${capMask(DOCKER_CAPS)}$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^CapPrm:\\s+${capMask(DOCKER_CAPS)}$`, 'm'));
    expect(r.stdout).toMatch(/^CapInh:\s+0{16}$/m);
    expect(r.stdout).toMatch(/^CapAmb:\s+0{16}$/m);
    expect(r.stdout).toMatch(/^Seccomp:\s+2$/m);
    expect(r.stdout).toMatch(/unshare.*Operation not permitted/);
    expect(leftovers(root)).toEqual(NOTHING_LEFT);
  });

  it('hides and protects the paths Docker does, and no host device can be opened', () => {
    const script = [
      'cat /proc/kcore | wc -c',
      'echo 1 > /proc/sys/kernel/printk_ratelimit 2>/dev/null && echo wrote-sysctl',
      'mknod /tmp/vda b 254 0 && head -c 1 /tmp/vda 2>&1 >/dev/null',
      'echo $HOSTNAME $HOME',
    ].join('; ');
    const r = runIn(root, ['sh', '-c', script], [...RUNC, '--name', 'confined']);
    expect(r.code, r.stderr).toBe(0);
    const [kcore, ...rest] = r.stdout.trim().split('\n');
    expect(kcore?.trim()).toBe('0');
    expect(r.stdout).not.toContain('wrote-sysctl');
    expect(rest.join('\n')).toMatch(/head: \/tmp\/vda: Operation not permitted/);
    expect(r.stdout).toMatch(/^confined \/root$/m);
  });

  it('runs with merged as its root: what it writes lands in upper, kept with --keep', () => {
    const r = runIn(
      root,
      ['sh', '-c', 'echo via-runc > /root/made; cat /etc/hostname'],
      [...RUNC, '--keep', '--name', 'kept'],
    );
    try {
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(join(root, 'containers/kept/upper/root/made'), 'utf8')).toBe(
        'via-runc\n',
      );
      const state = JSON.parse(readFileSync(join(root, 'containers/kept/state.json'), 'utf8'));
      expect(state.runtime.name).toBe('runc');
      expect(state.runtime.root).toBe(join(root, 'runtime/runc'));
      expect(state.runtime.version).toMatch(/^runc version /);
      expect(existsSync(join(root, 'containers/kept/bundle'))).toBe(false);
    } finally {
      expect(cli(['rm', '--root', root, 'kept']).code).toBe(0);
    }
    expect(leftovers(root)).toEqual(NOTHING_LEFT);
  });

  // (128+N for a pid 1 killed by signal N: runtime-oci-confine.test.ts, from the host.)
  it("passes the command's exit code through: 3, and 127 for a command not found", () => {
    expect(runIn(root, ['sh', '-c', 'exit 3'], RUNC).code).toBe(3);
    const missing = runIn(root, ['no-such-command'], RUNC);
    expect(missing.code).toBe(127);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/no-such-command.*not found/);
    expect(leftovers(root)).toEqual(NOTHING_LEFT);
  });

  it('passes stdin and stdout through pipes (terminal:false)', () => {
    const r = runIn(root, ['sh', '-c', 'cat; echo to-stderr >&2'], RUNC, {
      input: 'through the pipe\n',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('through the pipe\n');
    expect(r.stderr).toBe('to-stderr\n');
  });

  it('gives the container a pty of its own when run on a terminal (terminal:true, under node-pty)', async () => {
    const { spawn } = await import('node-pty');
    // runc sizes the container's pty just after starting it (a race it has
    // with the command): wait for a size, then check it is ours.
    const script =
      'tty; while [ "$(stty size)" = "0 0" ]; do sleep 0.05; done; stty size; read x; echo got:$x; exit 4';
    const pty = spawn(
      process.execPath,
      [CLI, 'run', '--root', root, ...RUNC, '--', 'sh', '-c', script],
      {
        cols: 91,
        rows: 37,
        cwd: '/',
        env: { ...process.env, TERM: 'xterm' },
        encoding: null,
      },
    );
    const exited = new Promise<number>((resolve) => pty.onExit((e) => resolve(e.exitCode)));
    let out = '';
    let answered = false;
    pty.onData((d) => {
      out += d.toString();
      if (!answered && /\b\d+ \d+\r+\n/.test(out)) {
        answered = true;
        pty.write('typed\r');
      }
    });
    try {
      const code = await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      expect(code, out).toBe(4);
      expect(out).toMatch(/\/dev\/pts\/\d+/);
      expect(out).toMatch(/^37 91\r*$/m);
      expect(out).toContain('got:typed');
    } finally {
      pty.kill('SIGKILL');
      await exited;
    }
    expect(leftovers(root)).toEqual(NOTHING_LEFT);
  });

  it('leaves nothing after a kill -9 of overlay-tui and a clean: no runtime state, mount, process or cgroup', async () => {
    const running = startCli([
      'run',
      '--root',
      root,
      ...RUNC,
      '--name',
      'crashed',
      '--',
      'sleep',
      '100',
    ]);
    const init = await waitForInit(root);
    const state = JSON.parse(readFileSync(join(root, 'containers/crashed/state.json'), 'utf8'));
    expect(state.runtime.name).toBe('runc');
    expect(leftovers(root).runtimeState).toEqual(['crashed']);
    expect(leftovers(root).cgroups.length).toBeGreaterThan(0);
    running.child.kill('SIGKILL');
    await running.exit;
    expect(processExists(init)).toBe(true); // the crash left it running
    const clean = cli(['clean', '--root', root]);
    expect(clean.code, clean.stderr).toBe(0);
    expect(processExists(init)).toBe(false);
    expect(leftovers(root)).toEqual(NOTHING_LEFT);
  });
});

describe('the runtime missing or refusing', () => {
  it('says in one line that runc is not installed, exit 125, and makes nothing', () => {
    const r = runIn(root, ['true'], RUNC, { env: { ...process.env, PATH: '/nonexistent' } });
    expect(r.code).toBe(125);
    expect(r.stderr).toBe(
      'overlay-tui: --runtime runc: runc is not installed (apt-get install runc)\n',
    );
    expect(leftovers(root)).toEqual(NOTHING_LEFT);
  });

  it('refuses a runtime it does not know, as a usage error', () => {
    const r = runIn(root, ['true'], ['--runtime', 'youki']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^overlay-tui run: --runtime: 'youki' is not one of runc, crun/);
  });

  it('refuses --userns with --runtime in one line, as a usage error, and makes nothing', () => {
    const r = runIn(root, ['true'], [...RUNC, '--userns']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^overlay-tui run: --userns and --runtime runc do not go together yet: .*\n$/,
    );
    expect(leftovers(root)).toEqual(NOTHING_LEFT);
  });

  /** v1 controllers with a v2 hierarchy beside them: crun refuses such machines. */
  const hybrid =
    statfsSync('/sys/fs/cgroup').type !== 0x63677270 && existsSync('/sys/fs/cgroup/unified');

  it(`crun ${hybrid ? 'refuses this hybrid machine: its message in one line, exit 125' : 'runs the container on cgroup v2'}, nothing left`, () => {
    const r = runIn(root, ['sh', '-c', 'echo in-crun'], ['--runtime', 'crun']);
    if (hybrid) {
      expect(r.code).toBe(125);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^overlay-tui: --runtime crun: .*hybrid.*\n$/);
      expect(r.stderr.split('\n')).toHaveLength(2); // one line and its newline
    } else {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('in-crun\n');
    }
    expect(leftovers(root)).toEqual(NOTHING_LEFT);
  });
});
