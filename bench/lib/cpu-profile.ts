/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and answers "where does the
 * time go": self and inclusive milliseconds per function, named
 * `function dist/…/file.js:line` (bundled chunks: the function names are
 * the src/ ones, esbuild keeps them). A recursive function is counted once
 * per sample in its inclusive time.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  self: Map<string, number>;
  inclusive: Map<string, number>;
  /** Milliseconds by the category of each sample's stack (see summarizeCpuProfile). */
  categories: Map<string, number>;
}

/** Names a sample by its stack (innermost frame first); undefined: "other". */
export type Categorize = (stack: readonly string[]) => string | undefined;

function frameName(n: ProfileNode): string {
  const { functionName, url, lineNumber } = n.callFrame;
  const name = functionName || '(anonymous)';
  if (!url) return name.startsWith('(') ? name : `${name} (native)`;
  const where = url.replace(/^file:\/\/.*?\/(dist|node_modules)\//, '$1/');
  return `${name} ${where}:${lineNumber + 1}`;
}

/**
 * within: count only samples with a frame whose name starts with it (e.g.
 * 'flush dist/'); categorize: a bucket for each sample's stack.
 */
export function summarizeCpuProfile(
  p: Profile,
  within?: string,
  categorize?: Categorize,
): ProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inside = (id: number): boolean => {
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (n && within !== undefined && frameName(n).startsWith(within)) return true;
    }
    return within === undefined;
  };
  const perNode = new Map<number, number>();
  let totalUs = 0;
  p.samples.forEach((id, i) => {
    if (!inside(id)) return;
    const us = p.timeDeltas[i] ?? 0;
    perNode.set(id, (perNode.get(id) ?? 0) + us);
    totalUs += us;
  });
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const categories = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, v: number): void => {
    m.set(k, (m.get(k) ?? 0) + v);
  };
  for (const [id, us] of perNode) {
    const node = byId.get(id);
    if (!node) continue;
    add(self, frameName(node), us / 1000);
    const stack: string[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (!n) break;
      stack.push(frameName(n));
    }
    for (const name of new Set(stack)) add(inclusive, name, us / 1000);
    if (categorize) add(categories, categorize(stack) ?? 'other', us / 1000);
  }
  return { totalMs: totalUs / 1000, self, inclusive, categories };
}

/**
 * The .cpuprofile node's main thread wrote into dir. Node names each file
 * CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile, and every worker
 * thread writes one of its own (the importer hashes large images in one):
 * the main thread's id is 0.
 */
export function readCpuProfile(
  dir: string,
  within?: string,
  categorize?: Categorize,
): ProfileSummary {
  const files = readdirSync(dir).filter((f) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(f));
  if (files.length !== 1 || files[0] === undefined)
    throw new Error(`expected one main-thread .cpuprofile in ${dir}, found ${files.length}`);
  const profile = JSON.parse(readFileSync(join(dir, files[0]), 'utf8')) as Profile;
  return summarizeCpuProfile(profile, within, categorize);
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
