/**
 * The inspector end to end below the app: a real overlay mount changed as
 * a shell would, its versions read by the engine (read-versions.ts), the
 * view built (inspect-model.ts) and drawn by InspectorPane.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createElement } from 'react';
import { classifyLayers } from '../src/engine/layers/classify-container.js';
import { LowerLoader } from '../src/engine/layers/lower-loader.js';
import { insideLayer, readContent, readVersions } from '../src/engine/layers/read-versions.js';
import { classifyLowers, scanLayer } from '../src/overlay/index.js';
import { inspectView, modeString, wrapWords } from '../src/ui/inspector/inspect-model.js';
import { cellWidth } from '../src/ui/trees/row-layout.js';
import { mountOverlay, overlayDirs, unmountOverlay } from './support/overlay-mount.js';
import { mountsUnder, removeRoot, tempRoot } from './support/state-root.js';

// chalk (inside Ink) picks its colour level when first imported: force it first.
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

const root = tempRoot('ovt-insp-');
afterAll(() => removeRoot(root));

/** A lower with /etc/passwd, /etc/group, /bin/ls and a binary; changed through a real mount. */
function changedLayers() {
  const lower = join(root, 'l');
  mkdirSync(join(lower, 'etc'), { recursive: true });
  mkdirSync(join(lower, 'bin'));
  writeFileSync(join(lower, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  writeFileSync(join(lower, 'etc/group'), 'root:x:0:\n');
  chmodSync(join(lower, 'etc/group'), 0o644);
  writeFileSync(join(lower, 'bin/ls'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1]));
  writeFileSync(join(lower, 'etc/hosts'), '127.0.0.1 localhost\n');
  const dirs = overlayDirs(root, [lower]);
  mountOverlay(dirs);
  try {
    appendFileSync(join(dirs.merged, 'etc/passwd'), 'hi\n');
    chmodSync(join(dirs.merged, 'etc/group'), 0o600);
    rmSync(join(dirs.merged, 'bin/ls'));
    writeFileSync(join(dirs.merged, 'new.txt'), 'fresh\n');
  } finally {
    unmountOverlay(dirs.merged);
  }
  expect(mountsUnder(root)).toEqual([]);
  const loader = new LowerLoader([lower]);
  loader.loadDir('/etc'); // as the app does when a tree pane shows /etc
  const layers = classifyLayers(dirs.upper, scanLayer(dirs.upper), [lower], loader);
  const lowerStates = new Map(classifyLowers(layers.view).map((s) => [s.path, s]));
  const view = (path: string) =>
    inspectView(readVersions(dirs.upper, [lower], layers, path), {
      change: layers.states.get(path)?.change,
      lower: lowerStates.get(path),
    });
  return { dirs, lower, layers, view };
}

describe('the inspector, from disk to screen', () => {
  const { dirs, lower, layers, view } = changedLayers();

  it('reads both versions of a copied-up file and diffs them', () => {
    const v = readVersions(dirs.upper, [lower], layers, '/etc/passwd');
    expect(v.upper?.content).toEqual({ kind: 'text', text: 'root:x:0:0:root:/root:/bin/sh\nhi\n' });
    expect(v.lower?.content).toEqual({ kind: 'text', text: 'root:x:0:0:root:/root:/bin/sh\n' });
    const passwd = view('/etc/passwd');
    expect(passwd.sentence).toMatch(/^Copied up when it was opened for writing/);
    expect(passwd.heading).toBe('diff lower → upper   +1 −0');
    expect(passwd.rows.map((r) => (r.op === 'skip' ? '…' : `${r.op}${r.text}`))).toEqual([
      ' root:x:0:0:root:/root:/bin/sh',
      '+hi',
    ]);
  });

  it('shows metadata side by side, a whiteout, new and untouched files, and binaries', () => {
    const group = view('/etc/group');
    expect(group.sentence).toMatch(/^Copied up for a metadata change \(mode\)/);
    expect(group.attrs.find((a) => a.label === 'mode')).toEqual({
      label: 'mode',
      lower: '-rw-r--r-- 0644',
      upper: '-rw------- 0600',
    });
    const ls = view('/bin/ls');
    expect(ls.sentence).toMatch(/^Deleted: upper holds a whiteout \(a 0\/0 character device\)/);
    expect(ls.attrs.find((a) => a.label === 'type')?.upper).toBe('whiteout (char 0/0)');
    expect(ls.attrs.find((a) => a.label === 'device')?.upper).toBe('0, 0');
    expect(ls.heading).toBe('binary data: no line diff');
    expect(view('/new.txt').sentence).toBe('New: only upper has it.');
    expect(view('/new.txt').rows).toEqual([{ op: '+', text: 'fresh' }]);
    const hosts = view('/etc/hosts');
    expect(hosts.sentence).toMatch(/^Untouched/);
    expect(hosts.attrs[0]).toEqual({ label: 'layer', lower: 'lower', upper: '(nothing in upper)' });
    expect(hosts.heading).toBe('same data in lower and merged (1 line)');
  });

  it('refuses big files, fifos, and paths that leave the layer', () => {
    const big = join(root, 'big');
    writeFileSync(big, 'x'.repeat(300 * 1024));
    expect(readContent(big)).toEqual({ kind: 'too-large' });
    const fifo = join(root, 'fifo');
    execFileSync('mkfifo', [fifo]);
    // O_NONBLOCK: opening a fifo with no writer must not hang the UI.
    expect(readContent(fifo)).toEqual({ kind: 'unreadable', why: 'no longer a regular file' });
    symlinkSync('/', join(dirs.upper, 'escape'));
    expect(insideLayer(dirs.upper, '/escape/etc/passwd')).toBeUndefined();
    expect(insideLayer(dirs.upper, '/etc/passwd')).toBe(join(dirs.upper, 'etc/passwd'));
    expect(insideLayer(dirs.upper, '/')).toBe(dirs.upper);
  });

  it('draws exactly width x height, the sentence, the table and a coloured diff', () => {
    const v = view('/etc/passwd');
    const { lastFrame } = inkTesting.render(
      createElement(InspectorPane, {
        path: '/etc/passwd',
        view: v,
        focused: true,
        width: 70,
        height: 14,
      }),
    );
    const frame = lastFrame() ?? '';
    const lines = stripAnsi(frame).split('\n');
    expect(lines).toHaveLength(14);
    // (Ink drops trailing blanks that carry no style: at most, not exactly, 70.)
    for (const line of lines) expect(cellWidth(line)).toBeLessThanOrEqual(70);
    expect(lines[0]).toMatch(/^ inspect \/etc\/passwd +$/);
    expect(lines[1]).toMatch(/^ Copied up when it was opened for writing: lower still holds the/);
    expect(lines.find((l) => l.startsWith(' layer'))).toMatch(/^ layer +lower {26}upper +$/);
    expect(lines.find((l) => l.startsWith(' mode'))).toMatch(/-rw-r--r-- 0644 +-rw-r--r-- 0644/);
    expect(lines.some((l) => /^ \+hi *$/.test(l))).toBe(true);
    expect(frame).toContain('\x1b[32m+hi');
    // Less room: attributes give way to the diff, which is cut with a count;
    // the pane stays exactly its height.
    for (let height = 3; height <= 14; height++) {
      const small = inkTesting.render(
        createElement(InspectorPane, {
          path: '/etc/passwd',
          view: v,
          focused: false,
          width: 50,
          height,
        }),
      );
      const shown = stripAnsi(small.lastFrame() ?? '').split('\n');
      expect(shown).toHaveLength(height);
      if (height >= 9) expect(shown.some((l) => /^ \+hi *$/.test(l))).toBe(true);
      small.unmount();
    }
  });

  it('keeps what changed among the attributes when there is room for few', () => {
    const v = view('/etc/group'); // its mode changed, nothing else
    const modeAt = v.attrs.findIndex((a) => a.label === 'mode');
    expect(modeAt).toBeGreaterThan(2); // below layer, type and size: cut first by position
    for (const height of [8, 9]) {
      const small = inkTesting.render(
        createElement(InspectorPane, {
          path: '/etc/group',
          view: v,
          focused: false,
          width: 60,
          height,
        }),
      );
      const shown = stripAnsi(small.lastFrame() ?? '').split('\n');
      expect(shown.some((l) => /^ layer/.test(l))).toBe(true);
      expect(shown.some((l) => /^ mode +-rw-r--r-- 0644 +-rw------- 0600/.test(l))).toBe(true);
      small.unmount();
    }
  });
});

describe('inspector helpers', () => {
  it('writes modes as ls does', () => {
    expect(modeString('file', 0o4755)).toBe('-rwsr-xr-x');
    expect(modeString('dir', 0o1777)).toBe('drwxrwxrwt');
    expect(modeString('file', 0o2644)).toBe('-rw-r-Sr--');
    expect(modeString('symlink', 0o777)).toBe('lrwxrwxrwx');
  });

  it('wraps a sentence by words, cutting what does not fit', () => {
    expect(wrapWords('one two three four', 9, 3)).toEqual(['one two', 'three', 'four']);
    const cut = wrapWords('one two three four', 9, 2);
    expect(cut).toHaveLength(2);
    expect(cut[1]).toMatch(/…$/);
  });
});
