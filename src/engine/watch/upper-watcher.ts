/**
 * The live stream: watches a running container's upper directory (never
 * the lower: read-only, and it can hold 100,000 files) and turns what
 * changes there into typed events.
 *
 * inotify only says where to look (dir-watches.ts: one watch per upper
 * directory). Notifications alone miss things on overlayfs's upper (a
 * whiteout made right after its directory was copied up, before the new
 * directory is watched; a directory deleted and made again, which arrives
 * as a rename over the old one), so every notification marks a path and
 * its parent dirty; after a short settle time each dirty directory is
 * listed again and each new entry in it scanned, and a new directory is
 * looked at again shortly after it is watched. The events come from
 * comparing the classified state before and after
 * (overlay/change-events.ts), so a burst is coalesced into the changes it
 * made, and nothing on disk goes unreported.
 */
import { EventEmitter } from 'node:events';
import { lstatSync } from 'node:fs';
import { join, relative } from 'node:path';
import { release } from 'node:os';
import {
  changeEvents,
  entryAt,
  parentPath,
  scanLayer,
  takePathTooLong,
  tooLongMessage,
  type ChangeEvent,
  type LayerEntry,
  type UpperState,
  type IdMap,
  type XattrNamespace,
} from '../../overlay/index.js';
import { LowerLoader } from '../layers/lower-loader.js';
import {
  classifyLayers,
  classifyUnder,
  type ClassifiedLayers,
} from '../layers/classify-container.js';
import { rescanPath } from './rescan.js';
import { ArrivalOrder } from './arrival-order.js';
import { outermost, readAlready, under } from './path-sets.js';
import { DirWatches } from './dir-watches.js';
import { bytesOf, fsPath } from '../../overlay/byte-path.js';

export interface UpperWatcherOptions {
  upperDir: string;
  /** Lower layer directories, topmost first. */
  lowerDirs: readonly string[];
  ns?: XattrNamespace;
  /** The container's user namespace map (--userns), for comparing owners. */
  idmap?: IdMap;
  /** How long to let a burst settle before rescanning (ms). */
  settleMs?: number;
  /** The command line the user last entered, stamped on each event. */
  currentCommand?: () => string | undefined;
  /**
   * Poll recently changed files for writes: needed before Linux 6.5, where
   * a write to a file already in upper raises no inotify event on upper.
   * Default: on for kernels older than 6.5.
   */
  pollWrites?: boolean;
}

export interface UpperWatcherEvents {
  events: [ChangeEvent[]];
  /** The classified layers after every rescan or lower directory loaded. */
  state: [ClassifiedLayers];
  error: [Error];
}

/** True if this kernel reports writes through overlayfs on the upper file (6.5+). */
export function kernelReportsUpperWrites(kernel = release()): boolean {
  const [major = 0, minor = 0] = kernel.split(/[.-]/).map(Number);
  return major > 6 || (major === 6 && minor >= 5);
}

const POLL_MS = 100;
/** A file still for this long is no longer polled (its next change comes with an event on its directory, or not at all). */
const POLL_QUIET_MS = 30_000;

const RECHECK_MS = [50, 250];
/**
 * A file copied up but not (yet) changed is looked at again this much
 * later before it is reported: `echo hi >> f` copies f up when it opens it
 * and writes a moment after, and a busy machine can put more than the
 * settle time between the two. One event, "copy-up: data", is the truth a
 * person wants, not "copy-up: none" and then "modify".
 */
const HOLD_MS = 40;
/** A slice of loading the whole lower: short enough to keep keys and frames flowing. */
const LOAD_SLICE_MS = 12;
const STATE_EVERY_MS = 50;

export class UpperWatcher extends EventEmitter<UpperWatcherEvents> {
  private readonly lowers: LowerLoader;
  private upper: LayerEntry;
  /** Every upper path's classification, kept up to date subtree by subtree. */
  private states: Map<string, UpperState>;
  /** The whole classified view (merged view included), computed when asked for. */
  private full: ClassifiedLayers | undefined;
  private readonly dirty = new Set<string>();
  /** Directories to rescan entry by entry (new ones, looked at again). */
  private readonly deep = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stateTimer: NodeJS.Timeout | undefined;
  private poller: NodeJS.Timeout | undefined;
  private dirWatches: DirWatches | undefined;
  private readonly rechecks = new Set<NodeJS.Timeout>();
  private wholeLower: Promise<void> | undefined;
  /** When each dirty path was first noticed: events go out in that order. */
  private readonly arrival = new ArrivalOrder();
  private closed = false;
  /** Files the poller follows, with how long each has been still (ms). */
  private readonly recentFiles = new Map<string, number>();
  /** Copy-ups held back once (see HOLD_MS), and those to report at the next flush. */
  private readonly held = new Set<string>();
  private readonly forced = new Set<string>();
  /** opts.upperDir as a byte string, as the model's paths are (src/overlay/byte-path.ts). */
  private readonly upperBytes: string;
  /** A tree too deep to read below some depth is said once, not at every look. */
  private saidTooLong = false;

  constructor(private readonly opts: UpperWatcherOptions) {
    super();
    this.upperBytes = bytesOf(opts.upperDir);
    this.lowers = new LowerLoader(opts.lowerDirs);
    this.upper = scanLayer(this.upperBytes);
    this.full = this.classify(this.upper);
    // A copy: flush() edits it in place, and full.states may be in a consumer's hands.
    this.states = new Map(this.full.states);
  }

  /** The current classified layers (for the UI, and for `diff`). */
  get current(): ClassifiedLayers {
    this.full ??= this.classify(this.upper);
    return this.full;
  }

  async start(): Promise<void> {
    const dirs = new DirWatches(
      this.upperBytes,
      (abs) => this.markDirty(abs),
      (err) => this.emit('error', err),
    );
    this.dirWatches = dirs;
    dirs.sync(this.upper);
    // Anything that changed between the first scan and the watches is caught here.
    this.deep.add('/');
    this.markDirty(this.upperBytes);
    if (this.opts.pollWrites ?? !kernelReportsUpperWrites()) {
      this.poller = setInterval(() => this.pollRecentFiles(), POLL_MS);
    }
    return Promise.resolve();
  }

  /** How many upper directories are watched (one inotify watch each). */
  get watchCount(): number {
    return this.dirWatches?.size ?? 0;
  }

  close(): Promise<void> {
    this.closed = true;
    for (const t of [this.timer, this.stateTimer, this.poller, ...this.rechecks]) clearTimeout(t);
    this.rechecks.clear();
    this.dirWatches?.close();
    return Promise.resolve();
  }

  /** Loads a lower directory's whole listing (a tree pane expanded it) and reclassifies. */
  loadLowerDir(path: string): void {
    this.loadLowerDirs([path]);
  }

  /** Several at once, reclassified once: only if a listing is new (it costs what upper holds). */
  loadLowerDirs(paths: readonly string[]): void {
    let fresh = false;
    for (const path of paths) if (this.lowers.loadDir(path)) fresh = true;
    if (!fresh) return;
    this.full = undefined;
    this.emit('state', this.current);
  }

  /**
   * Loads the whole lower (for search), in slices between which the event
   * loop runs, then reclassifies once. Resolves when done (or closed).
   */
  loadWholeLower(): Promise<void> {
    this.wholeLower ??= new Promise<void>((resolve) => {
      const slice = (): void => {
        if (this.closed) return resolve();
        if (!this.lowers.loadAllSlice(LOAD_SLICE_MS)) return void setImmediate(slice);
        this.full = undefined;
        this.emit('state', this.current);
        resolve();
      };
      slice();
    });
    return this.wholeLower;
  }

  /** Marks an absolute path (a byte string) and its directory for a rescan at the end of the burst. */
  markDirty(abs: string): void {
    const rel = relative(this.upperBytes, abs);
    if (rel === '..' || rel.startsWith('../')) return; // outside upper ('..foo' is inside)
    const path = rel === '' ? '/' : `/${rel}`;
    this.arrival.note(path);
    this.dirty.add(path);
    if (path !== '/') this.dirty.add(parentPath(path));
    // The look itself waits one more turn of the event loop (setImmediate
    // runs after the I/O callbacks): notifications the kernel has already
    // queued are noted first, so the look knows the order they came in.
    this.timer ??= setTimeout(
      () =>
        setImmediate(() => {
          if (!this.closed) this.flush();
        }),
      this.opts.settleMs ?? 5,
    );
  }

  /** Rescans what is dirty now and emits the events; also callable directly (tests, exit). */
  flush(): ChangeEvent[] {
    this.timer = undefined;
    if (this.dirty.size === 0) return [];
    const paths = [...this.dirty].sort();
    this.dirty.clear();
    const inArrivalOrder = this.arrival.take();
    try {
      let upper = this.upper;
      const changed: string[] = [];
      const deep = new Set(this.deep);
      this.deep.clear();
      // Paths are sorted, so a directory comes before what is in it: what
      // its listing already read is not read again.
      const scanned = new Set<string>();
      for (const path of paths) {
        if (!deep.has(path) && readAlready(scanned, path)) continue;
        const r = rescanPath(this.upperBytes, upper, path, deep.has(path));
        upper = r.root;
        changed.push(...r.changed);
        for (const s of r.scanned) scanned.add(s);
        for (const dir of [...r.newDirs, ...r.replacedDirs]) this.recheckLater(dir);
      }
      this.upper = upper;
      this.sayIfTooLong();
      changed.push(...this.forced);
      this.forced.clear();
      if (changed.length === 0) return [];
      const roots = outermost(changed);
      this.watchDirsAt(roots);
      const { upperDir, lowerDirs, ns, idmap } = this.opts;
      const after = classifyUnder(upperDir, upper, lowerDirs, this.lowers, roots, ns, idmap);
      const before = under(this.states, roots);
      for (const path of before.keys()) this.states.delete(path);
      for (const [path, state] of after) this.states.set(path, state);
      this.full = undefined;
      const events = this.holdBareCopyUps(changeEvents(before, after, Date.now()), before);
      return this.report(inArrivalOrder(events));
    } catch (err) {
      this.emit('error', err instanceof Error ? err : new Error(String(err)));
      return [];
    }
  }

  /**
   * The last word before the upper directory goes away: a full rescan, so
   * that changes whose notifications are still queued are not lost.
   */
  finish(): ChangeEvent[] {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty.clear();
    try {
      this.upper = scanLayer(this.upperBytes);
      this.sayIfTooLong();
      this.full = this.classify(this.upper);
      const before = this.states;
      this.states = new Map(this.full.states);
      return this.report(this.arrival.take()(changeEvents(before, this.states, Date.now())));
    } catch (err) {
      this.emit('error', err instanceof Error ? err : new Error(String(err)));
      return [];
    }
  }

  private sayIfTooLong(): void {
    const abs = takePathTooLong();
    if (abs === undefined || this.saidTooLong) return;
    this.saidTooLong = true;
    this.emit('error', new Error(tooLongMessage(abs)));
  }

  /** Holds back, once, each file copied up with nothing changed yet (see HOLD_MS). */
  private holdBareCopyUps(
    events: ChangeEvent[],
    before: ReadonlyMap<string, UpperState>,
  ): ChangeEvent[] {
    const out: ChangeEvent[] = [];
    for (const e of events) {
      const bare = e.kind === 'copy-up' && e.type === 'file' && e.changed === 'none';
      if (!bare || this.held.has(e.path)) {
        this.held.delete(e.path);
        out.push(e);
        continue;
      }
      // As if not seen yet: the next look compares with what was before.
      const was = before.get(e.path);
      if (was) this.states.set(e.path, was);
      else this.states.delete(e.path);
      this.held.add(e.path);
      const t = setTimeout(() => {
        this.rechecks.delete(t);
        this.forced.add(e.path);
        this.markDirty(join(this.upperBytes, e.path));
      }, HOLD_MS);
      this.rechecks.add(t);
    }
    return out;
  }

  private report(events: ChangeEvent[]): ChangeEvent[] {
    const command = this.opts.currentCommand?.();
    if (command !== undefined) for (const e of events) e.command = command;
    this.rememberFiles(events);
    if (events.length > 0) {
      this.emit('events', events);
      // The whole view for the UI, at a bounded rate: events go out at once.
      // Computing it costs what the upper holds: only for someone listening.
      if (this.listenerCount('state') === 0) return events;
      this.stateTimer ??= setTimeout(() => {
        this.stateTimer = undefined;
        this.emit('state', this.current);
      }, STATE_EVERY_MS);
    }
    return events;
  }

  private classify(upper: LayerEntry): ClassifiedLayers {
    const { upperDir, lowerDirs, ns, idmap } = this.opts;
    return classifyLayers(upperDir, upper, lowerDirs, this.lowers, ns, undefined, idmap);
  }

  /** New directories get a watch; removed or replaced ones lose theirs. */
  private watchDirsAt(roots: readonly string[]): void {
    const dirs = this.dirWatches;
    if (!dirs) return;
    for (const root of roots)
      if (dirs.has(root) || entryAt(this.upper, root)?.type === 'dir') dirs.sync(this.upper, root);
  }

  /**
   * A directory scanned whole may get entries before its watch exists
   * (and a watch reports nothing already there): look again shortly.
   */
  private recheckLater(path: string): void {
    for (const ms of RECHECK_MS) {
      const t = setTimeout(() => {
        this.rechecks.delete(t);
        this.deep.add(path);
        this.markDirty(join(this.upperBytes, path));
      }, ms);
      this.rechecks.add(t);
    }
  }

  private rememberFiles(events: ChangeEvent[]): void {
    if (!this.poller) return;
    for (const e of events)
      if (e.type === 'file' && e.kind !== 'delete') this.recentFiles.set(e.path, 0);
  }

  /**
   * The fallback for kernels that do not report writes on upper: lstat the
   * files changed lately (size and mtime are all it compares), each until
   * it has been still for POLL_QUIET_MS, so that the list stays short.
   */
  private pollRecentFiles(): void {
    for (const [path, still] of this.recentFiles) {
      const abs = join(this.upperBytes, path);
      let now: { size: number; mtimeMs: number } | undefined;
      try {
        now = lstatSync(fsPath(abs));
      } catch {
        now = undefined; // gone: the rescan says so
      }
      const was: UpperState | undefined = this.states.get(path);
      if (!now || !was || now.size !== was.entry.size || now.mtimeMs !== was.entry.mtimeMs) {
        this.markDirty(abs);
        if (!now || !was) this.recentFiles.delete(path);
        else this.recentFiles.set(path, 0);
      } else if (still + POLL_MS >= POLL_QUIET_MS) this.recentFiles.delete(path);
      else this.recentFiles.set(path, still + POLL_MS);
    }
  }
}
