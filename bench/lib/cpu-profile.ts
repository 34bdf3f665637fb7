/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and answers "where does the
 * time go". The one place in bench/ that parses profiles and walks their
 * samples: forEachSample hands out each sample with its stack, its time
 * and what it stands for, and the views below are built on it: self and
 * inclusive milliseconds per function, named `function dist/…/file.js:line`
 * (bundled chunks: the function names are the src/ ones, esbuild keeps
 * them), self time by the package or dist/ chunk the code lives in, idle
 * time, and busy time over the run in fixed steps.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  /** Microseconds since the sample before (the first: since the profile started). */
  timeDeltas: number[];
}

/** The frames V8 saw in a sample, innermost first. */
export type Stack = readonly [ProfileNode, ...ProfileNode[]];

export interface Sample {
  stack: Stack;
  /** When V8 took it, in ms since the profile started. */
  atMs: number;
  /**
   * The time it stands for: the interval since the sample before, so the
   * samples add up to the profile's length. (Chrome's flame chart gives a
   * sample the interval after it instead; under load the sampler's gaps
   * reach several ms, enough to move a small function's figure, so every
   * view here takes this one.)
   */
  ms: number;
}

/**
 * Calls visit for each sample, in the order V8 took them. A sample of a
 * node the profile lacks (never seen from node) is skipped.
 */
export function forEachSample(p: CpuProfile, visit: (s: Sample) => void): void {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Thousands of samples share a few hundred leaves: build each stack once.
  const stacks = new Map<number, Stack | undefined>();
  const stackOf = (id: number): Stack | undefined => {
    if (stacks.has(id)) return stacks.get(id);
    const frames: ProfileNode[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (!n) break;
      frames.push(n);
    }
    const [leaf, ...outer] = frames;
    const stack: Stack | undefined = leaf ? [leaf, ...outer] : undefined;
    stacks.set(id, stack);
    return stack;
  };
  let atUs = 0;
  p.samples.forEach((id, i) => {
    const us = p.timeDeltas[i] ?? 0;
    atUs += us;
    const stack = stackOf(id);
    if (stack) visit({ stack, atMs: atUs / 1000, ms: us / 1000 });
  });
}

/** V8's frame for the samples taken while the thread waited (in the event loop). */
export const IDLE = '(idle)';

/** What placeOf calls code of Node itself (node:… URLs). */
export const NODE_INTERNALS = 'node internals';

/** `function dist/chunk-….js:line`; a frame without a URL by its name, native code marked so. */
export function frameName(n: ProfileNode): string {
  const { functionName, url, lineNumber } = n.callFrame;
  const name = functionName || '(anonymous)';
  if (!url) return name.startsWith('(') ? name : `${name} (native)`;
  const where = url.replace(/^file:\/\/.*?\/(dist|node_modules)\//, '$1/');
  return `${name} ${where}:${lineNumber + 1}`;
}

/**
 * Where a frame's code lives: its package (`ink`, `@napi-rs/xattr`), its
 * dist/ chunk (`dist/chunk-….js`), Node's internals, else its URL.
 * Undefined for a frame without a URL: native code, the garbage
 * collector, (program), (idle).
 */
export function placeOf(n: ProfileNode): string | undefined {
  if (!n.callFrame.url) return undefined;
  const u = n.callFrame.url.replace(/^file:\/\//, '');
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u);
  if (nm?.[1]) return nm[1];
  if (u.startsWith('node:')) return NODE_INTERNALS;
  const dist = /\/dist\/([^/]+)$/.exec(u);
  return dist?.[1] ? `dist/${dist[1]}` : u;
}

export interface ProfileSummary {
  totalMs: number;
  /** Of totalMs, the samples in V8's (idle) frame (self[IDLE] too). */
  idleMs: number;
  self: Map<string, number>;
  inclusive: Map<string, number>;
  /** Self time by placeOf, a frame without a URL by its own name. */
  places: Map<string, number>;
  /** Milliseconds by the category of each sample's stack (see summarizeCpuProfile). */
  categories: Map<string, number>;
}

/** Names a sample by its stack (innermost frame first); undefined: "other". */
export type Categorize = (stack: readonly string[]) => string | undefined;

const add = (m: Map<string, number>, k: string, v: number): void => {
  m.set(k, (m.get(k) ?? 0) + v);
};

/**
 * within: count only samples with a frame whose name starts with it (e.g.
 * 'flush dist/'); categorize: a bucket for each sample's stack. A recursive
 * function is counted once per sample in its inclusive time.
 */
export function summarizeCpuProfile(
  p: CpuProfile,
  within?: string,
  categorize?: Categorize,
): ProfileSummary {
  // By leaf first, so that each stack's frames are named once.
  const byLeaf = new Map<ProfileNode, { stack: Stack; ms: number }>();
  forEachSample(p, ({ stack, ms }) => {
    const seen = byLeaf.get(stack[0]);
    if (seen) seen.ms += ms;
    else byLeaf.set(stack[0], { stack, ms });
  });
  const s: ProfileSummary = {
    totalMs: 0,
    idleMs: 0,
    self: new Map(),
    inclusive: new Map(),
    places: new Map(),
    categories: new Map(),
  };
  for (const { stack, ms } of byLeaf.values()) {
    const names = stack.map(frameName);
    if (within !== undefined && !names.some((n) => n.startsWith(within))) continue;
    const [leaf] = stack;
    const name = frameName(leaf);
    s.totalMs += ms;
    if (name === IDLE) s.idleMs += ms;
    add(s.self, name, ms);
    add(s.places, placeOf(leaf) ?? name, ms);
    for (const n of new Set(names)) add(s.inclusive, n, ms);
    if (categorize) add(s.categories, categorize(names) ?? 'other', ms);
  }
  return s;
}

export interface TimelineStep {
  startMs: number;
  busyMs: number;
  /** busyMs by the phase of each sample. */
  phases: Map<string, number>;
}

/**
 * Busy time in steps of stepMs since the profile started (a sample goes to
 * the step it was taken in), each sample under the phase phaseOf names for
 * its stack. Steps the thread spent idle are left out.
 */
export function busyTimeline(
  p: CpuProfile,
  stepMs: number,
  phaseOf: (stack: Stack) => string,
): TimelineStep[] {
  const steps = new Map<number, TimelineStep>();
  forEachSample(p, ({ stack, atMs, ms }) => {
    if (frameName(stack[0]) === IDLE) return;
    const startMs = Math.floor(atMs / stepMs) * stepMs;
    let step = steps.get(startMs);
    if (!step) steps.set(startMs, (step = { startMs, busyMs: 0, phases: new Map() }));
    step.busyMs += ms;
    add(step.phases, phaseOf(stack), ms);
  });
  return [...steps.values()].sort((a, b) => a.startMs - b.startMs);
}

export function loadCpuProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

/**
 * The .cpuprofile node's main thread wrote into dir. Node names each file
 * CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile, and every worker
 * thread writes one of its own (the importer hashes large images in one):
 * the main thread's id is 0.
 */
export function findCpuProfile(dir: string): string {
  const files = readdirSync(dir).filter((f) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(f));
  if (files.length !== 1 || files[0] === undefined)
    throw new Error(`expected one main-thread .cpuprofile in ${dir}, found ${files.length}`);
  return join(dir, files[0]);
}

/** The summary of the main thread's profile in dir (see findCpuProfile). */
export function readCpuProfile(
  dir: string,
  within?: string,
  categorize?: Categorize,
): ProfileSummary {
  return summarizeCpuProfile(loadCpuProfile(findCpuProfile(dir)), within, categorize);
}

/** Rows "function, ms, share" of the n largest, for a Markdown table. */
export function topFunctions(m: Map<string, number>, totalMs: number, n: number): string[][] {
  return [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, v]) => [
      `\`${name}\``,
      `${v.toFixed(0)} ms`,
      `${((100 * v) / totalMs).toFixed(1)}%`,
    ]);
}
