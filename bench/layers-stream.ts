/**
 * The live stream at scale: an overlay over the 100k-file lower, an
 * UpperWatcher in a process of its own (layers-watch.ts), and this process
 * writing through merged as a container would.
 *
 * 1. Watches: counted when the watcher is ready on an empty upper, then
 *    after 100 and 1,000 changes (odd: a new file, even: an append that
 *    copies a lower file up; each in a directory of its own, so each also
 *    copies a directory up), then after the latency run.
 * 2. Latency: N writes, one every ~5 ms, cycling through a new file, a
 *    copy-up of a lower file (append) and a rewrite of a file already in
 *    upper; each write's latency is from its return here to the arrival,
 *    in the watcher's 'events' callback, of the first event naming its
 *    path after the write began (both stamped with process.hrtime,
 *    CLOCK_MONOTONIC); an event that beats the write's return counts 0 ms.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { WatchChild } from './lib/watch-child.js';
import { makeSandbox } from './lib/sandbox.js';
import { mountOverlay, unmountOverlay } from './lib/overlay-mount.js';
import { fileName, lowerFile, subName, topName, TOP_DIRS } from './gen-lower.js';

/** Change i of the watch-count phase: its own directory (top i % 100, subdirectory i / 100). */
function change(merged: string, i: number): string {
  const t = i % TOP_DIRS;
  const s = Math.floor(i / TOP_DIRS);
  const path = i % 2 === 0 ? lowerFile(t, s, 0) : `/${topName(t)}/${subName(s)}/new-${i}.dat`;
  if (i % 2 === 0) appendFileSync(join(merged, path), `change ${i}\n`);
  else writeFileSync(join(merged, path), `new ${i}\n`);
  return path;
}

/** Time between two latency writes (ms). */
export const SPACING_MS = 5;

export type WriteKind = 'create' | 'copy-up' | 'rewrite';
const KINDS: WriteKind[] = ['create', 'copy-up', 'rewrite'];

/** Latency write i: directories 10+ (untouched so far), or a file change() created. */
function latencyWrite(
  merged: string,
  i: number,
  changes: number,
): { path: string; kind: WriteKind } {
  const kind = KINDS[i % 3] ?? 'create';
  const t = i % TOP_DIRS;
  const dir = `/${topName(t)}/${subName(10 + (Math.floor(i / TOP_DIRS) % 89))}`;
  const payload = `latency write ${i} `.repeat(4);
  if (kind === 'create') {
    const path = `${dir}/lat-${i}.dat`;
    writeFileSync(join(merged, path), payload);
    return { path, kind };
  }
  if (kind === 'copy-up') {
    const path = `${dir}/${fileName(1)}`;
    appendFileSync(join(merged, path), payload);
    return { path, kind };
  }
  // An odd change(): a file new in upper (cycling: each is rewritten at most every ~0.75 s).
  const j = 2 * (Math.floor(i / 3) % Math.floor(changes / 2)) + 1;
  const path = `/${topName(j % TOP_DIRS)}/${subName(Math.floor(j / TOP_DIRS))}/new-${j}.dat`;
  writeFileSync(join(merged, path), payload);
  return { path, kind };
}

export interface StreamResult {
  lowerDirs: number;
  watches: { label: string; changes: number; upperPaths: number; watches: number }[];
  startMs: number;
  latency: { kind: WriteKind; ms: number }[];
  missed: { kind: WriteKind; path: string }[];
  /** Changes of the watch-count phase with no event 5 s later. */
  unseen: string[];
  /** At the end: upper paths the watcher's state lacks, and paths it holds that are gone. */
  stateVsDisk: { missing: string[]; stale: string[] };
  watcherMaxRssKB: number;
  spacingMs: number;
  /** The watcher's flushes during the latency writes, and its event loop's busy share. */
  flushMs: number[];
  eventLoopUtilization: number;
}

export interface StreamOptions {
  lower: string;
  lowerDirs: number;
  writes: number;
  /** Change counts (increasing, at least 2) after which watches are counted, before the latency run. */
  changes: number[];
  /** Time between two latency writes (default SPACING_MS). */
  spacingMs?: number;
  /** Node options for the watching process (e.g. --cpu-prof). */
  watcherExecArgv?: string[];
}

export async function benchStream(opts: StreamOptions): Promise<StreamResult> {
  const { lower, lowerDirs, writes } = opts;
  const box = makeSandbox('stream');
  const dirs = mountOverlay(lower, box);
  const watcher = new WatchChild(dirs.upper, lower, opts.watcherExecArgv ?? []);
  try {
    const ready = await watcher.next('ready');
    const counts: StreamResult['watches'] = [
      { label: 'ready, empty upper', changes: 0, upperPaths: 0, watches: Number(ready.watches) },
    ];
    let done = 0;
    const unseen: string[] = [];
    for (const target of opts.changes) {
      const since = process.hrtime.bigint();
      const paths: string[] = [];
      for (; done < target; done++) paths.push(change(dirs.merged, done));
      const missing = await watcher.seen(paths, since);
      unseen.push(...missing);
      if (missing.length > 0)
        process.stderr.write(`stream: ${missing.length} of ${paths.length} changes unseen\n`);
      const c = await watcher.settledCount();
      counts.push({
        label: `after ${target.toLocaleString('en-US')} changes`,
        changes: target,
        upperPaths: Number(c.upperPaths),
        watches: Number(c.watches),
      });
    }
    // t0 before the write, t after it returns: the event can arrive in between
    // (the truncation of a rewrite is already a change), and then counts as 0 ms.
    const written: { path: string; kind: WriteKind; t0: bigint; t: bigint }[] = [];
    await watcher.next('count', 'count'); // resets the watcher's diagnostics
    const spacing = opts.spacingMs ?? SPACING_MS;
    const start = performance.now();
    for (let i = 0; i < writes; i++) {
      const t0 = process.hrtime.bigint();
      const w = latencyWrite(dirs.merged, i, done);
      written.push({ ...w, t0, t: process.hrtime.bigint() });
      // On a schedule, not 5 ms after each write: the spacing stays ~5 ms.
      await sleep(Math.max(0, start + (i + 1) * spacing - performance.now()));
    }
    const spacingMs = (performance.now() - start) / Math.max(1, writes);
    const first = written[0]?.t0 ?? 0n;
    await watcher.seen(
      written.map((w) => w.path),
      first,
    );
    const diag = await watcher.next('count', 'count');
    const latency: StreamResult['latency'] = [];
    const missed: StreamResult['missed'] = [];
    for (const w of written) {
      const t = (watcher.arrivals.get(w.path) ?? []).find((a) => a >= w.t0);
      if (t === undefined) missed.push({ kind: w.kind, path: w.path });
      else latency.push({ kind: w.kind, ms: Math.max(0, Number(t - w.t) / 1e6) });
    }
    const c = await watcher.settledCount();
    counts.push({
      label: `after the ${writes.toLocaleString('en-US')} latency writes`,
      changes: done + writes,
      upperPaths: Number(c.upperPaths),
      watches: Number(c.watches),
    });
    const disk = await watcher.compareWithDisk(dirs.upper);
    const closed = await watcher.next('closed', 'close');
    await watcher.stop(10e3);
    return {
      lowerDirs,
      watches: counts,
      startMs: Number(ready.startMs),
      latency,
      missed,
      unseen,
      stateVsDisk: disk,
      watcherMaxRssKB: Number(closed.maxRssKB),
      spacingMs,
      flushMs: diag.flushMs as number[],
      eventLoopUtilization: Number(diag.eventLoopUtilization),
    };
  } finally {
    await watcher.stop(0);
    unmountOverlay(dirs);
  }
}
