/**
 * Naming the image layer wherever a lower is named, on a real 3-lower
 * overlay (lowerdir=top:mid:bottom, labelled as an image's layers 3, 2, 1):
 * a copy-up from the middle layer is named as layer 2 by diff and by the
 * live stream, in text and JSON; without labels the wording is as before.
 */
import { appendFileSync, chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffOutput } from '../src/commands/diff.js';
import { eventJson, eventLine } from '../src/engine/watch/event-format.js';
import { UpperWatcher } from '../src/engine/watch/upper-watcher.js';
import { collectEvents } from './support/watch-events.js';
import type { ChangeEvent, UpperChange } from '../src/overlay/index.js';
import type { LayerLabel } from '../src/overlay/layer-label.js';
import { explain } from '../src/ui/inspector/explain.js';
import { eventText } from '../src/ui/app/feed-lines.js';
import { mountOverlay, overlayDirs, unmountOverlay } from './support/overlay-mount.js';
import { mountsUnder, removeRoot, tempRoot } from './support/state-root.js';

let root: string;
let lowers: string[];

const id = (c: string): string => `sha256:${c.repeat(64)}`;
/** Topmost first, as a container records them. */
const LABELS: LayerLabel[] = [
  { number: 3, diffId: id('c'), createdBy: '/bin/sh -c echo motd > /etc/motd' },
  { number: 2, diffId: id('b'), createdBy: '/bin/sh -c echo mid >> /etc/passwd' },
  { number: 1, diffId: id('a'), createdBy: '/bin/sh -c #(nop) ADD file:abc in / ' },
];

function layer(dir: string, files: Record<string, string>): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

beforeAll(() => {
  root = tempRoot('ovt-layer-names-');
  const bottom = layer(join(root, 'l1'), {
    'etc/passwd': 'root:x:0:0::/root:/bin/sh\n',
    'etc/hosts': '127.0.0.1 localhost\n',
    'bin/ls': 'ELF',
  });
  const mid = layer(join(root, 'l2'), { 'etc/passwd': 'root:x:0:0::/root:/bin/sh\nmid\n' });
  const top = layer(join(root, 'l3'), { 'etc/motd': 'hello\n' });
  lowers = [top, mid, bottom];
});

afterAll(() => removeRoot(root));

const has = (kind: string, path: string) => (all: ChangeEvent[]) =>
  all.some((e) => e.kind === kind && e.path === path);

describe('a 3-layer stack, mounted', () => {
  it('names the layer each copy-up comes from and each whiteout hides, in watch and diff', async () => {
    const dirs = overlayDirs(root, lowers, 'x');
    mountOverlay(dirs);
    let events: ChangeEvent[];
    try {
      const w = new UpperWatcher({ upperDir: dirs.upper, lowerDirs: lowers });
      await w.start();
      try {
        const got = collectEvents(
          w,
          (all) =>
            ['/etc/passwd', '/bin/ls', '/etc/motd'].every(
              (p) => has('copy-up', p)(all) || has('delete', p)(all),
            ),
          3000,
        );
        appendFileSync(join(dirs.merged, 'etc/passwd'), 'hi\n'); // from the middle layer
        rmSync(join(dirs.merged, 'bin/ls')); // the bottom layer's
        chmodSync(join(dirs.merged, 'etc/motd'), 0o600); // the top layer's
        events = await got;
      } finally {
        await w.close();
      }
    } finally {
      unmountOverlay(dirs.merged);
    }
    expect(mountsUnder(root)).toEqual([]);

    const at = (path: string): ChangeEvent => {
      const e = events.find((x) => x.path === path && x.kind !== 'modify');
      if (!e) throw new Error(`no event for ${path}: ${JSON.stringify(events)}`);
      return e;
    };
    const line = (path: string): string => eventLine(at(path), LABELS).slice(13); // without the clock
    // 30 B copied: the middle layer's passwd (the bottom one's is 26 B).
    expect(line('/etc/passwd')).toBe(
      'copy-up /etc/passwd (data, 30 B copied, now 33 B) from layer 2 (RUN echo mid >> /etc/passwd)',
    );
    expect(line('/bin/ls')).toBe('delete  /bin/ls (whiteout) over layer 1 (ADD file:abc in /)');
    expect(line('/etc/motd')).toBe(
      'copy-up /etc/motd (metadata, 6 B copied, now 6 B) from layer 3 (RUN echo motd > /etc/motd)',
    );
    expect(JSON.parse(eventJson(at('/etc/passwd'), LABELS))).toMatchObject({
      kind: 'copy-up',
      layer: { number: 2, diffId: id('b') },
    });
    // The feed's row, and the same lines without labels (an older record): as before.
    expect(eventText(at('/etc/passwd'), LABELS)).toBe(
      'copy-up  /etc/passwd  data, 30 B copied, from layer 2 (RUN echo mid >> /etc/passwd)',
    );
    expect(eventLine(at('/etc/passwd')).slice(13)).toBe(
      'copy-up /etc/passwd (data, 30 B copied, now 33 B)',
    );
    expect(eventJson(at('/etc/passwd'))).not.toContain('layer');

    expect(diffOutput(dirs.upper, { lowers, layers: LABELS }, false)).toBe(
      [
        'C /bin   copy-up: directory, from layer 1 (ADD file:abc in /)',
        'D /bin/ls   whiteout over layer 1 (ADD file:abc in /)',
        'C /etc   copy-up: directory, from layer 3 (RUN echo motd > /etc/motd)',
        'C /etc/motd   copy-up: metadata (mode), from layer 3 (RUN echo motd > /etc/motd)',
        'C /etc/passwd   copy-up: data, from layer 2 (RUN echo mid >> /etc/passwd)',
        '',
      ].join('\n'),
    );
    const json = JSON.parse(diffOutput(dirs.upper, { lowers, layers: LABELS }, true)) as {
      path: string;
      lower?: object;
    }[];
    expect(json.find((r) => r.path === '/etc/passwd')?.lower).toEqual({
      layer: 1,
      path: '/etc/passwd',
      type: 'file',
      number: 2,
      diffId: id('b'),
    });
    expect(diffOutput(dirs.upper, { lowers }, false)).toContain('C /etc/passwd   copy-up: data\n');
  });
});

describe('the words for one layer or several', () => {
  const copied: UpperChange = {
    path: '/etc/passwd',
    type: 'file',
    kind: 'copied-up',
    lower: { layer: 1, path: '/etc/passwd', type: 'file' },
    changes: { data: 'changed', mode: false, owner: false, mtime: true },
  };
  const whiteout: UpperChange = {
    path: '/bin/ls',
    type: 'char',
    kind: 'whiteout',
    lower: { layer: 2, path: '/bin/ls', type: 'file' },
  };

  it('the inspector says which layer the copy came from, or hides', () => {
    expect(explain({ change: copied, labels: LABELS })).toBe(
      "Copied up from layer 2 (RUN echo mid >> /etc/passwd) when it was opened for writing: lower still holds the original, merged shows upper's copy.",
    );
    expect(explain({ change: whiteout, labels: LABELS })).toBe(
      'Deleted: upper holds a whiteout (a 0/0 character device) that hides the file in layer 1 (ADD file:abc in /); merged shows nothing here.',
    );
  });

  it('a one-layer image, or a record without labels, says nothing of layers', () => {
    const one = [{ number: 1, diffId: id('a'), createdBy: 'ADD file:abc in /' }];
    const flat = { ...copied, lower: { layer: 0, path: '/etc/passwd', type: 'file' as const } };
    for (const labels of [one, undefined]) {
      expect(explain({ change: flat, labels })).toBe(
        "Copied up when it was opened for writing: lower still holds the original, merged shows upper's copy.",
      );
    }
    const event: ChangeEvent = {
      time: 0,
      kind: 'copy-up',
      path: '/etc/passwd',
      type: 'file',
      bytes: 10,
      changed: 'data',
      lower: 0,
    };
    expect(eventText(event, one)).toBe('copy-up  /etc/passwd  data, 10 B copied');
    expect(eventLine(event, one)).not.toContain('layer');
    // JSON carries the layer whenever it is known, one layer included.
    expect(JSON.parse(eventJson(event, one))).toMatchObject({ layer: { number: 1 } });
  });
});
