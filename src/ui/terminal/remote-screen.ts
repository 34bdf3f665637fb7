/**
 * A ScreenSurface whose emulator runs in a worker thread (screen-worker.ts).
 * During an output flood, parsing in this thread took the time the screen
 * needed for drawing, and drawing the time parsing needed: a key's echo,
 * queued behind the flood, waited for both. Here the worker parses on its
 * own core and posts frames; this thread only draws them.
 *
 * Size changes are applied here at once (the pty is resized with them) and
 * passed on in order, so the worker's frames follow.
 */
import { Worker } from 'node:worker_threads';
import { blankSnapshot, type ScreenSnapshot } from './snapshot.js';
import { clampSize, subscribe, type Listener, type ScreenSurface } from './screen-surface.js';
import type { FromScreenWorker, ScreenWorkerData, ToScreenWorker } from './screen-protocol.js';

export class RemoteScreen implements ScreenSurface {
  private readonly worker: Worker;
  private size: { cols: number; rows: number };
  private frame: ScreenSnapshot;
  private nextId = 0;
  private epoch = 0;
  private readonly parsed = new Map<number, () => void>();
  private readonly frameListeners = new Set<Listener<[]>>();
  private readonly replyListeners = new Set<Listener<[string]>>();
  private readonly resizeListeners = new Set<Listener<[number, number]>>();
  private readonly errorListeners = new Set<Listener<[Error]>>();

  /** workerFile: the bundled screen-worker.js. */
  constructor(workerFile: string, options: { cols: number; rows: number }) {
    this.size = clampSize(options.cols, options.rows);
    this.frame = blankSnapshot(this.size.cols, this.size.rows);
    const data: ScreenWorkerData = this.size;
    this.worker = new Worker(workerFile, { workerData: data });
    // The app's own handles (pty, stdin) decide when the process may end.
    this.worker.unref();
    this.worker.on('message', (msg: FromScreenWorker) => this.receive(msg));
    this.worker.on('error', (err) => {
      for (const cb of [...this.errorListeners]) cb(err);
    });
  }

  get cols(): number {
    return this.size.cols;
  }

  get rows(): number {
    return this.size.rows;
  }

  write(data: string, onParsed?: () => void): void {
    if (!onParsed) return this.send({ t: 'write', data });
    const id = this.nextId++;
    this.parsed.set(id, onParsed);
    this.send({ t: 'write', data, id });
  }

  onReply(cb: (data: string) => void): () => void {
    return subscribe(this.replyListeners, cb);
  }

  resize(cols: number, rows: number): void {
    const next = clampSize(cols, rows);
    if (next.cols === this.size.cols && next.rows === this.size.rows) return;
    this.size = next;
    this.send({ t: 'resize', ...next });
    for (const cb of [...this.resizeListeners]) cb(next.cols, next.rows);
  }

  onResize(cb: (cols: number, rows: number) => void): () => void {
    return subscribe(this.resizeListeners, cb);
  }

  /** Blank at once (a restart shows a fresh pane, not the old shell's last frame). */
  reset(): void {
    this.epoch++;
    this.send({ t: 'reset', epoch: this.epoch });
    this.frame = blankSnapshot(this.size.cols, this.size.rows);
    for (const cb of [...this.frameListeners]) cb();
  }

  /** The worker failed (the pane stops changing): say so. */
  onError(cb: (err: Error) => void): () => void {
    return subscribe(this.errorListeners, cb);
  }

  readonly onFrame = (cb: () => void): (() => void) => subscribe(this.frameListeners, cb);

  readonly getFrame = (): ScreenSnapshot => this.frame;

  dispose(): void {
    this.frameListeners.clear();
    this.replyListeners.clear();
    this.resizeListeners.clear();
    this.parsed.clear();
    void this.worker.terminate();
  }

  private send(msg: ToScreenWorker): void {
    this.worker.postMessage(msg);
  }

  private receive(msg: FromScreenWorker): void {
    switch (msg.t) {
      case 'frame':
        if (msg.epoch !== this.epoch) break; // drawn before the last reset
        this.frame = msg.frame;
        for (const cb of [...this.frameListeners]) cb();
        break;
      case 'reply':
        for (const cb of [...this.replyListeners]) cb(msg.data);
        break;
      case 'parsed': {
        const done = this.parsed.get(msg.id);
        this.parsed.delete(msg.id);
        done?.();
        break;
      }
    }
  }
}
