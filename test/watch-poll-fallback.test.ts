/**
 * The fallback for kernels before 6.5, which raise no inotify event on
 * upper for a write through the mount to a file already in upper. The same
 * blindness is made here without an old kernel: a write through a hard
 * link that lives outside upper reaches the upper file's inode, but not
 * the watch on upper's directory (inotify tells a directory about its
 * children only through its own names).
 */
import { appendFileSync, linkSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../src/overlay/index.js';
import { kernelReportsUpperWrites, UpperWatcher } from '../src/engine/watch/upper-watcher.js';
import { removeRoot, tempRoot } from './support/state-root.js';

let root: string;

beforeAll(() => {
  root = tempRoot('ovt-poll-');
});

afterAll(() => removeRoot(root));

/** Modify events for /f within ms after a write through the outside link. */
async function modifiesSeen(tag: string, pollWrites: boolean, ms = 600): Promise<ChangeEvent[]> {
  const upper = join(root, `upper-${tag}`);
  const lower = join(root, `lower-${tag}`);
  mkdirSync(upper);
  mkdirSync(lower);
  writeFileSync(join(upper, 'f'), 'one\n');
  const outside = join(root, `link-${tag}`);
  linkSync(join(upper, 'f'), outside);
  const w = new UpperWatcher({ upperDir: upper, lowerDirs: [lower], pollWrites });
  await w.start();
  try {
    // The poller only follows files the stream reported: make f one of them.
    const created = new Promise<void>((resolve) => w.once('events', () => resolve()));
    writeFileSync(join(upper, 'g'), 'x');
    appendFileSync(join(upper, 'f'), 'two\n');
    await created;
    await new Promise((r) => setTimeout(r, 100));
    const seen: ChangeEvent[] = [];
    w.on('events', (events) => seen.push(...events.filter((e) => e.path === '/f')));
    appendFileSync(outside, 'three\n');
    await new Promise((r) => setTimeout(r, ms));
    return seen;
  } finally {
    await w.close();
  }
}

describe('writes the kernel does not report on upper', () => {
  it('are missed by the directory watches alone (the blindness is real)', async () => {
    expect(await modifiesSeen('off', false)).toEqual([]);
  });

  it('are reported by the poller within a few hundred ms', async () => {
    const seen = await modifiesSeen('on', true);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ kind: 'modify', path: '/f', changed: 'data' });
  });
});

describe('which kernels need the poller', () => {
  it('those before 6.5', () => {
    expect(kernelReportsUpperWrites('5.15.0-91-generic')).toBe(false);
    expect(kernelReportsUpperWrites('6.4.16')).toBe(false);
    expect(kernelReportsUpperWrites('6.5.0')).toBe(true);
    expect(kernelReportsUpperWrites('6.18.44-fc-v595')).toBe(true);
    expect(kernelReportsUpperWrites('7.0.1')).toBe(true);
  });
});
