/**
 * Where the importer's time goes: runs import-only.js once under
 * `node --cpu-prof` on a fresh state root and prints the functions with the
 * most self time and the most inclusive time, as Markdown. Synchronous fs
 * calls show as their native frame (open, mkdir, symlink...), so kernel
 * time spent in a syscall is attributed to the JS function that made it.
 *
 *   node dist/bench/profile-import.js [IMAGE]   (default: the generated rootfs)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { importOnlyJs, checkPrerequisites } from './lib/paths.js';
import { cleanupSandboxes, makeSandbox, syncDisks } from './lib/sandbox.js';
import { markdownTable } from './lib/report.js';
import { ensureRootfsTarball } from './gen-rootfs.js';

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

/** "openSync node:fs:570", "writeFile dist/engine/image/extract.js:137", "open (native)". */
function frameName(n: ProfileNode): string {
  const { functionName, url, lineNumber } = n.callFrame;
  const name = functionName || '(anonymous)';
  if (!url) return name.startsWith('(') ? name : `${name} (native)`;
  const where = url.replace(/^file:\/\/.*?\/(dist|node_modules)\//, '$1/');
  return `${name} ${where}:${lineNumber + 1}`;
}

/** Self and inclusive milliseconds per frame name (a frame counted once per stack). */
export function summarizeProfile(p: Profile): {
  total: number;
  self: Map<string, number>;
  incl: Map<string, number>;
} {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const perNode = new Map<number, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const us = p.timeDeltas[i] ?? 0;
    perNode.set(id, (perNode.get(id) ?? 0) + us);
    total += us;
  });
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  for (const [id, us] of perNode) {
    const node = byId.get(id);
    if (!node) continue;
    self.set(frameName(node), (self.get(frameName(node)) ?? 0) + us / 1000);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (!n) break;
      const name = frameName(n);
      if (seen.has(name)) continue;
      seen.add(name);
      incl.set(name, (incl.get(name) ?? 0) + us / 1000);
    }
  }
  return { total: total / 1000, self, incl };
}

/** Coarse buckets for "where does the time go": the kernel's, hashing, JS (ours, deps, Node's). */
function category(frame: string): string {
  const [name = '', where] = frame.split(' ');
  if (name === '(idle)') return 'idle (waiting for asynchronous reads)';
  if (name === '(garbage collector)') return 'garbage collector';
  if (where === '(native)') {
    return /^(open|close|mkdir|symlink|link|writeBuffer|writeString|read|fchown|fchmod|futimes|lchown|lutimes|chown|chmod|utimes|rename|rmdir|unlink|lstat|stat|readdir)$/.test(
      name,
    )
      ? "synchronous fs calls (kernel time: the disk's cost)"
      : 'other native';
  }
  if (where?.startsWith('node:internal/crypto')) return 'sha256 of the image file';
  if (where?.startsWith('dist/')) return 'engine JS (dist/)';
  const dep = /^node_modules\/((@[^/]+\/)?[^/]+)/.exec(where ?? '');
  if (dep) return `JS of ${dep[1]}`;
  if (where?.startsWith('node:')) return 'Node internals (streams, events, fs wrappers, loader)';
  return 'other';
}

function byCategory(self: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [frame, v] of self) out.set(category(frame), (out.get(category(frame)) ?? 0) + v);
  return out;
}

function topRows(m: Map<string, number>, total: number, n: number): string[][] {
  return [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, v]) => [
      `\`${name}\``,
      `${v.toFixed(0)} ms`,
      `${((100 * v) / total).toFixed(1)}%`,
    ]);
}

function main(): void {
  checkPrerequisites();
  const image = process.argv[2] ?? ensureRootfsTarball().path;
  const box = makeSandbox('profile');
  try {
    syncDisks();
    const profDir = join(box, 'prof');
    const r = spawnSync(
      process.execPath,
      ['--cpu-prof', `--cpu-prof-dir=${profDir}`, importOnlyJs, join(box, 'root'), image],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`import-only failed: ${r.stderr}`);
    const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('no .cpuprofile written');
    const p = JSON.parse(readFileSync(join(profDir, file), 'utf8')) as Profile;
    const { total, self, incl } = summarizeProfile(p);
    const head = ['Function', 'ms', 'share'];
    process.stdout.write(
      [
        `### CPU profile of one import of ${image}`,
        '',
        `import-only reported: ${r.stdout.trim()}`,
        `Profile total: ${total.toFixed(0)} ms.`,
        '',
        '**Self time by category**',
        '',
        markdownTable(['Category', 'ms', 'share'], topRows(byCategory(self), total, 20)),
        '',
        '**Self time**',
        '',
        markdownTable(head, topRows(self, total, 15)),
        '',
        '**Inclusive time**',
        '',
        markdownTable(head, topRows(incl, total, 25)),
        '',
      ].join('\n'),
    );
  } finally {
    cleanupSandboxes();
  }
}

main();
