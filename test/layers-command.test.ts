/**
 * `overlay-tui layers`: what it prints for an image whose layers were
 * extracted from tars (the four-layer story of test/support/layer-tars.ts),
 * as text and as --json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layersOutput } from '../src/commands/layers.js';
import type { LayeredImage } from '../src/engine/image/image-record.js';
import { extractLayerDir, STORY } from './support/layer-tars.js';
import { cli } from './support/cli.js';

let tmp: string;
let image: LayeredImage;

const HISTORY = [
  '/bin/sh -c #(nop) ADD file:0123456789abcdef in / ',
  '/bin/sh -c echo changed > /etc/passwd && rm -rf /usr/lib/* && mv /srv/old /srv/new',
  '|1 A=1 /bin/sh -c rm -rf /opt /bin/sh && chmod 600 /etc/hosts',
  '/bin/sh -c rm /bin/busybox',
];

beforeAll(async () => {
  tmp = mkdtempSync('/tmp/ovt-layers-cmd-');
  const layers = [];
  for (const [i, entries] of STORY.entries()) {
    const dir = join(tmp, `L${i + 1}`);
    const diffId = await extractLayerDir(entries, dir);
    layers.push({
      dir,
      record: {
        diffId,
        tarSize: 0,
        entries: entries.length,
        bytes: 0,
        whiteouts: 0,
        opaques: 0,
        skipped: [],
        importedAt: '2026-12-04T00:00:00Z',
      },
    });
  }
  image = {
    record: {
      id: 'ab'.repeat(32),
      tags: ['story:latest'],
      layers: layers.map((l) => l.record.diffId),
      config: {
        history: [
          ...HISTORY.slice(0, 1).map((createdBy) => ({ createdBy, emptyLayer: false })),
          { createdBy: '/bin/sh -c #(nop)  ENV A=1', emptyLayer: true },
          ...HISTORY.slice(1).map((createdBy) => ({ createdBy, emptyLayer: false })),
        ],
      },
      source: '/tmp/story.tar',
      form: 'docker-save',
      importedAt: '2026-12-04T00:00:00Z',
    },
    layers,
  };
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('layers', () => {
  it('prints a row per layer, bottom first, with its history, letters, size and waste', () => {
    const out = layersOutput(image, false);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^LAYER +DIFF ID +A +C +D +SIZE +WASTED +CREATED BY$/);
    const row = (n: number): string[] => (lines[n] ?? '').split(/ {3,}/);
    const id = (i: number): string => (image.layers[i]?.record.diffId ?? '').slice(7, 19);
    expect(row(1)).toEqual([
      '1',
      id(0),
      '17',
      '0',
      '0',
      '2.5 KiB',
      '2.5 KiB',
      'ADD file:0123456789abcdef in /',
    ]);
    expect(row(2)).toEqual([
      '2',
      id(1),
      '4',
      '7',
      '1 (+1 opaque)',
      '990 B',
      '70 B',
      'RUN echo changed > /etc/passwd && rm -rf /usr/lib/* && mv /…',
    ]);
    expect(row(3)).toEqual([
      '3',
      id(2),
      '0',
      '3',
      '2',
      '50 B',
      '0 B',
      'RUN rm -rf /opt /bin/sh && chmod 600 /etc/hosts',
    ]);
    expect(row(4)).toEqual(['4', id(3), '0', '1', '1', '0 B', '0 B', 'RUN rm /bin/busybox']);
    expect(out).toContain('\n4 layers, 3.5 KiB of file data, 2.6 KiB wasted (efficiency 27.2 %)\n');
    const top = out.slice(out.indexOf('wasted most'));
    expect(top.split('\n').slice(2, 5)).toEqual([
      '  1000 B   layer 1, lost to layer 4   /bin/busybox',
      '  900 B    layer 1, lost to layer 2   /usr/lib',
      '  300 B    layer 1, lost to layer 3   /opt',
    ]);
  });

  it('gives the full report as JSON, with the layer numbers and diff_ids', () => {
    const json = JSON.parse(layersOutput(image, true)) as {
      image: { id: string; tags: string[] };
      layers: { number: number; diffId: string; wastedBytes: number; topWasted: unknown[] }[];
      total: { sizeBytes: number; wastedBytes: number; topWasted: unknown[] };
    };
    expect(json.image).toEqual({ id: 'ab'.repeat(32), tags: ['story:latest'] });
    expect(json.layers.map((l) => [l.number, l.diffId])).toEqual(
      image.layers.map((l, i) => [i + 1, l.record.diffId]),
    );
    expect(json.layers[1]?.topWasted).toEqual([{ path: '/opt', bytes: 70, by: 3 }]);
    expect(json.total).toMatchObject({ sizeBytes: 3600, wastedBytes: 2620 });
    expect(json.total.topWasted[0]).toEqual({ path: '/bin/busybox', bytes: 1000, by: 4, layer: 1 });
  });

  it('is a command with its own help', () => {
    const r = cli(['layers', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAME\n {4}overlay-tui layers - /);
    const top = cli(['--help']);
    expect(top.stdout).toContain('    layers   what each layer of an image adds');
  });
});
