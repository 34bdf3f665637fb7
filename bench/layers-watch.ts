/**
 * The watching process of the live-stream benchmark, forked by
 * layers-stream.ts with an IPC channel:
 *
 *   UPPER LOWER   (argv)
 *
 * Starts an UpperWatcher on UPPER over LOWER and sends, by IPC:
 *   { type: 'ready', startMs, watches }           once start() resolved
 *   { type: 'events', t, paths }                   for every 'events' callback:
 *       t = process.hrtime.bigint() on arrival (CLOCK_MONOTONIC, the same
 *       clock as the writer's), as a string; paths of the events
 *   { type: 'count', watches, upperPaths, rssKB, flushMs, eventLoopUtilization }
 *       in answer to { cmd: 'count' }; the last two cover the time since the last count
 *   { type: 'paths', paths }                       in answer to { cmd: 'paths' }: every
 *       path of the watcher's current state
 *   { type: 'closed', maxRssKB }                   in answer to { cmd: 'close' }
 *   { type: 'error', message }
 * Watches are counted in this process's own fdinfo: chokidar's inotify
 * instance and nothing else.
 */
import { inotifyWatches, loadWatch } from './lib/layer-engine.js';

type Reply = Record<string, unknown> & { type: string };

function send(msg: Reply): void {
  process.send?.(msg);
}

const [upperDir, lowerDir] = process.argv.slice(2);
if (upperDir === undefined || lowerDir === undefined || !process.send) {
  process.stderr.write('usage: (forked with IPC) layers-watch UPPER LOWER\n');
  process.exit(2);
}

const { UpperWatcher } = await loadWatch();
const t0 = performance.now();
const watcher = new UpperWatcher({ upperDir, lowerDirs: [lowerDir] });
watcher.on('events', (events) => {
  const t = process.hrtime.bigint();
  send({ type: 'events', t: t.toString(), paths: events.map((e) => e.path) });
});
watcher.on('error', (err) => send({ type: 'error', message: err.message }));
await watcher.start();
send({ type: 'ready', startMs: performance.now() - t0, watches: inotifyWatches() });

// Diagnostics between two counts: each flush's duration, and how busy the event loop was.
let flushMs: number[] = [];
let elu = performance.eventLoopUtilization();
const flush = watcher.flush.bind(watcher);
watcher.flush = () => {
  const f0 = performance.now();
  const events = flush();
  flushMs.push(performance.now() - f0);
  return events;
};

process.on('message', (msg: { cmd?: string }) => {
  if (msg.cmd === 'count') {
    send({
      type: 'count',
      watches: inotifyWatches(),
      upperPaths: watcher.current.states.size,
      rssKB: Math.round(process.memoryUsage().rss / 1024),
      flushMs,
      eventLoopUtilization: performance.eventLoopUtilization(elu).utilization,
    });
    flushMs = [];
    elu = performance.eventLoopUtilization();
  } else if (msg.cmd === 'paths') {
    send({ type: 'paths', paths: [...watcher.current.states.keys()] });
  } else if (msg.cmd === 'close') {
    void watcher.close().then(() => {
      send({ type: 'closed', maxRssKB: process.resourceUsage().maxRSS });
      process.disconnect();
    });
  }
});
