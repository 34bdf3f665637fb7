/**
 * The watching process of the stream benchmark (layers-watch.ts), seen
 * from the writer's side: requests and answers over IPC, and the arrival
 * time of every event, by path.
 */
import { readdirSync } from 'node:fs';
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { distBench } from './paths.js';

export type Msg = Record<string, unknown> & { type: string };

/** The forked watcher: request/answer over IPC, and every event arrival kept by path. */
export class WatchChild {
  readonly arrivals = new Map<string, bigint[]>();
  private readonly child: ChildProcess;
  private readonly waiting = new Map<string, (m: Msg) => void>();
  private stderr = '';

  constructor(upper: string, lower: string, execArgv: string[]) {
    this.child = fork(join(distBench, 'layers-watch.js'), [upper, lower], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      execArgv,
    });
    this.child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.child.on('message', (m: Msg) => {
      if (m.type === 'events') {
        const t = BigInt(m.t as string);
        for (const p of m.paths as string[]) {
          const list = this.arrivals.get(p) ?? [];
          list.push(t);
          this.arrivals.set(p, list);
        }
      } else if (m.type === 'error') {
        process.stderr.write(`watcher error: ${String(m.message)}\n`);
      }
      this.waiting.get(m.type)?.(m);
      this.waiting.delete(m.type);
    });
  }

  next(type: string, cmd?: string): Promise<Msg> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`watcher: no ${type}: ${this.stderr}`)),
        60e3,
      );
      this.waiting.set(type, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      if (cmd) this.child.send({ cmd });
    });
  }

  /** Waits until every path has an event at or after `since`; returns those still without one. */
  async seen(paths: readonly string[], since: bigint, timeoutMs = 5000): Promise<string[]> {
    const end = performance.now() + timeoutMs;
    const missing = (): string[] =>
      paths.filter((p) => !(this.arrivals.get(p) ?? []).some((t) => t >= since));
    while (missing().length > 0 && performance.now() < end) await sleep(20);
    return missing();
  }

  /**
   * Upper paths on disk that the watcher's current state lacks (it missed
   * them), and paths it holds that are gone from disk.
   */
  async compareWithDisk(upper: string): Promise<{ missing: string[]; stale: string[] }> {
    const held = new Set((await this.next('paths', 'paths')).paths as string[]);
    const onDisk = new Set(
      readdirSync(upper, { recursive: true, encoding: 'utf8' }).map((p) => `/${p}`),
    );
    return {
      missing: [...onDisk].filter((p) => !held.has(p)).sort(),
      stale: [...held].filter((p) => !onDisk.has(p)).sort(),
    };
  }

  /** The watch count once it stops moving (new directories are watched after the flush that finds them). */
  async settledCount(): Promise<Msg> {
    let last = await this.next('count', 'count');
    for (let i = 0; i < 30; i++) {
      await sleep(100);
      const now = await this.next('count', 'count');
      if (now.watches === last.watches && now.upperPaths === last.upperPaths) return now;
      last = now;
    }
    return last;
  }

  /** Waits for the process to exit (a CPU profile is written then); kills it after timeoutMs. */
  async stop(timeoutMs: number): Promise<void> {
    const c = this.child;
    if (c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    const timer = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}
