/** The inspector's sentences, one for every state an entry can be in, and the line diff. */
import { describe, expect, it } from 'vitest';
import { explain } from '../src/ui/inspector/explain.js';
import {
  DIFF_MAX_LINES,
  diffLines,
  splitLines,
  withContext,
  type LineDiff,
} from '../src/ui/inspector/line-diff.js';
import type { CopyUpChanges, LowerState, UpperChange } from '../src/overlay/index.js';

const changes = (c: Partial<CopyUpChanges> = {}): CopyUpChanges => ({
  data: 'unchanged',
  mode: false,
  owner: false,
  mtime: false,
  ...c,
});
const lowerFile = { layer: 0, path: '/etc/passwd', type: 'file' } as const;
const up = (c: Partial<UpperChange>): UpperChange => ({
  path: '/etc/passwd',
  type: 'file',
  kind: 'new',
  ...c,
});
const low = (s: Partial<LowerState>): LowerState => ({
  layer: 0,
  path: '/etc/passwd',
  type: 'file',
  status: 'visible',
  ...s,
});

describe('explain', () => {
  it('says why a file was copied up: data, metadata, or nothing at all', () => {
    const kind = 'copied-up';
    expect(
      explain({ change: up({ kind, lower: lowerFile, changes: changes({ data: 'changed' }) }) }),
    ).toBe(
      "Copied up when it was opened for writing: lower still holds the original, merged shows upper's copy.",
    );
    expect(explain({ change: up({ kind, changes: changes({ mode: true }) }) })).toBe(
      "Copied up for a metadata change (mode): the data is the same; merged shows upper's copy.",
    );
    expect(
      explain({ change: up({ kind, changes: changes({ owner: true, mtime: true }) }) }),
    ).toMatch(/^Copied up for a metadata change \(owner, mtime\): the data is the same/);
    expect(explain({ change: up({ kind, changes: changes() }) })).toMatch(/though nothing changed/);
    expect(
      explain({ change: up({ kind, type: 'dir', changes: changes({ mtime: true }) }) }),
    ).toMatch(/^Copied up as the parent of a change: merged joins upper's directory with lower's/);
    expect(
      explain({ change: up({ kind, type: 'dir', changes: changes({ mode: true }) }) }),
    ).toMatch(/^Copied up for a metadata change \(mode\): merged joins/);
    expect(
      explain({ change: up({ kind, type: 'symlink', changes: changes({ data: 'changed' }) }) }),
    ).toMatch(/original symlink/);
  });

  it('explains whiteouts, opaque and renamed directories, metacopy and new entries', () => {
    expect(explain({ change: up({ kind: 'whiteout', type: 'char', lower: lowerFile }) })).toBe(
      "Deleted: upper holds a whiteout (a 0/0 character device) that hides lower's file; merged shows nothing here.",
    );
    expect(
      explain({
        change: up({ kind: 'whiteout', type: 'file', lower: { ...lowerFile, type: 'dir' } }),
      }),
    ).toMatch(/zero-size file marked overlay.whiteout\) that hides lower's directory/);
    expect(explain({ change: up({ kind: 'whiteout', type: 'char' }) })).toMatch(/nothing below it/);
    expect(explain({ change: up({ kind: 'opaque', type: 'dir', opaque: true }) })).toBe(
      "Opaque: the directory was deleted and made again; nothing of lower's directory shows through.",
    );
    expect(
      explain({
        change: up({
          kind: 'redirected',
          type: 'dir',
          redirect: 'old',
          lower: { ...lowerFile, path: '/old', type: 'dir' },
        }),
      }),
    ).toMatch(/^Renamed: upper's directory carries a redirect to lower's \/old/);
    expect(explain({ change: up({ kind: 'metacopy', changes: changes({ mode: true }) }) })).toBe(
      "Metacopy: only the metadata was copied up for a metadata change (mode); the data is still read from lower's file.",
    );
    expect(explain({ change: up({ kind: 'new' }) })).toBe('New: only upper has it.');
    expect(explain({ change: up({ kind: 'new', lower: lowerFile }) })).toMatch(
      /^New, in place of lower's file: it was deleted and made again/,
    );
    expect(explain({ change: up({ kind: 'new', type: 'dir', lower: lowerFile }) })).toMatch(
      /replaced by a directory/,
    );
    expect(explain({ change: up({ kind: 'new', originPath: '/bin/ls' }) })).toMatch(
      /^Moved or linked here from lower's \/bin\/ls/,
    );
  });

  it('explains lower entries: untouched, shadowed, hidden, and a whiteout in the image', () => {
    expect(explain({ lower: low({}) })).toBe(
      "Untouched: only lower has it; merged shows lower's file.",
    );
    expect(explain({ lower: low({ type: 'dir' }) })).toMatch(/merged shows lower's directory\.$/);
    const by = (why: NonNullable<LowerState['by']>['why'], path = '/etc/passwd') => ({
      layer: 'upper' as const,
      path,
      why,
    });
    expect(explain({ lower: low({ status: 'shadowed', by: by('metacopy') }) })).toMatch(
      /^Shadowed by a metacopy file/,
    );
    expect(explain({ lower: low({ status: 'shadowed', by: by('redirect', '/new') }) })).toMatch(
      /renamed directory \(upper's \/new\)/,
    );
    expect(explain({ lower: low({ status: 'shadowed', by: by('type-mismatch') }) })).toMatch(
      /^Shadowed: upper's \/etc\/passwd wins/,
    );
    expect(explain({ lower: low({ status: 'shadowed', by: by('merged') }) })).toMatch(/^Merged:/);
    expect(explain({ lower: low({ status: 'hidden', by: by('whiteout') }) })).toMatch(
      /^Hidden: a whiteout at upper's \/etc\/passwd hides it/,
    );
    expect(explain({ lower: low({ status: 'hidden', by: by('whiteout', '/etc') }) })).toMatch(
      /^Hidden: its directory was deleted/,
    );
    expect(explain({ lower: low({ status: 'hidden', by: by('opaque', '/etc') }) })).toMatch(
      /^Hidden: the opaque directory upper's \/etc/,
    );
    expect(explain({ lower: low({ status: 'hidden', by: by('non-dir', '/etc') }) })).toMatch(
      /is not a directory/,
    );
    expect(explain({ lower: low({ status: 'hidden' }) })).toMatch(
      /^Hidden: a higher layer hides it/,
    );
    expect(explain({ lower: low({ whiteout: true }) })).toMatch(/^A whiteout inside the image/);
    expect(explain({ lower: low({ path: '/', type: 'dir' }) })).toMatch(
      /^The root: merged always joins/,
    );
    expect(explain({})).toBe('Nothing here in any layer.');
  });
});

const ops = (d: LineDiff | 'too-large') =>
  d === 'too-large' ? d : d.lines.map((l) => `${l.op}${l.text}`);

describe('diffLines', () => {
  it('finds an appended line, a removed one and a replaced one', () => {
    expect(ops(diffLines('a\nb\n', 'a\nb\nhi\n'))).toEqual([' a', ' b', '+hi']);
    expect(ops(diffLines('a\nb\nc\n', 'a\nc\n'))).toEqual([' a', '-b', ' c']);
    expect(ops(diffLines('a\nb\nc\n', 'a\nB\nc\n'))).toEqual([' a', '-b', '+B', ' c']);
    expect(ops(diffLines('', 'x\n'))).toEqual(['+x']);
    expect(ops(diffLines('x\n', ''))).toEqual(['-x']);
  });

  it('is a shortest script: every kept line is common, and the counts add up', () => {
    const a = 'a b c a b b a'.split(' ').join('\n');
    const b = 'c b a b a c'.split(' ').join('\n');
    const d = diffLines(a, b);
    if (d === 'too-large') throw new Error('unexpected');
    expect(d.added + d.removed).toBe(5); // Myers' paper: D = 5 for this pair
    expect(d.lines.filter((l) => l.op !== '+').map((l) => l.text)).toEqual(splitLines(a));
    expect(d.lines.filter((l) => l.op !== '-').map((l) => l.text)).toEqual(splitLines(b));
  });

  it('agrees with an LCS table on random pairs', () => {
    let seed = 7;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const text = () => Array.from({ length: rand(12) }, () => 'abc'[rand(3)]).join('\n');
    for (let round = 0; round < 200; round++) {
      const [a, b] = [text(), text()];
      const [x, y] = [splitLines(a), splitLines(b)];
      // LCS length by the textbook table, flat: lcs[i * w + j] for x[i..], y[j..].
      const w = y.length + 1;
      const lcs = new Array<number>((x.length + 1) * w).fill(0);
      const at = (i: number, j: number) => lcs[i * w + j] ?? 0;
      for (let i = x.length - 1; i >= 0; i--)
        for (let j = y.length - 1; j >= 0; j--)
          lcs[i * w + j] =
            x[i] === y[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
      const d = diffLines(a, b);
      if (d === 'too-large') throw new Error('unexpected');
      expect(d.added + d.removed).toBe(x.length + y.length - 2 * at(0, 0));
      expect(d.lines.filter((l) => l.op !== '-').map((l) => l.text)).toEqual(y);
    }
  });

  it('refuses input over the caps, and stays correct past its edit budget', () => {
    expect(diffLines('x\n'.repeat(DIFF_MAX_LINES + 1), '')).toBe('too-large');
    expect(diffLines('', 'y'.repeat(300 * 1024))).toBe('too-large');
    const a = Array.from({ length: 1500 }, (_, i) => `a${i}`).join('\n');
    const b = Array.from({ length: 1500 }, (_, i) => `b${i}`).join('\n');
    const d = diffLines(a, b);
    if (d === 'too-large') throw new Error('unexpected');
    expect([d.added, d.removed]).toEqual([1500, 1500]);
  });

  it('keeps two lines of context around changes and folds the rest', () => {
    const a = Array.from({ length: 20 }, (_, i) => `l${i}`).join('\n');
    const d = diffLines(a, a.replace('l10', 'ten'));
    if (d === 'too-large') throw new Error('unexpected');
    expect(
      withContext(d.lines).map((r) => (r.op === 'skip' ? `…${r.count}` : `${r.op}${r.text}`)),
    ).toEqual(['…8', ' l8', ' l9', '-l10', '+ten', ' l11', ' l12', '…7']);
  });
});
