/**
 * The layer report's figures against what the layer tars hold: tars
 * written from entry lists, extracted with the project's extractor, their
 * whiteouts made into the kernel's form, reported; and the same figures
 * computed by hand from the entry lists (test/support/layer-tars.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reportLayers, type ImageFigures } from '../src/engine/layers/layer-report.js';
import type { LayerLabel } from '../src/overlay/layer-label.js';
import { expectedFigures, extractLayerDir, randomLayer, STORY } from './support/layer-tars.js';
import { Rng } from './support/overlay-rng.js';
import type { TarEntry } from './support/tarballs.js';

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync('/tmp/ovt-layer-report-');
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const bytes = (n: number): Buffer => Buffer.alloc(n, 0x78);

/** Extracts each layer into tmp/L<n> and reports them, with every wasted path kept. */
async function report(layers: TarEntry[][]): Promise<ImageFigures> {
  const stack: { dir: string; label: LayerLabel }[] = [];
  for (const [i, entries] of layers.entries()) {
    const dir = join(tmp, `L${i + 1}`);
    const diffId = await extractLayerDir(entries, dir);
    stack.push({ dir, label: { number: i + 1, diffId, createdBy: `RUN step ${i + 1}` } });
  }
  return reportLayers(stack, { top: 10_000 });
}

function wastedLines(figures: ImageFigures, layer: number): string[] {
  const l = figures.layers[layer];
  return (l?.topWasted ?? []).map((w) => `${w.path} ${w.bytes} ${w.by}`).sort();
}

function expectMatchesModel(figures: ImageFigures, layers: TarEntry[][]): void {
  const want = expectedFigures(layers);
  expect(figures.layers.length).toBe(layers.length);
  want.forEach((w, i) => {
    const got = figures.layers[i];
    const { wasted, ...counts } = w;
    expect(
      {
        added: got?.added,
        changed: got?.changed,
        deleted: got?.deleted,
        opaque: got?.opaque,
        sizeBytes: got?.sizeBytes,
        wastedBytes: got?.wastedBytes,
      },
      `layer ${i + 1}`,
    ).toEqual(counts);
    expect(got?.entries).toBe(counts.added + counts.changed + counts.deleted);
    expect(wastedLines(figures, i), `layer ${i + 1}'s wasted paths`).toEqual(wasted);
  });
  const size = want.reduce((s, w) => s + w.sizeBytes, 0);
  const wasted = want.reduce((s, w) => s + w.wastedBytes, 0);
  expect(figures.total.sizeBytes).toBe(size);
  expect(figures.total.wastedBytes).toBe(wasted);
}

describe('reportLayers', () => {
  it('counts what each layer of a real-looking stack adds, changes, deletes and wastes', async () => {
    const figures = await report(STORY);
    const counts = figures.layers.map((l) => [l.added, l.changed, l.deleted, l.opaque]);
    expect(counts).toEqual([
      [17, 0, 0, 0],
      [4, 7, 1, 1],
      [0, 3, 2, 0],
      [0, 1, 1, 0],
    ]);
    expect(figures.layers.map((l) => l.sizeBytes)).toEqual([2560, 990, 50, 0]);
    // Layer 1 keeps only /etc/group's 10 bytes in view; layer 2 loses opt/app/log.
    expect(figures.layers.map((l) => l.wastedBytes)).toEqual([2550, 70, 0, 0]);
    expect(wastedLines(figures, 0)).toEqual([
      '/bin/busybox 1000 4', // its hard link /bin/sh went first (layer 3): the data stayed until now
      '/etc/hosts 50 3', // a chmod rewrites the whole file in a new layer
      '/etc/passwd 100 2',
      '/opt 300 3', // a directory deleted whole is one path
      '/srv/old 200 2', // the renamed directory's old copy
      '/usr/lib 900 2', // hidden by the opaque directory
    ]);
    expect(wastedLines(figures, 1)).toEqual(['/opt 70 3']);
    expect(figures.total).toMatchObject({ sizeBytes: 3600, wastedBytes: 2620 });
    expect(figures.total.efficiency).toBeCloseTo(980 / 3600, 10);
    expect(figures.total.topWasted.slice(0, 3)).toEqual([
      { path: '/bin/busybox', bytes: 1000, by: 4, layer: 1 },
      { path: '/usr/lib', bytes: 900, by: 2, layer: 1 },
      { path: '/opt', bytes: 300, by: 3, layer: 1 },
    ]);
    expect(figures.layers[2]).toMatchObject({ number: 3, createdBy: 'RUN step 3' });
    expect(figures.layers[2]?.diffId).toMatch(/^sha256:[0-9a-f]{64}$/);
    // And the model agrees with the figures read above by hand.
    expectMatchesModel(figures, STORY);
  });

  it('keeps only the biggest wasted paths when asked for a few', async () => {
    const dirs = [];
    for (const [i, entries] of STORY.entries()) {
      const dir = join(tmp, `L${i + 1}`);
      await extractLayerDir(entries, dir);
      dirs.push({ dir, label: { number: i + 1, diffId: `sha256:${i}`, createdBy: '' } });
    }
    const figures = reportLayers(dirs, { top: 2 });
    expect(figures.layers[0]?.topWasted.map((w) => w.path)).toEqual(['/bin/busybox', '/usr/lib']);
    expect(figures.total.topWasted.map((w) => w.bytes)).toEqual([1000, 900]);
    expect(figures.layers[0]?.wastedBytes).toBe(2550); // the sum still counts every path
  });

  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`agrees with the entry lists on random layers (seed ${seed})`, async () => {
      const rng = new Rng(seed);
      const layers = Array.from({ length: rng.int(3, 6) }, () => randomLayer(rng));
      const figures = await report(layers);
      expectMatchesModel(figures, layers);
      // Something happened: the random layers do meet each other.
      expect(figures.total.wastedBytes).toBeGreaterThan(0);
      expect(figures.layers.some((l) => l.deleted > 0 && l.changed > 0)).toBe(true);
    });
  }

  it('names paths that are not UTF-8 by their bytes', () => {
    const name = Buffer.from([0x66, 0xff]);
    const l1 = join(tmp, 'L1');
    const l2 = join(tmp, 'L2');
    mkdirSync(l1);
    mkdirSync(l2);
    writeFileSync(Buffer.concat([Buffer.from(`${l1}/`), name]), bytes(42));
    writeFileSync(Buffer.concat([Buffer.from(`${l2}/`), name]), bytes(7));
    const label = (n: number): LayerLabel => ({ number: n, diffId: `sha256:${n}`, createdBy: '' });
    const figures = reportLayers([
      { dir: l1, label: label(1) },
      { dir: l2, label: label(2) },
    ]);
    expect(figures.layers[1]).toMatchObject({ added: 0, changed: 1, sizeBytes: 7 });
    expect(figures.layers[0]?.topWasted).toEqual([{ path: '/f\xff', bytes: 42, by: 2 }]);
  });
});
