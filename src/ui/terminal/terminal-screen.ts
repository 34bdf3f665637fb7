/**
 * The terminal emulator behind the terminal pane: @xterm/headless parses
 * what the shell writes; this class reads its viewport as styled runs and
 * tells listeners, at a bounded rate, that the screen changed.
 *
 * It lives outside React and the store on purpose: the emulator's state
 * changes on every byte of output, and only "a new frame is ready" (at most
 * ~30 times a second) may reach React.
 */
import xterm from '@xterm/headless';
import type { IDisposable } from '@xterm/headless';
import { FrameThrottle } from './frame-throttle.js';
import { blankSnapshot, readViewport, type ScreenSnapshot } from './snapshot.js';
import { clampSize, subscribe, type Listener, type ScreenSurface } from './screen-surface.js';

// @xterm/headless is a webpack CommonJS bundle whose named exports Node's
// ESM loader cannot detect: `import { Terminal }` fails at run time.
const { Terminal } = xterm;

export interface TerminalScreenOptions {
  cols?: number;
  rows?: number;
  /** Lines kept above the viewport (default 1000). */
  scrollback?: number;
  /** Minimum time between frames (default 33 ms, about 30 frames a second). */
  frameIntervalMs?: number;
}

/** DECTCEM is `CSI ? 25 h|l`, possibly among other modes in one sequence. */
function mentions25(params: (number | number[])[]): boolean {
  return params.some((p) => p === 25);
}

export class TerminalScreen implements ScreenSurface {
  private readonly term: InstanceType<typeof Terminal>;
  private readonly throttle: FrameThrottle;
  private readonly frameListeners = new Set<Listener<[]>>();
  private readonly resizeListeners = new Set<Listener<[number, number]>>();
  private readonly disposables: IDisposable[] = [];
  // xterm keeps DECTCEM in an internal service; its public API does not
  // expose it, so it is tracked here from the parser instead.
  private cursorShown = true;
  private frame: ScreenSnapshot | undefined;
  /** Shown instead of the emulator's screen while a reset waits its turn. */
  private resetting: ScreenSnapshot | undefined;

  constructor(options: TerminalScreenOptions = {}) {
    this.term = new Terminal({
      cols: options.cols ?? 80,
      rows: options.rows ?? 24,
      scrollback: options.scrollback ?? 1000,
      // `buffer` and `parser` are "proposed" API in @xterm/headless.
      allowProposedApi: true,
    });
    this.throttle = new FrameThrottle(() => this.emitFrame(), options.frameIntervalMs ?? 33);
    const parser = this.term.parser;
    const setCursor = (shown: boolean) => (params: (number | number[])[]) => {
      if (mentions25(params)) this.cursorShown = shown;
      return false; // let xterm's own handler run too
    };
    const resetCursor = (): boolean => {
      this.cursorShown = true;
      return false;
    };
    this.disposables.push(
      parser.registerCsiHandler({ prefix: '?', final: 'h' }, setCursor(true)),
      parser.registerCsiHandler({ prefix: '?', final: 'l' }, setCursor(false)),
      parser.registerEscHandler({ final: 'c' }, resetCursor), // RIS, full reset
      parser.registerCsiHandler({ intermediates: '!', final: 'p' }, resetCursor), // DECSTR
      // Fires after each parsed batch, also for writes parsed in slices.
      this.term.onWriteParsed(() => this.throttle.schedule()),
    );
  }

  get cols(): number {
    return this.term.cols;
  }

  get rows(): number {
    return this.term.rows;
  }

  /**
   * Feeds output from the pty. Parsing is asynchronous (xterm parses in
   * time slices so a flood cannot block the event loop); `onParsed` runs
   * once this data has been parsed, which is what flow control needs.
   */
  write(data: Uint8Array | string, onParsed?: () => void): void {
    this.term.write(data, onParsed);
  }

  /**
   * Bytes xterm sends in answer to terminal queries (cursor position, device
   * attributes, ...): write them to the pty, or programs that ask hang.
   */
  onReply(cb: (data: string) => void): () => void {
    const data = this.term.onData(cb);
    // Mouse reports in X10 encoding arrive here as a "binary" string: one
    // char per byte. They only occur if someone feeds mouse input via xterm.
    const binary = this.term.onBinary((s) => cb(s));
    return () => {
      data.dispose();
      binary.dispose();
    };
  }

  /** Resizes the emulator (the caller or `attachPty` resizes the pty). */
  resize(cols: number, rows: number): void {
    const { cols: c, rows: r } = clampSize(cols, rows);
    if (c === this.term.cols && r === this.term.rows) return;
    this.term.resize(c, r);
    for (const cb of [...this.resizeListeners]) cb(c, r);
    this.throttle.schedule();
  }

  /**
   * Clears the screen and every mode, for a new shell (a restarted
   * container). A full reset (RIS) queued behind what was written before,
   * since xterm parses writes later: output of the old shell still queued
   * must not land on the new screen. The pane is blank at once (a restart
   * shows a fresh pane, not the old shell's last frame) and shows frames
   * again once the reset is parsed.
   */
  reset(): void {
    this.resetting = blankSnapshot(this.term.cols, this.term.rows);
    this.emitFrame();
    this.term.write('\x1bc', () => {
      this.resetting = undefined;
      this.throttle.schedule();
    });
  }

  onResize(cb: (cols: number, rows: number) => void): () => void {
    return subscribe(this.resizeListeners, cb);
  }

  /** The viewport as it is right now (always freshly read). */
  snapshot(): ScreenSnapshot {
    const { cols, rows } = this.term;
    return readViewport(this.term.buffer.active, cols, rows, this.cursorShown);
  }

  /**
   * Called at most once per frame interval after the screen changed, and
   * always once after the last change. Shaped for React's
   * useSyncExternalStore(subscribe), hence an arrow property.
   */
  readonly onFrame = (cb: () => void): (() => void) => subscribe(this.frameListeners, cb);

  /**
   * The frame as of the last notification: the same object until the next
   * one (what useSyncExternalStore's getSnapshot requires); read lazily so
   * frames nobody renders cost nothing.
   */
  readonly getFrame = (): ScreenSnapshot => {
    if (this.resetting) return this.resetting;
    this.frame ??= this.snapshot();
    return this.frame;
  };

  dispose(): void {
    this.throttle.cancel();
    for (const d of this.disposables) d.dispose();
    this.frameListeners.clear();
    this.resizeListeners.clear();
    this.term.dispose();
  }

  private emitFrame(): void {
    this.frame = undefined;
    for (const cb of [...this.frameListeners]) cb();
  }
}
