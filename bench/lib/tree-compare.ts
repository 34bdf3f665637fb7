/**
 * The extraction benchmark only means something if both tools produce the
 * same tree: before timing, each extracts the file once (which also warms
 * the page cache for the input) and their trees are compared entry by entry.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { importOnlyJs } from './paths.js';
import { syncDisks } from './sandbox.js';

export interface TreeCheck {
  identical: boolean;
  entries: number;
  /** At most five of each side's entries the other lacks. */
  differences: string[];
}

/** One line per entry (type, mode, owner, size of non-directories, link target, mtime). */
function listing(dir: string): string[] {
  const r = spawnSync(
    'find',
    [dir, '-mindepth', '1', '-printf', '%P\t%y\t%m\t%U:%G\t%s\t%l\t%T@\n'],
    {
      encoding: 'utf8',
      maxBuffer: 256 << 20,
    },
  );
  if (r.status !== 0) throw new Error(`find ${dir}: ${r.stderr}`);
  // A directory's size depends on its history in the file system, not on the archive.
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const f = line.split('\t');
      if (f[1] === 'd') f[4] = '-';
      return f.join('\t');
    })
    .sort();
}

/** Untimed: both extract once (this also warms the page cache), and the trees must match. */
export function compareWithTar(file: string, box: string): TreeCheck {
  const tarDir = join(box, 'check-tar');
  const oursRoot = join(box, 'check-ours');
  mkdirSync(tarDir);
  try {
    const t = spawnSync('tar', ['-xf', file, '-C', tarDir], { encoding: 'utf8' });
    if (t.status !== 0) throw new Error(`tar -xf ${file}: ${t.stderr}`);
    const o = spawnSync(process.execPath, [importOnlyJs, oursRoot, file], { encoding: 'utf8' });
    if (o.status !== 0) throw new Error(`import-only ${file}: ${o.stderr}`);
    const lower = (JSON.parse(o.stdout) as { lower: string }).lower;
    const a = listing(tarDir);
    const b = new Set(listing(lower));
    const differences = a
      .filter((l) => !b.has(l))
      .slice(0, 5)
      .map((l) => `tar only: ${l}`);
    const aSet = new Set(a);
    differences.push(
      ...[...b]
        .filter((l) => !aSet.has(l))
        .slice(0, 5)
        .map((l) => `ours only: ${l}`),
    );
    return { identical: differences.length === 0, entries: a.length, differences };
  } finally {
    rmSync(tarDir, { recursive: true, force: true });
    rmSync(oursRoot, { recursive: true, force: true });
    syncDisks();
  }
}
