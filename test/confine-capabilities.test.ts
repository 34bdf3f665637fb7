/**
 * The container's capabilities and no_new_privs, as the kernel reports them
 * in /proc/self/status inside the container: Docker's 14 by default,
 * --cap-add/--cap-drop as Docker spells and combines them, --privileged.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, runIn } from './support/cli.js';
import { HELPER } from './support/paths.js';
import { mountsUnder, removeRoot, tempRoot } from './support/state-root.js';
import { spawnSync } from 'node:child_process';

let root: string;

beforeAll(() => {
  root = tempRoot('ovt-caps-');
  const warm = runIn(root, ['true']);
  expect(warm.code, warm.stderr).toBe(0);
});

afterAll(() => {
  removeRoot(root);
});

/** Bits of capability numbers. */
function mask(...caps: number[]): bigint {
  return caps.reduce((m, c) => m | (1n << BigInt(c)), 0n);
}

// CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE
// NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP
const DOCKER_DEFAULT = mask(0, 1, 3, 4, 5, 6, 7, 8, 10, 13, 18, 27, 29, 31);
const ALL_KNOWN = (1n << 41n) - 1n; // CAP_CHOWN .. CAP_CHECKPOINT_RESTORE

interface Status {
  inh: bigint;
  prm: bigint;
  eff: bigint;
  bnd: bigint;
  amb: bigint;
  noNewPrivs: number;
}

function parseStatus(text: string): Status {
  const field = (name: string): string => {
    const m = new RegExp(`^${name}:\\s*(\\S+)$`, 'm').exec(text);
    if (!m?.[1]) throw new Error(`no ${name} in:\n${text}`);
    return m[1];
  };
  const hex = (name: string): bigint => BigInt(`0x${field(name)}`);
  return {
    inh: hex('CapInh'),
    prm: hex('CapPrm'),
    eff: hex('CapEff'),
    bnd: hex('CapBnd'),
    amb: hex('CapAmb'),
    noNewPrivs: Number(field('NoNewPrivs')),
  };
}

/** The container's own /proc/self/status (cat's, after the exec). */
function statusIn(extra: string[]): { status: Status; stderr: string } {
  const r = runIn(root, ['cat', '/proc/self/status'], extra);
  expect(r.code, r.stderr).toBe(0);
  return { status: parseStatus(r.stdout), stderr: r.stderr };
}

/** What this (root) test process may hand on: the sandbox may lack some. */
const hostBounding = parseStatus(readFileSync('/proc/self/status', 'utf8')).bnd;

function expectCaps(s: Status, caps: bigint): void {
  expect(s.bnd.toString(16)).toBe(caps.toString(16));
  expect(s.prm.toString(16)).toBe(caps.toString(16));
  expect(s.eff.toString(16)).toBe(caps.toString(16));
  // CVE-2022-24769: nothing inheritable, nothing ambient.
  expect(s.inh).toBe(0n);
  expect(s.amb).toBe(0n);
}

describe('capabilities', () => {
  it("keeps Docker's 14 by default, none inheritable or ambient, no_new_privs off", () => {
    const { status } = statusIn([]);
    expectCaps(status, DOCKER_DEFAULT);
    expect(status.noNewPrivs).toBe(0);
  });

  it('adds and drops as Docker spells them (any case, with or without CAP_)', () => {
    const { status } = statusIn([
      '--cap-add',
      'net_admin',
      '--cap-add',
      'CAP_SYS_PTRACE',
      '--cap-drop',
      'chown',
      '--cap-drop',
      'CAP_MKNOD',
    ]);
    expectCaps(status, (DOCKER_DEFAULT | mask(12, 19)) & ~mask(0, 27));
  });

  it('takes ALL: every capability, or none but those added', () => {
    const all = statusIn(['--cap-add', 'ALL', '--cap-drop', 'SYS_ADMIN']).status;
    expectCaps(all, ALL_KNOWN & hostBounding & ~mask(21));
    const none = statusIn(['--cap-drop', 'all', '--cap-add', 'KILL']).status;
    expectCaps(none, mask(5));
  });

  it('--privileged keeps every capability the host has, and says so on stderr', () => {
    const { status, stderr } = statusIn(['--privileged']);
    expect(status.bnd).toBe(hostBounding);
    expect(status.eff).toBe(hostBounding);
    expect(stderr).toMatch(/^overlay-tui: --privileged: the container's root is the host's root/m);
  });

  it('sets no_new_privs with --security-opt no-new-privileges', () => {
    expect(statusIn(['--security-opt', 'no-new-privileges']).status.noNewPrivs).toBe(1);
    expect(statusIn(['--security-opt', 'no-new-privileges=true']).status.noNewPrivs).toBe(1);
    expect(statusIn(['--security-opt', 'no-new-privileges=false']).status.noNewPrivs).toBe(0);
  });

  it('refuses an unknown capability or --security-opt with a usage error naming it', () => {
    const cap = runIn(root, ['true'], ['--cap-add', 'NET_FROB']);
    expect(cap.code).toBe(2);
    expect(cap.stderr).toBe(
      `overlay-tui run: unknown capability "NET_FROB" (see 'overlay-tui run --help')\n`,
    );
    const opt = runIn(root, ['true'], ['--security-opt', 'apparmor=unconfined']);
    expect(opt.code).toBe(2);
    expect(opt.stderr).toMatch(/^overlay-tui run: unknown --security-opt "apparmor=unconfined"/);
    const app = cli(['--root', root, '--cap-drop', 'bogus']);
    expect(app.code).toBe(2);
    expect(app.stderr).toMatch(/^overlay-tui: unknown capability "bogus"/);
    expect(mountsUnder(root)).toEqual([]);
  });

  it("records the container's confinement in its state.json", () => {
    const r = runIn(root, ['true'], ['--keep', '--name', 'rec', '--cap-drop', 'ALL']);
    expect(r.code, r.stderr).toBe(0);
    try {
      const state = JSON.parse(readFileSync(join(root, 'containers/rec/state.json'), 'utf8'));
      expect(state.confinement).toEqual({
        privileged: false,
        capabilities: [],
        seccomp: expect.any(String),
        noNewPrivileges: false,
      });
    } finally {
      expect(cli(['rm', '--root', root, 'rec']).code).toBe(0);
    }
  });

  it('ovl-helper refuses --privileged together with confinement options', () => {
    const r = spawnSync(
      HELPER,
      ['run', '--root', '/', '--hostname', 'x', '--privileged', '--caps', '0', '--', 'true'],
      {
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--privileged takes no --caps/);
  });
});
