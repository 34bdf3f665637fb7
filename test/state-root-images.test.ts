/**
 * A stored image is used only if root made it (issue 8, section 2; issue 9):
 * a planted layers/<diff_id>/ or images/<id>/ whose directory or record is
 * not root's alone, or whose record does not match its name, is refused,
 * and its /bin/sh never runs.
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
let id: string; // its image id
let layer: string; // its one layer's diff_id hex
let box: string;

const hexIn = (dir: string): string => readdirSync(dir).find((n) => /^[0-9a-f]{64}$/.test(n)) ?? '';

beforeAll(() => {
  source = tempRoot('ovt-plant-src-');
  const r = runIn(source, ['true']);
  if (r.code !== 0) throw new Error(r.stderr);
  id = hexIn(join(source, 'images'));
  layer = hexIn(join(source, 'layers'));
});

afterAll(() => removeRoot(source));

beforeEach(() => {
  box = tempRoot('ovt-plant-');
  expect(cli(['ps', '--root', box]).code).toBe(0);
});

afterEach(() => removeRoot(box));

/** A copy of the real image (record and layer) under box, whose /bin/sh says it ran. */
function plant(): { image: string; layer: string } {
  const image = join(box, 'images', id);
  const dir = join(box, 'layers', layer);
  execFileSync('cp', ['-a', join(source, 'images', id), image]);
  execFileSync('cp', ['-a', join(source, 'layers', layer), dir]);
  const sh = join(dir, 'diff', 'bin', 'sh');
  rmSync(sh);
  writeFileSync(sh, `#!/bin/busybox sh\necho ${MARK}\n`, { mode: 0o755 });
  return { image, layer: dir };
}

function expectNotUsed(what: 'image' | 'layer', dir: string, why: string): void {
  const r = runIn(box, ['sh', '-c', 'echo normal']);
  expect(r.stdout).not.toContain(MARK);
  expect(r.code, r.stderr).toBe(125);
  expect(r.stderr).toMatch(/^overlay-tui: [^\n]+\n$/);
  expect(r.stderr).toContain(`refusing the stored ${what} ${dir}`);
  expect(r.stderr).toContain(why);
  const images = cli(['images', '--root', box]);
  expect(images.code).toBe(0);
  expect(images.stdout).not.toContain(id.slice(0, 12));
  expect(images.stderr).toContain(dir);
}

describe('a planted stored image is not used', () => {
  it('refuses a layer whose directory and record are owned by another uid', () => {
    const dir = plant().layer;
    chownSync(dir, NOBODY, NOBODY);
    chownSync(join(dir, 'layer.json'), NOBODY, NOBODY);
    expectNotUsed('layer', dir, `uid ${NOBODY}`);
  });

  it('refuses an image record owned by another uid', () => {
    const dir = plant().image;
    chownSync(join(dir, 'image.json'), NOBODY, NOBODY);
    expectNotUsed('image', dir, `its image.json is owned by uid ${NOBODY}`);
  });

  it('refuses a record that names another id, or a layer record another diff_id', () => {
    const { image, layer: dir } = plant();
    const file = join(image, 'image.json');
    const record = JSON.parse(readFileSync(file, 'utf8')) as { id: string };
    writeFileSync(file, JSON.stringify({ ...record, id: 'f'.repeat(64) }));
    expectNotUsed('image', image, 'names id');
    writeFileSync(file, JSON.stringify(record));
    const layerFile = join(dir, 'layer.json');
    const layerRecord = JSON.parse(readFileSync(layerFile, 'utf8')) as { diffId: string };
    writeFileSync(
      layerFile,
      JSON.stringify({ ...layerRecord, diffId: `sha256:${'e'.repeat(64)}` }),
    );
    expectNotUsed('layer', dir, 'names diff_id');
  });

  it('refuses a record that is group-writable, or a symlink to a good record', () => {
    const dir = plant().layer;
    const file = join(dir, 'layer.json');
    chmodSync(file, 0o664);
    expectNotUsed('layer', dir, 'writable by group or others');
    chmodSync(file, 0o644);
    renameSync(file, join(box, 'layer.json'));
    symlinkSync(join(box, 'layer.json'), file);
    expectNotUsed('layer', dir, 'symlink');
  });

  it('uses the same copy once it is root-owned and matches (the check is not blanket)', () => {
    const dir = plant().layer;
    rmSync(join(dir, 'diff', 'bin', 'sh'));
    symlinkSync('/bin/busybox', join(dir, 'diff', 'bin', 'sh'));
    const r = runIn(box, ['sh', '-c', 'echo normal']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('normal\n');
  });
});
