/**
 * Where the importer's time goes: runs import-only.js once under
 * `node --cpu-prof` on a fresh state root and prints the functions with the
 * most self time and the most inclusive time, as Markdown. Synchronous fs
 * calls show as their native frame (open, mkdir, symlink...), so kernel
 * time spent in a syscall is attributed to the JS function that made it.
 *
 *   node dist/bench/profile-import.js [IMAGE]   (default: the generated rootfs)
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { importOnlyJs, checkPrerequisites } from './lib/paths.js';
import { cleanupSandboxes, makeSandbox, syncDisks } from './lib/sandbox.js';
import { markdownTable } from './lib/report.js';
import { readCpuProfile, topFunctions } from './lib/cpu-profile.js';
import { ensureRootfsTarball } from './gen-rootfs.js';

/** Coarse buckets for "where does the time go": the kernel's, hashing, JS (ours, deps, Node's). */
function category(stack: readonly string[]): string {
  const [name = '', where] = (stack[0] ?? '').split(' ');
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
    const {
      totalMs: total,
      self,
      inclusive: incl,
      categories,
    } = readCpuProfile(profDir, undefined, category);
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
        markdownTable(['Category', 'ms', 'share'], topFunctions(categories, total, 20)),
        '',
        '**Self time**',
        '',
        markdownTable(head, topFunctions(self, total, 15)),
        '',
        '**Inclusive time**',
        '',
        markdownTable(head, topFunctions(incl, total, 25)),
        '',
      ].join('\n'),
    );
  } finally {
    cleanupSandboxes();
  }
}

main();
