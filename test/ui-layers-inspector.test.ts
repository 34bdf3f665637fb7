/**
 * The inspector down the stack: a real overlay of three lowers
 * (lowerdir=top:mid:bottom) changed through its mount as a shell would,
 * every version of a path read from the layer directories
 * (stack-versions.ts), two chosen with the keys, their diff, and the
 * InspectorPane drawing it.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createElement } from 'react';
import { classifyLayers } from '../src/engine/layers/classify-container.js';
import { LowerLoader } from '../src/engine/layers/lower-loader.js';
import { scanLayer } from '../src/overlay/index.js';
import { readStackVersions } from '../src/ui/layers/stack-versions.js';
import { defaultPair, stackInspect, movePair } from '../src/ui/inspector/stack-inspect.js';
import { inspectView } from '../src/ui/inspector/inspect-model.js';
import { createAppStore } from '../src/ui/store/app-store.js';
import { paneKey } from '../src/ui/app/keys.js';
import { mountOverlay, overlayDirs, unmountOverlay } from './support/overlay-mount.js';
import { mountsUnder, removeRoot, tempRoot } from './support/state-root.js';

process.env.FORCE_COLOR = '1';
let inkTesting: typeof import('ink-testing-library');
let InspectorPane: typeof import('../src/ui/inspector/InspectorPane.js').InspectorPane;
beforeAll(async () => {
  inkTesting = await import('ink-testing-library');
  ({ InspectorPane } = await import('../src/ui/inspector/InspectorPane.js'));
});
afterEach(() => inkTesting.cleanup());
// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '');

const root = tempRoot('ovt-stack-insp-');
afterAll(() => removeRoot(root));

const stack = [
  { number: 3, diffId: 'sha256:c', createdBy: '/bin/sh -c echo top >> /etc/passwd' },
  {
    number: 2,
    diffId: 'sha256:b',
    createdBy: '/bin/sh -c rm /etc/shadow; echo mid >> /etc/passwd',
  },
  { number: 1, diffId: 'sha256:a', createdBy: '/bin/sh -c #(nop) ADD file:base in /' },
];

/** Three image layers as the store extracts them, mounted and changed through the mount. */
function mountedStack() {
  const [top, mid, bottom] = ['top', 'mid', 'bottom'].map((n) => join(root, n)) as [
    string,
    string,
    string,
  ];
  for (const d of [top, mid, bottom]) mkdirSync(join(d, 'etc'), { recursive: true });
  writeFileSync(join(bottom, 'etc/passwd'), 'root\n');
  writeFileSync(join(bottom, 'etc/shadow'), 'secret\n');
  writeFileSync(join(mid, 'etc/passwd'), 'root\nmid\n');
  execFileSync('mknod', [join(mid, 'etc/shadow'), 'c', '0', '0']); // layer 2 deletes it
  writeFileSync(join(top, 'etc/passwd'), 'root\nmid\ntop\n');
  const lowers = [top, mid, bottom];
  const dirs = overlayDirs(root, lowers);
  mountOverlay(dirs);
  try {
    appendFileSync(join(dirs.merged, 'etc/passwd'), 'hi\n');
  } finally {
    unmountOverlay(dirs.merged);
  }
  expect(mountsUnder(root)).toEqual([]);
  return { dirs, lowers };
}

describe('every version of a path down the stack', () => {
  const { dirs, lowers } = mountedStack();

  it('reads upper and each layer that holds the path, top first, a whiteout included', () => {
    const passwd = readStackVersions(dirs.upper, lowers, '/etc/passwd');
    expect(passwd.map((v) => v.layer)).toEqual(['upper', 0, 1, 2]);
    expect(passwd.map((v) => (v.content?.kind === 'text' ? v.content.text : v.content))).toEqual([
      'root\nmid\ntop\nhi\n',
      'root\nmid\ntop\n',
      'root\nmid\n',
      'root\n',
    ]);
    const shadow = readStackVersions(dirs.upper, lowers, '/etc/shadow');
    expect(shadow.map((v) => v.layer)).toEqual([1, 2]);
    const view = stackInspect(shadow, defaultPair(shadow.length), stack);
    expect(view.lines.map((l) => [l.name, l.what, l.side])).toEqual([
      ['layer 2 (RUN rm /etc/shadow; ech…)', 'whiteout (deletes it)', 'to'],
      ['layer 1 (ADD file:base in /)', 'file 7 B -rw-r--r-- 0:0', 'from'],
    ]);
    expect(view.heading).toBe('diff layer 1 → layer 2   +0 −1');
  });

  it('diffs the chosen two: upper against the layer under it, then against the bottom', () => {
    const versions = readStackVersions(dirs.upper, lowers, '/etc/passwd');
    const pair = defaultPair(versions.length);
    const first = stackInspect(versions, pair, stack);
    expect(first.heading).toBe('diff layer 3 → upper   +1 −0');
    expect(first.rows.filter((r) => r.op === '+')).toEqual([{ op: '+', text: 'hi' }]);
    // The older side down to the bottom layer (it skips nothing: b stays upper).
    const down = movePair(movePair(pair, 'from', 1, 4), 'from', 1, 4);
    expect(down).toEqual({ from: 3, to: 0 });
    expect(movePair(down, 'from', 1, 4)).toBe(down); // the end: unchanged
    const whole = stackInspect(versions, down, stack);
    expect(whole.heading).toBe('diff layer 1 → upper   +3 −0');
    expect(whole.rows.filter((r) => r.op === '+').map((r) => r.op !== 'skip' && r.text)).toEqual([
      'mid',
      'top',
      'hi',
    ]);
    // b moved onto a's place jumps over it.
    expect(movePair({ from: 1, to: 0 }, 'to', 1, 4)).toEqual({ from: 1, to: 2 });
  });

  it('draws the versions with the chosen pair marked a and b, and the diff', () => {
    const loader = new LowerLoader(lowers);
    loader.loadDir('/etc');
    const layers = classifyLayers(dirs.upper, scanLayer(dirs.upper), lowers, loader);
    const versions = readStackVersions(dirs.upper, lowers, '/etc/passwd');
    const view = inspectView(
      undefined,
      { change: layers.states.get('/etc/passwd')?.change },
      stackInspect(versions, defaultPair(versions.length), stack),
    );
    const { lastFrame } = inkTesting.render(
      createElement(InspectorPane, {
        path: '/etc/passwd',
        view,
        focused: true,
        width: 90,
        height: 16,
      }),
    );
    const text = stripAnsi(lastFrame() ?? '').split('\n');
    const at = (re: RegExp) => text.find((l) => re.test(l)) ?? '';
    expect(at(/upper +file/)).toMatch(/^ b upper +file 16 B -rw-r--r-- 0:0/);
    expect(at(/layer 3/)).toMatch(/^ a layer 3 \(RUN echo top >> \/etc\/pa…\) +file 13 B/);
    expect(at(/layer 2/)).toMatch(/^ {3}layer 2/);
    expect(at(/layer 1/)).toMatch(/^ {3}layer 1 \(ADD file:base in \/\) +file 5 B/);
    expect(at(/diff layer 3 → upper/)).toContain('+1 −0');
    expect(text.some((l) => l.trim() === '+hi')).toBe(true);
  });

  it('reads the versions in the store only while the inspector is shown; the keys move the pair', () => {
    const loader = new LowerLoader(lowers);
    const layers = classifyLayers(dirs.upper, scanLayer(dirs.upper), lowers, loader);
    const read = vi.fn((path: string) => readStackVersions(dirs.upper, lowers, path));
    const store = createAppStore(
      layers,
      { image: 'x', id: 'c', mountOptions: '' },
      { loadLowerDir: (p) => loader.loadDir(p), quit: vi.fn(), readStackVersions: read },
      { stack },
    );
    const s = () => store.getState();
    s().select('/etc/passwd');
    expect(read).not.toHaveBeenCalled();
    s().focusPane('feed');
    paneKey(s(), 'i', [], 10);
    expect(s().stackVersions?.length).toBe(4);
    expect(s().versionPair).toEqual({ from: 1, to: 0 });
    paneKey(s(), '.', [], 10); // a one down the stack
    paneKey(s(), '>', [], 10); // b one down: skips a's place? no: a is at 2, b goes to 1
    expect(s().versionPair).toEqual({ from: 2, to: 1 });
    paneKey(s(), ',', [], 10); // a up: onto b's place, so over it
    expect(s().versionPair).toEqual({ from: 0, to: 1 });
    paneKey(s(), '<', [], 10); // b up: a is at 0, nowhere to go
    expect(s().versionPair).toEqual({ from: 0, to: 1 });
    // Another path: its versions, and the default pair again.
    s().select('/etc/shadow');
    expect(s().stackVersions?.map((v) => v.layer)).toEqual([1, 2]);
    expect(s().versionPair).toEqual({ from: 1, to: 0 });
  });
});
