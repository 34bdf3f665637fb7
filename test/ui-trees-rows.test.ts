/**
 * paneRows over hand-built layers: what each pane lists and how it marks
 * it, and the changes-only and search filters. (Cost: ui-trees-perf.)
 */
import { describe, expect, it } from 'vitest';
import { paneRows, type PaneKind, type RowOptions } from '../src/ui/trees/tree-rows.js';
import { dir, file, layer, symlink, whiteout } from './support/overlay-trees.js';
import { classified, type Fixture } from './support/ui-fixture.js';

const copied = { x: { origin: '' } };

/**
 * `echo hi >> /etc/passwd`, `chmod 600 /etc/group`, `rm /bin/ls`,
 * `rm -r /opt && mkdir /opt && touch /opt/fresh`, `mkdir /x && touch /x/y`.
 */
function workshop(): Fixture {
  const lower = layer({
    bin: dir({ ls: file(), sh: file(), busybox: file({ size: 1_200_000 }) }),
    etc: dir({
      passwd: file({ size: 10, mtimeMs: 5 }),
      group: file({ size: 7, mtimeMs: 5 }),
      hosts: file(),
    }),
    opt: dir({ app: dir({ data: file() }) }),
    usr: dir({ lib: dir({ libc: file() }) }),
    link: symlink('/bin/busybox'),
  });
  const upper = layer({
    bin: dir({ ls: whiteout() }, copied),
    etc: dir(
      {
        passwd: file({ size: 13, mtimeMs: 9, ...copied }),
        group: file({ size: 7, mtimeMs: 5, mode: 0o600, ...copied }),
      },
      copied,
    ),
    opt: dir({ fresh: file({ size: 0 }) }, { x: { opaque: 'y' } }),
    x: dir({ y: file({ size: 0 }) }),
  });
  return classified(upper, lower);
}

const all = (...paths: string[]): RowOptions => ({
  expanded: new Set(paths),
  changesOnly: false,
  search: '',
});
const ALL_DIRS = ['/bin', '/etc', '/opt', '/opt/app', '/usr', '/usr/lib', '/x'];

function rowsOf(f: Fixture, kind: PaneKind, opts: RowOptions) {
  return paneRows(kind, f.layers, f.lowerStates, opts);
}
/** "path state" lines: easy to read in a failure. */
function summary(f: Fixture, kind: PaneKind, opts: RowOptions): string[] {
  return rowsOf(f, kind, opts).map((r) => `${r.path} ${r.state}`);
}

describe('a directory copied up', () => {
  it('is copied-up (it has no data of its own), or metadata when its mode or owner changed', () => {
    const lower = layer({ d: dir({ f: file() }), e: dir({ g: file() }) });
    const upper = layer({
      d: dir({ f: file({ size: 99, ...copied }) }, copied),
      e: dir({}, { mode: 0o700, ...copied }),
    });
    const f = classified(upper, lower);
    expect(summary(f, 'upper', all('/d', '/e')).join(', ')).toBe(
      '/d copied-up, /d/f copied-up, /e metadata',
    );
  });
});

describe('paneRows', () => {
  it('upper: every entry with its kind, whiteouts included, directories first', () => {
    const f = workshop();
    expect(summary(f, 'upper', all(...ALL_DIRS)).join(', ')).toBe(
      '/bin copied-up, /bin/ls whiteout, /etc copied-up, /etc/group metadata, ' +
        '/etc/passwd copied-up, /opt opaque, /opt/fresh new, /x new, /x/y new',
    );
    const rows = rowsOf(f, 'upper', all('/etc'));
    expect(rows.find((r) => r.path === '/etc')).toMatchObject({
      name: 'etc',
      depth: 0,
      type: 'dir',
      expandable: true,
      expanded: true,
    });
    expect(rows.find((r) => r.path === '/etc/passwd')).toMatchObject({ depth: 1, size: 13 });
    expect(rows.find((r) => r.path === '/bin')).toMatchObject({ expanded: false });
    expect(rows.some((r) => r.path === '/bin/ls')).toBe(false);
  });

  it('lower: the topmost lower layer, each entry visible, shadowed or hidden', () => {
    const f = workshop();
    expect(summary(f, 'lower', all(...ALL_DIRS)).join(', ')).toBe(
      '/bin shadowed, /bin/busybox visible, /bin/ls hidden, /bin/sh visible, ' +
        '/etc shadowed, /etc/group shadowed, /etc/hosts visible, /etc/passwd shadowed, ' +
        '/opt hidden, /opt/app hidden, /opt/app/data hidden, /usr visible, ' +
        '/usr/lib visible, /usr/lib/libc visible, /link visible',
    );
    const link = rowsOf(f, 'lower', all()).find((r) => r.path === '/link');
    expect(link).toMatchObject({ type: 'symlink', target: '/bin/busybox', expandable: false });
    expect(link?.size).toBeUndefined();
  });

  it('merged: what the mount shows, marked with the upper kind when it comes from upper', () => {
    const f = workshop();
    const rows = rowsOf(f, 'merged', all(...ALL_DIRS));
    expect(rows.map((r) => `${r.path} ${r.state} ${r.layer}`).join(', ')).toBe(
      '/bin copied-up upper, /bin/busybox from-lower lower, /bin/sh from-lower lower, ' +
        '/etc copied-up upper, /etc/group metadata upper, /etc/hosts from-lower lower, ' +
        '/etc/passwd copied-up upper, /opt opaque upper, /opt/fresh new upper, ' +
        '/usr from-lower lower, /usr/lib from-lower lower, ' +
        '/usr/lib/libc from-lower lower, /x new upper, /x/y new upper, ' +
        '/link from-lower lower',
    );
    expect(rows.find((r) => r.path === '/bin/busybox')?.size).toBe(1_200_000);
  });

  it('marks redirects, metacopies and lower whiteouts, and names lower layers by index', () => {
    const upper = layer({
      a: whiteout(),
      b: dir({}, { x: { redirect: 'a', origin: '' } }),
      m: file({ size: 9, x: { metacopy: '', origin: '' } }),
    });
    const top = layer({ a: dir({ f: file() }), m: file({ size: 9 }), gone: whiteout() });
    const bottom = layer({ gone: file(), deep: file() });
    const f = classified(upper, top, bottom);
    expect(summary(f, 'upper', all())).toEqual(['/b redirect', '/a whiteout', '/m metacopy']);
    expect(summary(f, 'lower', all())).toEqual(['/a shadowed', '/gone whiteout', '/m shadowed']);
    const merged = rowsOf(f, 'merged', all('/b'));
    expect(merged.map((r) => `${r.path} ${r.state} ${r.layer}`)).toEqual([
      '/b redirect upper',
      '/b/f from-lower lower0',
      '/deep from-lower lower1',
      '/m metacopy upper',
    ]);
  });

  it('sees children loaded into a directory in place, as LowerLoader loads them', () => {
    const f = workshop();
    const opts = all('/usr');
    expect(rowsOf(f, 'lower', opts).map((r) => r.path)).toEqual([
      ...['/bin', '/etc', '/opt', '/usr', '/usr/lib', '/link'],
    ]);
    const usr = f.layers.view.stack.lowers[0]?.children?.get('usr');
    usr?.children?.set('share', { ...usr, name: 'share', children: new Map() });
    usr?.children?.set('bin', { ...usr, name: 'bin', children: new Map() });
    expect(rowsOf(f, 'lower', opts).map((r) => r.path)).toEqual([
      ...['/bin', '/etc', '/opt', '/usr', '/usr/bin', '/usr/lib', '/usr/share', '/link'],
    ]);
  });

  describe('changes only', () => {
    const changesOnly: RowOptions = { ...all(...ALL_DIRS), changesOnly: true };

    it('keeps upper whole: every upper entry is a change', () => {
      const f = workshop();
      expect(summary(f, 'upper', changesOnly)).toEqual(summary(f, 'upper', all(...ALL_DIRS)));
    });

    it('keeps lower entries at changed paths, what they hide, and their ancestors', () => {
      expect(summary(workshop(), 'lower', changesOnly).join(', ')).toBe(
        '/bin shadowed, /bin/ls hidden, /etc shadowed, /etc/group shadowed, ' +
          '/etc/passwd shadowed, /opt hidden, /opt/app hidden, /opt/app/data hidden',
      );
    });

    it('keeps merged entries at changed paths and their ancestors', () => {
      expect(
        summary(workshop(), 'merged', changesOnly)
          .map((l) => l.split(' ')[0])
          .join(', '),
      ).toBe('/bin, /etc, /etc/group, /etc/passwd, /opt, /opt/fresh, /x, /x/y');
    });

    it('keeps ancestors of a deep change, and still only shows expanded directories', () => {
      const f = classified(
        layer({ usr: dir({ lib: dir({ new: file() }, copied) }, copied) }),
        layer({ usr: dir({ lib: dir({ libc: file() }), share: dir() }), etc: dir() }),
      );
      const opts = (...paths: string[]) => ({ ...all(...paths), changesOnly: true });
      expect(summary(f, 'merged', opts()).map((l) => l.split(' ')[0])).toEqual(['/usr']);
      expect(summary(f, 'merged', opts('/usr', '/usr/lib')).map((l) => l.split(' ')[0])).toEqual([
        '/usr',
        '/usr/lib',
        '/usr/lib/new',
      ]);
    });
  });

  describe('search', () => {
    const search = (text: string, ...expanded: string[]): RowOptions => ({
      ...all(...expanded),
      search: text,
    });

    it('keeps matching names (any case) and their ancestors, expanded', () => {
      const f = workshop();
      const rows = rowsOf(f, 'lower', search('PASS'));
      expect(rows.map((r) => [r.path, r.expanded])).toEqual([
        ['/etc', true],
        ['/etc/passwd', false],
      ]);
      expect(summary(f, 'merged', search('y')).map((l) => l.split(' ')[0])).toEqual([
        '/bin',
        '/bin/busybox',
        '/x',
        '/x/y',
      ]);
    });

    it('shows a matching directory collapsed unless something below it matches', () => {
      const rows = rowsOf(workshop(), 'lower', search('op', '/opt'));
      expect(rows.map((r) => [r.path, r.expandable, r.expanded])).toEqual([['/opt', true, false]]);
    });

    it('combines with changes only', () => {
      const opts = { ...search('s'), changesOnly: true };
      expect(summary(workshop(), 'lower', opts).map((l) => l.split(' ')[0])).toEqual([
        '/bin',
        '/bin/ls',
        '/etc',
        '/etc/passwd',
      ]);
    });

    it('finds nothing without rows', () => {
      expect(rowsOf(workshop(), 'upper', search('zzz'))).toEqual([]);
    });
  });
});
