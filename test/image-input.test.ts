/**
 * --image takes a regular file (or a symlink to one): anything else is
 * refused before it is read (issue 8, section 3). A FIFO once hung the
 * import, deaf to SIGTERM, and /dev/urandom was called "empty (0 bytes)".
 * Refusals are overlay-tui's own failures: exit 125, one line.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runIn, type CliResult } from './support/cli.js';
import { DEFAULT_IMAGE_PATH } from './support/paths.js';
import { removeRoot, tempRoot } from './support/state-root.js';

let box: string;
let root: string;

beforeEach(() => {
  box = tempRoot('ovt-input-');
  root = join(box, 'root');
});

afterEach(() => removeRoot(box));

/**
 * The CLI, killed if it has not ended in 20 s (code null then): the bound
 * is only there so that a hang fails the test instead of the suite.
 */
function runImage(image: string): CliResult {
  return runIn(root, ['true'], ['--image', image], { timeout: 20_000, killSignal: 'SIGKILL' });
}

function expectRefused(r: CliResult, image: string, what: RegExp): void {
  expect(r.code, r.stderr).toBe(125);
  expect(r.stderr).toMatch(/^overlay-tui: [^\n]+\n$/);
  expect(r.stderr).toContain(`image ${image} `);
  expect(r.stderr).toMatch(what);
  expect(readdirSync(join(root, 'images')).filter((n) => n !== '.sources')).toEqual([]);
  expect(readdirSync(join(root, 'layers'))).toEqual([]);
}

describe('--image refuses anything but a regular file, before reading it', () => {
  it('a FIFO: refused at once, the command ends', () => {
    const fifo = join(box, 'image.fifo');
    execFileSync('mkfifo', [fifo]);
    expectRefused(runImage(fifo), fifo, /is a FIFO/);
  });

  it('a symlink to a FIFO: what it names is checked', () => {
    const fifo = join(box, 'image.fifo');
    execFileSync('mkfifo', [fifo]);
    const link = join(box, 'link.tar');
    symlinkSync(fifo, link);
    expectRefused(runImage(link), link, /is a FIFO/);
  });

  it('/dev/urandom: a character device, not "empty"', () => {
    const r = runImage('/dev/urandom');
    expectRefused(r, '/dev/urandom', /is a character device/);
    expect(r.stderr).not.toContain('empty');
  });

  it('a directory that is not an OCI layout', () => {
    const dir = join(box, 'layout');
    mkdirSync(dir);
    expectRefused(runImage(dir), dir, /is a directory but not an OCI image layout/);
  });

  it("a symlink to a regular tarball is the user's own path: followed and imported", () => {
    const link = join(box, 'busybox-link.tar');
    symlinkSync(DEFAULT_IMAGE_PATH, link);
    const r = runImage(link);
    expect(r.code, r.stderr).toBe(0);
  });
});
