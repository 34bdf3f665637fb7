/**
 * The container behind the app and everything attached to it: the shell on
 * a pty drawn into the TerminalScreen, and the upper watcher feeding the
 * store. Owns the actions that change which container that is: restart
 * (a fresh upper) and quit, and the teardown every way out runs.
 *
 * Teardown rules are the engine's (teardown.ts): kill, unmount, check,
 * and only then delete; the watcher is closed before its upper goes.
 */
import { DEFAULT_PIDS_LIMIT } from '../engine/cgroup/limits.js';
import type { IdMap } from '../overlay/id-map.js';
import type { LayeredImage } from '../engine/image/image-record.js';
import { processConfig } from '../engine/container/process-config.js';
import { createContainer, type Container } from '../engine/container/create.js';
import { launchOnPty, type PtyContainerProcess } from '../engine/container/pty-process.js';
import { killContainer, teardownContainer } from '../engine/container/teardown.js';
import type { LaunchSpec } from '../engine/container/process.js';
import { readInitPid, readState, writeState } from '../engine/container/state.js';
import { mountsAtOrUnder } from '../engine/mountinfo.js';
import { otherProcesses } from '../engine/container/processes.js';
import type { StateRoot } from '../engine/state-root.js';
import type { RuntimeRecord } from '../engine/runtime/runtime-record.js';
import type { SignalGuard } from '../engine/signal-guard.js';
import { UpperWatcher } from '../engine/watch/upper-watcher.js';
import { CommandLineTracker } from '../engine/watch/command-line.js';
import type { ClassifiedLayers } from '../engine/layers/classify-container.js';
import { readVersions, type Versions } from '../engine/layers/read-versions.js';
import type { ChangeEvent } from '../overlay/index.js';
import type { StatusInfo } from './store/app-store.js';
import { readUsage, type CgroupUsage } from '../engine/cgroup/index.js';
import type { ResourceLimits } from '../engine/confine/types.js';
import type { ScreenSurface } from './terminal/screen-surface.js';
import { attachPty } from './terminal/attach-pty.js';
import type { ConfineProfile } from '../engine/confine/types.js';
import { defaultProfile } from '../engine/confine/profile.js';
import type { StackLayer } from './layers/stack-layers.js';
import { readStackVersions, type StackVersion } from './layers/stack-versions.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Where the running shell's news goes (the store, once it exists). */
export interface SessionSink {
  state(layers: ClassifiedLayers): void;
  events(events: ChangeEvent[]): void;
  error(message: string): void;
}

interface Shell {
  proc: PtyContainerProcess;
  watcher: UpperWatcher;
  typed: CommandLineTracker;
  detach: () => void;
}

export class AppSession {
  /** The container teardown is owed to; undefined once torn down. */
  container: Container | undefined;
  keep: boolean;
  /** How every container of this session (restarts too) is confined. */
  readonly confinement: ConfineProfile;
  sink: SessionSink | undefined;
  /** Why the image's User was not used (one line for the status bar), if it was not. */
  processNote: string | undefined;
  private shell: Shell | undefined;
  private quitting = false;
  private finish!: (code: number) => void;
  private fail!: (err: unknown) => void;
  /** The app's exit code: the shell's when it exits by itself, 0 on quit. */
  readonly ended = new Promise<number>((resolve, reject) => {
    this.finish = resolve;
    this.fail = reject;
  });

  constructor(
    private readonly root: StateRoot,
    private readonly image: LayeredImage,
    private readonly opts: {
      name?: string;
      keep: boolean;
      userns?: IdMap;
      limits?: ResourceLimits;
      confinement?: ConfineProfile;
      runtime?: RuntimeRecord;
    },
    private readonly guard: SignalGuard,
  ) {
    this.keep = opts.keep;
    this.confinement = opts.confinement ?? defaultProfile();
  }

  create(name: string | undefined): Container {
    this.container = createContainer(this.root, this.image, {
      ...(name !== undefined ? { name } : {}),
      keep: this.keep,
      command: ['/bin/sh'],
      ...(this.opts.userns ? { userns: this.opts.userns } : {}),
      ...(this.opts.limits
        ? {
            cgroup: {
              limits: this.opts.limits,
              allowAllDevices: this.confinement.privileged,
            },
          }
        : {}),
      confinement: this.confinement,
      ...(this.opts.runtime ? { runtime: this.opts.runtime } : {}),
    });
    return this.container;
  }

  /** Starts the shell on a pty the size of the screen, and the watcher. */
  async startShell(screen: ScreenSurface): Promise<ClassifiedLayers> {
    const { paths, state } = this.current();
    const typed = new CommandLineTracker();
    const watcher = new UpperWatcher({
      upperDir: paths.upper,
      lowerDirs: state.lowers,
      ...(state.userns ? { idmap: state.userns } : {}),
      currentCommand: () => typed.current,
    });
    // Listening before start(): its first look may already find changes (or fail).
    watcher.on('state', (layers) => this.sink?.state(layers));
    watcher.on('events', (events) => this.sink?.events(events));
    watcher.on('error', (err) => this.sink?.error(`watching upper: ${err.message}`));
    try {
      await watcher.start();
      watcher.loadLowerDir('/'); // the top level is shown expanded
      // The app always runs a shell, not the image's Cmd/Entrypoint; it does
      // run it with the image's Env, WorkingDir and User, as `run` does.
      const { process: shellProcess, note } = processConfig(
        this.image.record.config,
        { command: [], env: [] },
        paths.merged,
        state.userns?.size,
      );
      this.processNote = note;
      const spec = {
        paths,
        hostname: state.id,
        command: ['/bin/sh'],
        process: shellProcess,
        cgroup: state.cgroup,
        ...(state.userns ? { userns: state.userns } : {}),
        confinement: this.confinement,
        seccompRules: state.seccompRules,
      };
      const size = { cols: screen.cols, rows: screen.rows };
      const proc = await this.launch(spec, size);
      const shell = { proc, watcher, typed, detach: attachPty(proc.pty, screen) };
      this.shell = shell;
      this.guard.onStop(() => this.kill());
      // Only the current shell's exit ends the app: a restart kills the old one.
      let exited = false;
      void proc.exited.then((code) => {
        exited = true;
        if (this.shell === shell) this.finish(code);
      });
      // The status bar shows the shell's host pid: wait (briefly) until the
      // helper has recorded it.
      for (let i = 0; i < 200 && !exited && !readInitPid(paths); i++) await sleep(5);
      return watcher.current;
    } catch (err) {
      await watcher.close();
      throw err;
    }
  }

  /** The shell on a pty: through the helper, or the OCI runtime asked for (loaded only then). */
  private async launch(
    spec: LaunchSpec,
    size: { cols: number; rows: number },
  ): Promise<PtyContainerProcess> {
    const runtime = this.opts.runtime;
    if (!runtime) return launchOnPty(spec, size, 'xterm-256color');
    const { launchRuntimeOnPty } = await import('../engine/runtime/launch.js');
    const limits = this.opts.limits ?? { pidsLimit: DEFAULT_PIDS_LIMIT };
    const run = { ...spec, runtime, profile: this.confinement, limits };
    return launchRuntimeOnPty(run, size, 'xterm-256color');
  }

  status(imageSource: string): StatusInfo {
    const { paths, state } = this.current();
    // What was asked for, and what the kernel adds of its own (its
    // mountinfo leaves out what is its default); not the long directories.
    const mount = mountsAtOrUnder(paths.merged).find((m) => m.mountPoint === paths.merged);
    const kernel = (mount?.superOptions.split(',') ?? []).filter(
      (o) => !/^(lowerdir\+?|datadir\+|upperdir|workdir)=/.test(o) && o !== 'rw',
    );
    const asked = new Set(state.mountOptions.map((o) => o.split('=')[0]));
    const added = kernel.filter((o) => !asked.has(o.split('=')[0]));
    return {
      image: imageSource.split('/').pop() ?? imageSource,
      id: state.id,
      mountOptions: [...state.mountOptions, ...added].join(','),
      // The shell's pid as the host sees it (for nsenter -t), once the
      // helper has recorded it; until then the helper's own.
      ...(this.shell ? { pid: readInitPid(paths)?.pid ?? this.shell.proc.pid } : {}),
      ...(state.layers ? { layers: state.layers } : {}),
    };
  }

  /** The container's memory and pids: a few small reads of its cgroup's files. */
  usage(): CgroupUsage | undefined {
    const cgroup = this.container?.state.cgroup;
    return cgroup ? readUsage(cgroup) : undefined;
  }

  writeToShell(bytes: Buffer): void {
    const shell = this.shell;
    if (!shell) return; // between two containers: nowhere to type
    try {
      shell.proc.pty.write(bytes);
      shell.typed.feed(bytes);
    } catch {
      // the pty has gone; its exit is reported through ended
    }
  }

  loadLowerDir(path: string): void {
    this.shell?.watcher.loadLowerDir(path);
  }

  loadLowerDirs(paths: readonly string[]): void {
    this.shell?.watcher.loadLowerDirs(paths);
  }

  /** Every lower directory, loaded a slice at a time (for search). */
  loadWholeLower(): Promise<void> {
    return this.shell?.watcher.loadWholeLower() ?? Promise.resolve();
  }

  readVersions(path: string): Versions {
    const shell = this.shell;
    if (!shell || !this.container) return { path };
    try {
      const { paths, state } = this.container;
      return readVersions(paths.upper, state.lowers, shell.watcher.current, path);
    } catch {
      return { path }; // changed under us: the next state reads it again
    }
  }

  /**
   * Every version of a path down the stack, for the inspector. Under a
   * renamed upper directory the lowers' versions are at the same path
   * (what each layer holds there), not at the old name.
   */
  readStackVersions(path: string): StackVersion[] {
    const shell = this.shell;
    if (!shell || !this.container) return [];
    try {
      const { paths, state } = this.container;
      return readStackVersions(paths.upper, state.lowers, path, shell.watcher.current.view.ns);
    } catch {
      return []; // changed under us: the next state reads it again
    }
  }

  /**
   * The container's layers as the selector lists them, topmost first: the
   * labels its record holds, with entries and size from the image's layer
   * records (read and checked when the image was loaded).
   */
  stackLayers(): StackLayer[] | undefined {
    const state = this.container?.state;
    const labels = state?.layers;
    if (!state || !labels || labels.length !== state.lowers.length) return undefined;
    const records = new Map(this.image.layers.map((l) => [l.record.diffId, l.record]));
    return labels.map((label) => {
      const record = records.get(label.diffId);
      return record ? { ...label, entries: record.entries, bytes: record.bytes } : label;
    });
  }

  otherProcesses(): number {
    return this.container ? otherProcesses(this.container.paths) : 0;
  }

  /** Records the choice in state.json too, so that crash recovery honours it. */
  setKeep(on: boolean): void {
    this.keep = on;
    const paths = this.container?.paths;
    const state = paths ? readState(paths) : undefined;
    if (paths && state) writeState(paths, { ...state, keep: on });
  }

  /** The user quits: the shell is killed and the app ends with 0. */
  quit(): void {
    this.quitting = true;
    this.kill();
    this.finish(0);
  }

  /**
   * Kill the shell, tear the container down (kept, if keep is on: then the
   * new one cannot take its name), make a new one from the same image and
   * attach the same screen to its shell. Rejects `ended` if that fails.
   */
  async restart(screen: ScreenSurface): Promise<ClassifiedLayers | undefined> {
    try {
      await this.stopShell();
      const old = this.container;
      if (old) {
        teardownContainer(old.paths, readState(old.paths) ?? old.state, { keep: this.keep });
        this.container = undefined;
      }
      if (this.quitting) return undefined;
      this.create(this.keep ? undefined : this.opts.name);
      screen.reset();
      const layers = await this.startShell(screen);
      if (!this.quitting) return layers;
      await this.stopShell(); // quit while it started: runApp's teardown takes it
      return undefined;
    } catch (err) {
      this.fail(err);
      return undefined;
    }
  }

  /** Stops what is attached (at the end, and before a restart). */
  async stopShell(): Promise<void> {
    const shell = this.shell;
    if (!shell) return;
    this.shell = undefined;
    this.guard.onStop(undefined);
    this.kill(shell);
    await shell.proc.exited;
    shell.detach();
    await shell.watcher.close();
    shell.watcher.removeAllListeners();
  }

  /** Teardown, synchronous: also from process 'exit' handlers. */
  teardown(exitCode?: number): void {
    const c = this.container;
    if (!c) return;
    this.container = undefined;
    teardownContainer(c.paths, readState(c.paths) ?? c.state, {
      keep: this.keep,
      ...(exitCode !== undefined ? { exitCode } : {}),
    });
  }

  private kill(shell = this.shell): void {
    try {
      if (shell) process.kill(shell.proc.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    if (this.container) killContainer(this.container.paths, undefined);
  }

  private current(): Container {
    if (!this.container) throw new Error('no container');
    return this.container;
  }
}
