/**
 * One scan of a lower layer, in a process of its own so that its peak RSS
 * is its own:
 *
 *   node dist/bench/layers-scan.js top|full|app|search LOWER [EMPTY_DIR]
 *
 * top:  what showing the lower's top level needs: readdir of the root and
 *       scanEntry (lstat, link target, overlay xattrs) of each child.
 * full: scanLayer of the whole lower, as "changes only" and search need;
 *       the tree is kept until the RSS is read, as the UI would keep it.
 * app:  what the full-screen app does before its first frame (run-app.tsx):
 *       an UpperWatcher on an empty upper (EMPTY_DIR) over LOWER, then
 *       loadLowerDir('/'), which lists the lower's root and reclassifies.
 * search: the app's path to a search over the whole image: app, then
 *       loadWholeLower() (every directory, in slices) and the one
 *       reclassification after it; entries: the merged view's size.
 *
 * Prints one JSON line: the operation's time in this process (ms), the
 * time to import the layer code (importMs), entries, and ru_maxrss (KB).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadOverlay, loadWatch } from './lib/layer-engine.js';

const [mode, lower, empty] = process.argv.slice(2);
if (!['top', 'full', 'app', 'search'].includes(mode ?? '') || lower === undefined) {
  process.stderr.write('usage: layers-scan top|full|app|search LOWER [EMPTY_DIR]\n');
  process.exit(2);
}

const t0 = performance.now();
const { scanEntry, scanLayer, walkMerged } = await loadOverlay();
const needsWatcher = mode === 'app' || mode === 'search';
const { UpperWatcher } = needsWatcher ? await loadWatch() : { UpperWatcher: undefined };
const t1 = performance.now();
let entries = 0;
let kept: unknown[] = [];
if (UpperWatcher) {
  if (empty === undefined) throw new Error('app needs an empty directory for upper');
  const watcher = new UpperWatcher({ upperDir: empty, lowerDirs: [lower] });
  if (!watcher.loadLowerDir) throw new Error('UpperWatcher has no loadLowerDir: rebuild');
  watcher.loadLowerDir('/');
  kept = [watcher];
  entries = Number.NaN;
  if (mode === 'search') {
    if (!watcher.loadWholeLower) throw new Error('UpperWatcher has no loadWholeLower: rebuild');
    await watcher.loadWholeLower();
    entries = [...walkMerged(watcher.current.view.root)].length;
  }
} else if (mode === 'top') {
  for (const name of readdirSync(lower).sort()) {
    const e = scanEntry(join(lower, name), name);
    if (e) kept.push(e);
  }
  entries = kept.length;
} else {
  kept = [scanLayer(lower, { onEntry: () => void entries++ })];
}
const t2 = performance.now();
const { maxRSS } = process.resourceUsage();
process.stdout.write(
  `${JSON.stringify({
    mode,
    ms: t2 - t1,
    importMs: t1 - t0,
    entries,
    maxRssKB: maxRSS,
    heapUsedKB: Math.round(process.memoryUsage().heapUsed / 1024),
    keptRoots: kept.length,
  })}\n`,
);
