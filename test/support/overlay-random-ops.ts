/**
 * Random file operations through a merged overlay mount, as a container's
 * processes would make them. Targets are picked from what the kernel shows
 * (the last readKernelTree), so a run is a function of its seed.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { MODES, NAMES, OWNERS } from './overlay-random-base.js';
import type { Rng } from './overlay-rng.js';

export interface OpState {
  merged: string;
  /** redirect_dir=on: a lower directory can be renamed; off: EXDEV, and `mv` copies. */
  redirectDir: boolean;
  /** path -> line, from readKernelTree. */
  tree: Map<string, string>;
  /** Directories removed so far: "mkdir over a deleted directory" picks from them. */
  deletedDirs: string[];
  counter: number;
}

export interface Op {
  text: string;
  run: () => void;
}

const WEIGHTS = {
  create: 10,
  write: 6,
  append: 5,
  truncate: 4,
  openTrunc: 2,
  openNoWrite: 2,
  chmod: 6,
  chown: 5,
  touch: 4,
  rm: 8,
  rmdir: 4,
  mkdir: 4,
  mkdirOverDeleted: 3,
  renameFile: 7,
  renameDir: 5,
  link: 4,
  symlink: 4,
  mkfifo: 2,
};

function typeOf(line: string | undefined): string {
  return line?.split(' ')[0] ?? '';
}

function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/')) || '/';
}

function join2(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

export function randomOp(s: OpState, rng: Rng): Op {
  const paths = [...s.tree.keys()];
  const ofType = (...types: string[]) => paths.filter((p) => types.includes(typeOf(s.tree.get(p))));
  const dirs = ofType('dir');
  const files = ofType('file');
  const nonDirs = ofType('file', 'symlink', 'fifo', 'char');
  const any = paths.filter((p) => p !== '/' && typeOf(s.tree.get(p)) !== 'ghost');
  const abs = (p: string) => join(s.merged, p);
  // A name not in use in dir: usually from the pool (so deleted names come back).
  const freshIn = (dir: string) => {
    const free = NAMES.filter((n) => !s.tree.has(join2(dir, n)));
    if (free.length > 0 && rng.chance(0.8)) return join2(dir, rng.pick(free));
    // Earlier phases may have used n1, n2... too.
    let p: string;
    do p = join2(dir, `n${++s.counter}`);
    while (s.tree.has(p));
    return p;
  };
  for (;;) {
    const kind = rng.weighted(WEIGHTS);
    const op = build(kind);
    if (op) return op;
  }

  function build(kind: keyof typeof WEIGHTS): Op | undefined {
    switch (kind) {
      case 'create': {
        const p = freshIn(rng.pick(dirs));
        const data = rng.bytes(rng.int(0, 64));
        return {
          text: `create ${p} (${data.length} bytes)`,
          // O_EXCL: never open an existing fifo (that would block for good).
          run: () => fs.writeFileSync(abs(p), data, { flag: 'wx' }),
        };
      }
      case 'write':
      case 'append':
      case 'truncate':
      case 'openTrunc':
      case 'openNoWrite':
        return files.length > 0 ? fileOp(kind, rng.pick(files)) : undefined;
      case 'chmod': {
        const targets = any.filter((p) => typeOf(s.tree.get(p)) !== 'symlink');
        if (targets.length === 0) return undefined;
        const p = rng.pick(targets);
        const mode = rng.pick(MODES);
        return { text: `chmod ${mode.toString(8)} ${p}`, run: () => fs.chmodSync(abs(p), mode) };
      }
      case 'chown': {
        if (any.length === 0) return undefined;
        const [p, u, g] = [rng.pick(any), rng.pick(OWNERS), rng.pick(OWNERS)];
        return { text: `chown -h ${u}:${g} ${p}`, run: () => fs.lchownSync(abs(p), u, g) };
      }
      case 'touch': {
        if (any.length === 0) return undefined;
        const p = rng.pick(any);
        const t = rng.int(1_000_000, 2_000_000_000);
        return { text: `touch -h -d @${t} ${p}`, run: () => fs.lutimesSync(abs(p), t, t) };
      }
      case 'rm': {
        if (nonDirs.length === 0) return undefined;
        const p = rng.pick(nonDirs);
        return { text: `rm ${p}`, run: () => fs.unlinkSync(abs(p)) };
      }
      case 'rmdir': {
        const targets = dirs.filter((d) => d !== '/');
        if (targets.length === 0) return undefined;
        const p = rng.pick(targets);
        s.deletedDirs.push(p);
        return { text: `rm -rf ${p}`, run: () => fs.rmSync(abs(p), { recursive: true }) };
      }
      case 'mkdir': {
        const p = freshIn(rng.pick(dirs));
        return { text: `mkdir ${p}`, run: () => fs.mkdirSync(abs(p)) };
      }
      case 'mkdirOverDeleted': {
        const targets = s.deletedDirs.filter((d) => !s.tree.has(d) && s.tree.has(parentOf(d)));
        if (targets.length === 0) return undefined;
        const p = rng.pick(targets);
        return { text: `mkdir ${p} (deleted before)`, run: () => fs.mkdirSync(abs(p)) };
      }
      case 'renameFile': {
        if (nonDirs.length === 0) return undefined;
        const from = rng.pick(nonDirs);
        // Sometimes over an existing non-directory (rename replaces it).
        const over = nonDirs.filter((p) => p !== from);
        const to = over.length > 0 && rng.chance(0.3) ? rng.pick(over) : freshIn(rng.pick(dirs));
        return { text: `mv ${from} ${to}`, run: () => fs.renameSync(abs(from), abs(to)) };
      }
      case 'renameDir':
        return renameDir();
      case 'link': {
        if (nonDirs.length === 0) return undefined;
        const [from, to] = [rng.pick(nonDirs), freshIn(rng.pick(dirs))];
        return { text: `ln ${from} ${to}`, run: () => fs.linkSync(abs(from), abs(to)) };
      }
      case 'symlink': {
        const p = freshIn(rng.pick(dirs));
        const target = rng.pick(['a', '../b', '/bin/sh', 'nowhere', '.']);
        return { text: `ln -s ${target} ${p}`, run: () => fs.symlinkSync(target, abs(p)) };
      }
      case 'mkfifo': {
        const p = freshIn(rng.pick(dirs));
        return { text: `mkfifo ${p}`, run: () => execFileSync('mkfifo', [abs(p)]) };
      }
    }
  }

  function fileOp(kind: string, p: string): Op {
    const size = Number(/size=(\d+)/.exec(s.tree.get(p) ?? '')?.[1] ?? 0);
    switch (kind) {
      case 'write': {
        const [data, at] = [rng.bytes(rng.int(1, 40)), rng.int(0, size)];
        return {
          text: `write ${data.length} bytes at ${at} of ${p}`,
          run: () => writeAt(abs(p), data, at),
        };
      }
      case 'append': {
        const data = rng.bytes(rng.int(1, 40));
        return {
          text: `append ${data.length} bytes to ${p}`,
          run: () => fs.appendFileSync(abs(p), data),
        };
      }
      case 'truncate': {
        const len = rng.int(0, size + 30);
        return { text: `truncate -s ${len} ${p}`, run: () => fs.truncateSync(abs(p), len) };
      }
      case 'openTrunc':
        return {
          text: `: > ${p} (O_TRUNC, no write)`,
          run: () => fs.closeSync(fs.openSync(abs(p), 'w')),
        };
      default:
        return {
          text: `open ${p} O_RDWR, no write`,
          run: () => fs.closeSync(fs.openSync(abs(p), 'r+')),
        };
    }
  }

  function renameDir(): Op | undefined {
    const sources = dirs.filter((d) => d !== '/');
    if (sources.length === 0) return undefined;
    const from = rng.pick(sources);
    const targets = dirs.filter((d) => d !== from && !d.startsWith(`${from}/`));
    const to = freshIn(rng.pick(targets));
    return {
      text: `mv ${from} ${to}${s.redirectDir ? '' : ' (copy + delete on EXDEV)'}`,
      run: () => {
        try {
          fs.renameSync(abs(from), abs(to));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
          // What mv(1) does when rename(2) says EXDEV: copy, then delete.
          // Its stderr goes with the error into the replay log, not onto the test output.
          execFileSync('mv', ['--no-target-directory', abs(from), abs(to)], { stdio: 'pipe' });
        }
      },
    };
  }
}

function writeAt(path: string, data: Buffer, at: number): void {
  const fd = fs.openSync(path, 'r+');
  try {
    fs.writeSync(fd, data, 0, data.length, at);
  } finally {
    fs.closeSync(fd);
  }
}
