/**
 * Real Docker and podman for tests, touching nothing global: dockerd
 * (Debian's 20.10) started by the test with its own --data-root,
 * --exec-root and unix socket under /tmp, stopped by its pid; podman with
 * its own --root, --runroot and --tmpdir, runc as the runtime (crun refuses
 * this machine's hybrid cgroups) and the ulimit flags the sandbox needs
 * (DESIGN.md, "Real peers"). A machine without them makes the test fail
 * saying so: start* throws.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { mountsUnder } from './state-root.js';

export interface EngineResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function result(r: SpawnSyncReturns<string>): EngineResult {
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
}

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

export interface Docker {
  dir: string;
  pid: number;
  run(args: string[]): EngineResult;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** dockerd of our own, ready to take commands; throws (with its log) if it does not come up. */
export async function startDocker(timeoutMs = 60_000): Promise<Docker> {
  for (const cmd of ['dockerd', 'docker'])
    if (!which(cmd))
      throw new Error(
        `${cmd} is not installed: this test needs Debian's docker.io (apt-get install docker.io)`,
      );
  // Short: the sockets under it must fit sun_path (108 bytes).
  const dir = mkdtempSync('/tmp/dk-');
  const sock = join(dir, 's');
  const child = spawn(
    'dockerd',
    [
      `--data-root=${join(dir, 'data')}`,
      `--exec-root=${join(dir, 'x')}`,
      `--pidfile=${join(dir, 'pid')}`,
      `-H=unix://${sock}`,
      '--storage-driver=overlay2',
      '--bridge=none',
      '--iptables=false',
      '--ip-forward=false',
      '--ip-masq=false',
      '--ip6tables=false',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: false },
  );
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const pid = child.pid;
  if (pid === undefined) throw new Error('dockerd could not be started');
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  // Builds are classic: Debian's docker.io has no buildx (DESIGN.md, "Real peers").
  const env = {
    ...process.env,
    DOCKER_BUILDKIT: '0',
    DOCKER_CONFIG: join(dir, 'cfg'),
    DOCKER_HOST: `unix://${sock}`,
  };
  const run = (args: string[]) =>
    result(spawnSync('docker', args, { encoding: 'utf8', env, timeout: 120_000 }));
  const docker: Docker = {
    dir,
    pid,
    run,
    async stop() {
      if (pidAlive(pid)) process.kill(pid, 'SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(30_000).then(() => false)]);
      if (!done && pidAlive(pid)) {
        process.kill(pid, 'SIGKILL');
        await exited;
      }
      const left = mountsUnder(dir);
      for (const m of left.reverse()) spawnSync('umount', ['-l', m]);
      rmSync(dir, { recursive: true, force: true });
      if (left.length > 0) throw new Error(`dockerd left mounted: ${left.join(', ')}`);
    },
  };
  const deadline = Date.now() + timeoutMs;
  while (run(['version']).code !== 0) {
    if (!pidAlive(pid) || Date.now() > deadline) {
      await docker.stop().catch(() => undefined);
      throw new Error(`dockerd did not start: ${log.split('\n').slice(-5).join(' | ')}`);
    }
    await sleep(250);
  }
  return docker;
}

export interface Podman {
  dir: string;
  run(args: string[]): EngineResult;
  /** `podman run` flags this machine needs. */
  runFlags: string[];
  stop(): void;
}

/** podman with storage of its own under /tmp. */
export function startPodman(): Podman {
  if (!which('podman'))
    throw new Error(
      "podman is not installed: this test needs Debian's podman (apt-get install podman)",
    );
  if (!which('runc')) throw new Error('runc is not installed: podman here works only with runc');
  const dir = mkdtempSync('/tmp/pm-');
  const global = [
    `--root=${join(dir, 'root')}`,
    `--runroot=${join(dir, 'run')}`,
    `--tmpdir=${join(dir, 'tmp')}`,
    '--runtime=runc',
    '--cgroup-manager=cgroupfs',
    '--events-backend=file',
    '--storage-driver=overlay',
  ];
  // DOCKER_CONFIG would send podman looking for registry credentials there.
  const env = { ...process.env };
  delete env.DOCKER_CONFIG;
  const run = (args: string[]) =>
    result(spawnSync('podman', [...global, ...args], { encoding: 'utf8', env, timeout: 120_000 }));
  const version = run(['version']);
  if (version.code !== 0) throw new Error(`podman does not run here: ${version.stderr.trim()}`);
  return {
    dir,
    run,
    runFlags: ['--network=none', '--ulimit=nofile=4096:4096', '--ulimit=nproc=4096:4096'],
    stop() {
      run(['system', 'reset', '--force']);
      const left = mountsUnder(dir);
      for (const m of left.reverse()) spawnSync('umount', ['-l', m]);
      rmSync(dir, { recursive: true, force: true });
      if (left.length > 0) throw new Error(`podman left mounted: ${left.join(', ')}`);
    },
  };
}

/** The pid dockerd wrote, to check the one we stop is the one we started. */
export function dockerPidFile(d: Docker): number | undefined {
  const f = join(d.dir, 'pid');
  return existsSync(f) ? Number(readFileSync(f, 'utf8')) : undefined;
}
