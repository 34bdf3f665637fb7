/**
 * A stored image is used only if root made it (issue 8, section 2): a
 * planted images/<digest>/ whose directory or record is not root's alone,
 * or whose record does not match its name, is refused, and its /bin/sh
 * never runs.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cli, runIn } from './support/cli.js';
import { removeRoot, tempRoot } from './support/state-root.js';

const NOBODY = 65534;
const MARK = 'PLANTED-SH-RAN';

let source: string; // a state root holding the busybox image, imported once
let digest: string;
let box: string;

beforeAll(() => {
  source = tempRoot('ovt-plant-src-');
  const r = runIn(source, ['true']);
  if (r.code !== 0) throw new Error(r.stderr);
  digest = readdirSync(join(source, 'images')).find((n) => /^[0-9a-f]{64}$/.test(n)) ?? '';
});

afterAll(() => removeRoot(source));

beforeEach(() => {
  box = tempRoot('ovt-plant-');
  expect(cli(['ps', '--root', box]).code).toBe(0);
});

afterEach(() => removeRoot(box));

/** A copy of the real image under box, whose /bin/sh says it ran. */
function plant(): string {
  const dir = join(box, 'images', digest);
  execFileSync('cp', ['-a', join(source, 'images', digest), dir]);
  const sh = join(dir, 'lower', 'bin', 'sh');
  rmSync(sh);
  writeFileSync(sh, `#!/bin/busybox sh\necho ${MARK}\n`, { mode: 0o755 });
  return dir;
}

function expectNotUsed(dir: string, why: string): void {
  const r = runIn(box, ['sh', '-c', 'echo normal']);
  expect(r.stdout).not.toContain(MARK);
  expect(r.code, r.stderr).toBe(125);
  expect(r.stderr).toMatch(/^overlay-tui: [^\n]+\n$/);
  expect(r.stderr).toContain(`refusing the stored image ${dir}`);
  expect(r.stderr).toContain(why);
  const images = cli(['images', '--root', box]);
  expect(images.code).toBe(0);
  expect(images.stdout).not.toContain(digest.slice(0, 12));
  expect(images.stderr).toContain(dir);
}

describe('a planted stored image is not used', () => {
  it('refuses one whose directory and record are owned by another uid', () => {
    const dir = plant();
    chownSync(dir, NOBODY, NOBODY);
    chownSync(join(dir, 'image.json'), NOBODY, NOBODY);
    expectNotUsed(dir, `uid ${NOBODY}`);
  });

  it('refuses one whose record names another digest', () => {
    const dir = plant();
    const file = join(dir, 'image.json');
    const record = JSON.parse(readFileSync(file, 'utf8')) as { digest: string };
    writeFileSync(file, JSON.stringify({ ...record, digest: 'f'.repeat(64) }));
    expectNotUsed(dir, 'names digest');
  });

  it('refuses one whose record is group-writable, or a symlink to a good record', () => {
    const dir = plant();
    const file = join(dir, 'image.json');
    chmodSync(file, 0o664);
    expectNotUsed(dir, 'writable by group or others');
    chmodSync(file, 0o644);
    renameSync(file, join(box, 'image.json'));
    symlinkSync(join(box, 'image.json'), file);
    expectNotUsed(dir, 'symlink');
  });

  it('uses the same copy once it is root-owned and matches (the check is not blanket)', () => {
    const dir = plant();
    rmSync(join(dir, 'lower', 'bin', 'sh'));
    symlinkSync('/bin/busybox', join(dir, 'lower', 'bin', 'sh'));
    const r = runIn(box, ['sh', '-c', 'echo normal']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('normal\n');
  });
});
