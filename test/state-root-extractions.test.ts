/**
 * Extractions left by a killed import (layers/.tmp-*, a layer being
 * extracted, and images/.tmp-*, a record being written) are removed by
 * every command at start, never one whose importer still runs (issue 8,
 * section 3; issue 9): the owner is the pid and start time in the
 * directory's name.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processRef, type ProcessRef } from '../src/engine/proc.js';
import { cli } from './support/cli.js';
import { startCli } from './support/spawn-cli.js';
import { removeRoot, tempRoot } from './support/state-root.js';
import { writeBigTar } from './support/tarballs.js';

let root: string;

beforeEach(() => {
  root = tempRoot('ovt-tmpx-');
  expect(cli(['ps', '--root', root]).code).toBe(0);
});

afterEach(() => removeRoot(root));

const tmpNames = (where = 'layers'): string[] =>
  readdirSync(join(root, where)).filter((n) => n.startsWith('.tmp-'));

/** A layer extraction directory with some content, as an importer leaves it. */
function extraction(owner: ProcessRef, suffix: string): string {
  const name = `.tmp-${owner.pid}-${owner.start}-${suffix}`;
  mkdirSync(join(root, 'layers', name, 'diff', 'bin'), { recursive: true });
  writeFileSync(join(root, 'layers', name, 'diff', 'bin', 'half'), 'x'.repeat(4096));
  return name;
}

/** The reference of a process that ran and is gone: as an importer killed with -9. */
async function deadRef(): Promise<ProcessRef> {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  const exited = new Promise((r) => child.once('exit', r));
  const ref = processRef(child.pid ?? 0);
  child.kill('SIGKILL');
  await exited;
  if (!ref) throw new Error('no /proc entry for the child');
  return ref;
}

describe('.tmp-* extractions', () => {
  it('any command removes one whose importer is gone, and keeps one whose importer runs', async () => {
    const me = processRef(process.pid);
    if (!me) throw new Error('no /proc/self/stat');
    const dead = extraction(await deadRef(), '0000dead');
    // Our own pid, another start time: the pid was reused by a live process.
    const reused = extraction({ pid: me.pid, start: me.start + 1 }, '0000beef');
    const live = extraction(me, '0000cafe');
    const ps = cli(['ps', '--root', root]);
    expect(ps.code, ps.stderr).toBe(0);
    expect(ps.stderr).toBe('');
    expect(tmpNames()).toEqual([live]);
    expect(tmpNames()).not.toContain(dead);
    expect(tmpNames()).not.toContain(reused);
  });

  it('clean reports each it removed, in layers/ and images/', async () => {
    const ref = await deadRef();
    const dead = extraction(ref, '00000001');
    const record = `.tmp-${ref.pid}-${ref.start}-00000002`;
    mkdirSync(join(root, 'images', record));
    writeFileSync(join(root, 'images', record, 'image.json'), '{}');
    const r = cli(['clean', '--root', root]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      `interrupted extraction layers/${dead}: removed\ninterrupted extraction images/${record}: removed\n`,
    );
    expect(tmpNames()).toEqual([]);
    expect(tmpNames('images')).toEqual([]);
  });

  it('an import killed with -9 leaves one, which the next command removes', async () => {
    const image = join(root, 'big.tar');
    await writeBigTar(image, 4000, 4096);
    const run = startCli(['run', '--root', root, '--image', image, '--', 'true']);
    try {
      while (tmpNames().length === 0) {
        const done = await Promise.race([run.exit, new Promise((r) => setTimeout(r, 10))]);
        if (done) throw new Error(`the import ended before it was killed: ${run.stderr()}`);
      }
      run.child.kill('SIGKILL');
      await run.exit;
      expect(tmpNames()).toHaveLength(1);
      const images = cli(['images', '--root', root]);
      expect(images.code, images.stderr).toBe(0);
      expect(tmpNames()).toEqual([]);
      expect(existsSync(join(root, 'layers'))).toBe(true);
      expect(readdirSync(join(root, 'layers'))).toEqual([]); // nothing half-made was kept
      expect(readdirSync(join(root, 'images')).filter((n) => n !== '.sources')).toEqual([]);
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});
