/**
 * The engines the escape probe is compared across: overlay-tui (the built
 * CLI), Docker (a dockerd of our own, on its own socket and data root,
 * stopped by its pid) and podman (its own storage root). Each runs the
 * probe image's /probe with the given arguments and returns its stdout, or
 * says in one line why it could not run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { cliBin } from './paths.js';

export type Outcome = { stdout: string } | { unavailable: string };

function run(cmd: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.error?.message ?? r.stderr ?? '' };
}

function firstLine(s: string): string {
  return s.trim().split('\n')[0] ?? '';
}

export function overlayTui(image: string, root: string, extra: string[], probe: string[]): Outcome {
  const r = run(process.execPath, [
    cliBin,
    'run',
    '--image',
    image,
    '--root',
    root,
    ...extra,
    '--',
    '/probe',
    ...probe,
  ]);
  return r.code === 0 ? { stdout: r.stdout } : { unavailable: firstLine(r.stderr) };
}

/** Debian's docker.io CLI, which speaks Docker 20.10's API (a newer /usr/local/bin/docker may not). */
const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';

export class Docker {
  private daemon: ChildProcess | undefined;
  private readonly sock: string;

  constructor(private readonly dir: string) {
    this.sock = join(dir, 'docker.sock');
  }

  private running(): boolean {
    return (
      this.daemon !== undefined && this.daemon.exitCode === null && this.daemon.signalCode === null
    );
  }

  private cli(args: string[]): ReturnType<typeof run> {
    return run(DOCKER, ['-H', `unix://${this.sock}`, ...args]);
  }

  /** Starts dockerd (no bridge, no iptables: containers run with --network none) and imports the image. */
  async start(image: string): Promise<string | undefined> {
    if (spawnSync('dockerd', ['--version']).status !== 0)
      return 'no dockerd (apt-get install docker.io)';
    mkdirSync(join(this.dir, 'data'), { recursive: true });
    const log = openSync(join(this.dir, 'dockerd.log'), 'a');
    // prettier-ignore
    this.daemon = spawn('dockerd', [
      '-H', `unix://${this.sock}`, '--data-root', join(this.dir, 'data'),
      '--exec-root', join(this.dir, 'exec'), '--pidfile', join(this.dir, 'dockerd.pid'),
      '--storage-driver=overlay2', '--bridge=none', '--iptables=false', '--ip-forward=false',
      '--ip-masq=false', '--ip6tables=false',
    ], { stdio: ['ignore', log, log] });
    for (let i = 0; i < 300; i++) {
      if (!this.running())
        return `dockerd exited ${this.daemon.exitCode} (see ${this.dir}/dockerd.log)`;
      if (this.cli(['version']).code === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const imported = this.cli(['import', image, 'ovt-escape-probe']);
    return imported.code === 0 ? undefined : `docker import: ${firstLine(imported.stderr)}`;
  }

  version(): string {
    return this.cli(['version', '--format', '{{.Server.Version}}']).stdout.trim();
  }

  probe(extra: string[], probe: string[]): Outcome {
    const r = this.cli([
      'run',
      '--rm',
      '--network',
      'none',
      ...extra,
      'ovt-escape-probe',
      '/probe',
      ...probe,
    ]);
    return r.code === 0 ? { stdout: r.stdout } : { unavailable: firstLine(r.stderr) };
  }

  /** Removes the image and stops our dockerd by its pid, waiting for it to exit. */
  async stop(): Promise<void> {
    if (!this.running()) return;
    this.cli(['rmi', '-f', 'ovt-escape-probe']);
    const exited = new Promise((r) => this.daemon?.once('exit', r));
    this.daemon?.kill('SIGTERM');
    await exited;
  }
}

export class Podman {
  constructor(private readonly dir: string) {}

  private cli(args: string[]): ReturnType<typeof run> {
    // crun refuses hybrid cgroups; the sandbox lacks CAP_SYS_RESOURCE for podman's default ulimits.
    // prettier-ignore
    return run('podman', [
      '--root', join(this.dir, 'storage'), '--runroot', join(this.dir, 'run'),
      '--runtime', 'runc', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', ...args,
    ]);
  }

  start(image: string): string | undefined {
    if (spawnSync('podman', ['--version']).status !== 0)
      return 'no podman (apt-get install podman)';
    const r = this.cli(['import', image, 'ovt-escape-probe']);
    return r.code === 0 ? undefined : `podman import: ${firstLine(r.stderr)}`;
  }

  version(): string {
    return this.cli(['version', '--format', '{{.Client.Version}}']).stdout.trim();
  }

  probe(extra: string[], probe: string[]): Outcome {
    // prettier-ignore
    const r = this.cli([
      'run', '--rm', '--network', 'none', '--ulimit', 'nofile=4096:4096', '--ulimit', 'nproc=4096:4096',
      ...extra, 'ovt-escape-probe', '/probe', ...probe,
    ]);
    return r.code === 0 ? { stdout: r.stdout } : { unavailable: firstLine(r.stderr) };
  }

  /** What podman leaves mounted in its storage, the bench's sandbox clean-up unmounts. */
  stop(): void {
    this.cli(['rmi', '-f', 'ovt-escape-probe']);
  }
}
