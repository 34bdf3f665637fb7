/**
 * The live stream on a real overlay: writes go through the merged mount,
 * the watcher sees upper, and every change must come out as the right
 * event, including the ones inotify alone misses.
 */
import {
  appendFileSync,
  chmodSync,
  closeSync,
  openSync,
  writeSync,
  cpSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../src/overlay/index.js';
import { ensureImage } from '../src/engine/image/store.js';
import { openStateRoot } from '../src/engine/state-root.js';
import { eventLine } from '../src/engine/watch/event-format.js';
import { UpperWatcher } from '../src/engine/watch/upper-watcher.js';
import { collectEvents } from './support/watch-events.js';
import { DEFAULT_IMAGE_PATH } from './support/paths.js';
import {
  mountOverlay,
  overlayDirs,
  unmountOverlay,
  type OverlayDirs,
} from './support/overlay-mount.js';
import { removeRoot, tempRoot } from './support/state-root.js';

let root: string;
let lower: string;

beforeAll(async () => {
  root = tempRoot('ovt-watch-');
  lower =
    (await ensureImage(openStateRoot(join(root, 'state')), DEFAULT_IMAGE_PATH)).layers[0]?.dir ??
    '';
});

afterAll(() => removeRoot(root));

async function withWatchedOverlay(
  tag: string,
  fn: (d: OverlayDirs, w: UpperWatcher) => Promise<void>,
  options: string[] = [],
): Promise<void> {
  const dirs = overlayDirs(root, [lower], tag);
  mountOverlay(dirs, options);
  try {
    const w = new UpperWatcher({
      upperDir: dirs.upper,
      lowerDirs: [lower],
      currentCommand: () => 'typed',
    });
    await w.start();
    try {
      await fn(dirs, w);
    } finally {
      await w.close();
    }
  } finally {
    unmountOverlay(dirs.merged);
  }
}

const lowerSize = (path: string): number => statSync(join(lower, path)).size;

const has = (kind: string, path: string) => (all: ChangeEvent[]) =>
  all.some((e) => e.kind === kind && e.path === path);

describe('the order of events in a burst', () => {
  it('is the order the changes happened in, not path order', async () => {
    await withWatchedOverlay('order', async (d, w) => {
      const got = collectEvents(w, (all) => all.length >= 7);
      // One burst (no pause): the watcher reads it in one flush.
      for (const name of ['zzz', 'aaa', 'mmm']) writeFileSync(join(d.merged, name), '');
      appendFileSync(join(d.merged, 'etc/passwd'), 'hi\n');
      rmSync(join(d.merged, 'bin/ls'));
      const paths = (await got).map((e) => e.path);
      expect(paths).toEqual(['/zzz', '/aaa', '/mmm', '/etc', '/etc/passwd', '/bin', '/bin/ls']);
    });
  });

  it('forgets a burst that changed nothing: its paths take no old place in the next', async () => {
    await withWatchedOverlay('order2', async (d, w) => {
      w.flush(); // the first look
      writeFileSync(join(d.merged, 'x'), ''); // made and gone in one burst: no event
      rmSync(join(d.merged, 'x'));
      await new Promise((r) => setTimeout(r, 200));
      const got = collectEvents(w, (all) => all.length >= 2);
      writeFileSync(join(d.merged, 'y'), '');
      writeFileSync(join(d.merged, 'x'), '');
      expect((await got).map((e) => e.path)).toEqual(['/y', '/x']);
    });
  });
});

describe('events for each kind of change', () => {
  it('appending to a lower file is a copy-up of its data: bytes copied, the lower file', async () => {
    await withWatchedOverlay('a', async (d, w) => {
      const got = collectEvents(w, has('copy-up', '/etc/passwd'));
      appendFileSync(join(d.merged, 'etc/passwd'), 'hi\n');
      const events = await got;
      const e = events.find((x) => x.path === '/etc/passwd');
      expect(e).toMatchObject({ kind: 'copy-up', type: 'file', changed: 'data', command: 'typed' });
      const was = lowerSize('etc/passwd');
      expect(e).toMatchObject({ bytes: was, size: was + 3 });
    });
  });

  it('a lower file opened with O_TRUNC (: > f, echo x > f) is a copy-up of no bytes', async () => {
    await withWatchedOverlay('t', async (d, w) => {
      const got = collectEvents(
        w,
        (all) => has('copy-up', '/etc/group')(all) && has('copy-up', '/etc/passwd')(all),
      );
      closeSync(openSync(join(d.merged, 'etc/group'), 'w')); // : > /etc/group
      writeFileSync(join(d.merged, 'etc/passwd'), 'x\n'); // echo x > /etc/passwd
      const events = await got;
      expect(events.find((e) => e.path === '/etc/group')).toMatchObject({
        changed: 'data',
        bytes: 0,
        size: 0,
      });
      expect(events.find((e) => e.path === '/etc/passwd')).toMatchObject({
        changed: 'data',
        bytes: 0,
        size: 2,
      });
    });
  });

  it('a file opened for appending, written a moment later, is one event: copy-up of its data', async () => {
    await withWatchedOverlay('o', async (d, w) => {
      const seen: ChangeEvent[] = [];
      w.on('events', (events) => seen.push(...events));
      const fd = openSync(join(d.merged, 'etc/group'), 'a'); // the copy-up happens here
      await new Promise((r) => setTimeout(r, 20)); // a shell descheduled between open and write
      writeSync(fd, 'more\n');
      closeSync(fd);
      await new Promise((r) => setTimeout(r, 400));
      const mine = seen.filter((e) => e.path === '/etc/group');
      expect(mine).toEqual([expect.objectContaining({ kind: 'copy-up', changed: 'data' })]);
    });
  });

  it('a file opened for writing and closed unchanged is still a copy-up, of nothing', async () => {
    await withWatchedOverlay('p', async (d, w) => {
      const got = collectEvents(w, has('copy-up', '/etc/hostname'));
      closeSync(openSync(join(d.merged, 'etc/hostname'), 'a'));
      expect((await got).find((e) => e.path === '/etc/hostname')).toMatchObject({
        kind: 'copy-up',
        changed: 'none',
        bytes: lowerSize('etc/hostname'),
      });
    });
  });

  it('chmod of a lower file is a copy-up of metadata only', async () => {
    await withWatchedOverlay('b', async (d, w) => {
      const got = collectEvents(w, has('copy-up', '/etc/group'));
      chmodSync(join(d.merged, 'etc/group'), 0o600);
      // Without metacopy, the kernel copies the data for a chmod too.
      expect((await got).find((x) => x.path === '/etc/group')).toMatchObject({
        changed: 'metadata',
        bytes: lowerSize('etc/group'),
      });
    });
  });

  it('chmod of a lower file with metacopy=on is a copy-up of metadata, copying no data', async () => {
    await withWatchedOverlay(
      'mc',
      async (d, w) => {
        const got = collectEvents(w, has('copy-up', '/etc/group'));
        chmodSync(join(d.merged, 'etc/group'), 0o600);
        expect((await got).find((x) => x.path === '/etc/group')).toMatchObject({
          changed: 'metadata',
          bytes: 0,
        });
      },
      ['redirect_dir=on', 'metacopy=on'],
    );
  });

  it('a new directory and file are creates; writing the file again is a modify', async () => {
    await withWatchedOverlay('c', async (d, w) => {
      let got = collectEvents(w, has('create', '/x/y'));
      mkdirSync(join(d.merged, 'x'));
      writeFileSync(join(d.merged, 'x/y'), '');
      const events = await got;
      expect(events.filter((e) => e.kind === 'create').map((e) => e.path)).toEqual(['/x', '/x/y']);
      got = collectEvents(w, has('modify', '/x/y'));
      appendFileSync(join(d.merged, 'x/y'), 'more');
      expect((await got).find((e) => e.kind === 'modify')).toMatchObject({
        changed: 'data',
        bytes: 4,
      });
    });
  });

  it('renaming an upper-only file is one rename, and removing it is an upper-only delete', async () => {
    await withWatchedOverlay('d', async (d, w) => {
      let got = collectEvents(w, has('create', '/a'));
      writeFileSync(join(d.merged, 'a'), 'a');
      await got;
      got = collectEvents(w, has('rename', '/b'));
      renameSync(join(d.merged, 'a'), join(d.merged, 'b'));
      expect(await got).toEqual([
        expect.objectContaining({ kind: 'rename', from: '/a', path: '/b' }),
      ]);
      got = collectEvents(w, has('delete', '/b'));
      rmSync(join(d.merged, 'b'));
      expect((await got)[0]).toMatchObject({ kind: 'delete', deleted: 'upper-only' });
    });
  });

  it('a lower directory deleted and made again is opaque', async () => {
    await withWatchedOverlay('e', async (d, w) => {
      const got = collectEvents(w, has('opaque', '/home'));
      rmSync(join(d.merged, 'home'), { recursive: true });
      mkdirSync(join(d.merged, 'home'));
      expect((await got).some((e) => e.kind === 'opaque' && e.path === '/home')).toBe(true);
    });
  });

  it('a burst (cp -r /bin /copy) is coalesced and loses no file', async () => {
    await withWatchedOverlay('f', async (d, w) => {
      const count = 1 + readdirSync(join(lower, 'bin')).length; // /copy and every entry of /bin
      const got = collectEvents(
        w,
        (all) => all.filter((e) => e.kind === 'create').length >= count,
        3000,
      );
      cpSync(join(d.merged, 'bin'), join(d.merged, 'copy'), {
        recursive: true,
        verbatimSymlinks: true,
      });
      const events = await got;
      const created = new Set(events.filter((e) => e.kind === 'create').map((e) => e.path));
      // What is on disk, not what the watcher thinks: /copy and everything in it.
      const expected = [
        '/copy',
        ...readdirSync(join(d.upper, 'copy'), { recursive: true, encoding: 'utf8' }).map(
          (p) => `/copy/${p}`,
        ),
      ];
      expect(expected.length).toBe(count);
      for (const p of expected) expect(created.has(p), p).toBe(true);
    });
  });
});

describe('event lines', () => {
  const line = (e: Omit<ChangeEvent, 'time'>) => eventLine({ time: 0, ...e }).slice(13);
  it('say what a copy-up copied and what the file weighs now', () => {
    const up = { kind: 'copy-up', path: '/etc/passwd', type: 'file' } as const;
    expect(line({ ...up, changed: 'data', bytes: 116, size: 118, command: 'echo x >> f' })).toBe(
      'copy-up /etc/passwd (data, 116 B copied, now 118 B)  $ echo x >> f',
    );
    expect(line({ ...up, changed: 'metadata', bytes: 0, size: 116 })).toBe(
      'copy-up /etc/passwd (metadata, 0 B copied, now 116 B)',
    );
    expect(line({ kind: 'copy-up', path: '/etc', type: 'dir', changed: 'none', bytes: 0 })).toBe(
      'copy-up /etc (directory)',
    );
    expect(line({ kind: 'modify', path: '/f', type: 'file', changed: 'data', bytes: 4 })).toBe(
      'modify  /f (data, 4 B)',
    );
  });
});

/** inotify watches this process holds (every "inotify wd:" line in its fdinfo). */
function inotifyWatches(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fdinfo')) {
    try {
      n += readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').split('inotify wd:').length - 1;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

describe('watches', () => {
  it('one per upper directory, none per file, and let go when the directory goes', async () => {
    await withWatchedOverlay('g', async (d, w) => {
      const before = inotifyWatches();
      const got = collectEvents(w, (all) => all.filter((e) => e.kind === 'create').length >= 62);
      mkdirSync(join(d.merged, 'many/sub'), { recursive: true });
      for (let i = 0; i < 30; i++) writeFileSync(join(d.merged, `many/f${i}`), 'x');
      for (let i = 0; i < 30; i++) writeFileSync(join(d.merged, `many/sub/f${i}`), 'x');
      await got;
      // upper holds / , /many and /many/sub: three directories, 60 files.
      expect(w.watchCount).toBe(3);
      expect(inotifyWatches() - before).toBe(2);
      const gone = collectEvents(w, has('delete', '/many'));
      rmSync(join(d.merged, 'many'), { recursive: true });
      await gone;
      expect(w.watchCount).toBe(1);
    });
  });

  it('a directory deleted and made again is watched anew: a file made in it is reported', async () => {
    await withWatchedOverlay('h', async (d, w) => {
      let got = collectEvents(w, has('create', '/d/one'));
      mkdirSync(join(d.merged, 'd'));
      writeFileSync(join(d.merged, 'd/one'), '1');
      await got;
      got = collectEvents(w, has('create', '/d/two'));
      rmSync(join(d.merged, 'd'), { recursive: true });
      mkdirSync(join(d.merged, 'd'));
      await new Promise((r) => setTimeout(r, 400)); // after every look again
      writeFileSync(join(d.merged, 'd/two'), '2');
      expect((await got).some((e) => e.kind === 'create' && e.path === '/d/two')).toBe(true);
    });
  });

  it('a file made in a directory tree made in the same instant is reported, 50 of 50', async () => {
    await withWatchedOverlay('i', async (d, w) => {
      let reported = 0;
      for (let i = 0; i < 50; i++) {
        const path = `/t${i}/a/b/c/f`;
        const got = collectEvents(w, has('create', path));
        mkdirSync(join(d.merged, `t${i}/a/b/c`), { recursive: true });
        writeFileSync(join(d.merged, path), 'x');
        if ((await got).some((e) => e.kind === 'create' && e.path === path)) reported++;
      }
      expect(reported).toBe(50);
    });
  }, 60_000);
});

describe('the whiteout right after its directory was copied up', () => {
  it('is reported 100 times out of 100', async () => {
    let reported = 0;
    for (let i = 0; i < 100; i++) {
      await withWatchedOverlay(`r${i}`, async (d, w) => {
        const got = collectEvents(w, has('delete', '/bin/ls'));
        rmSync(join(d.merged, 'bin/ls'));
        const events = await got;
        if (
          events.some(
            (e) => e.kind === 'delete' && e.deleted === 'whiteout' && e.path === '/bin/ls',
          )
        )
          reported++;
      });
      rmSync(join(root, `ur${i}`), { recursive: true });
      rmSync(join(root, `wr${i}`), { recursive: true });
    }
    expect(reported).toBe(100);
  }, 60_000);
});
