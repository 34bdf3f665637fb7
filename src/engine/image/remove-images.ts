/**
 * `images rm`: an image's record goes, then each of its layers that no
 * other image and no container uses; a layer kept says by what. An image
 * a container was made from is refused, naming the containers, and then
 * nothing at all is removed. Directories of the previous store format
 * (images/<sha256>/lower) are removed here too when no container mounts
 * them. Nothing with a mount on or under it is ever deleted.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { mountsAtOrUnder } from '../mountinfo.js';
import type { StateRoot } from '../state-root.js';
import type { ImageRecord } from './image-record.js';
import { removeLayerIfUnused, usedBy, type LayerFate } from './remove-layers.js';
import { storeUsage, type StoreUsage } from './store-usage.js';

export type Target =
  | { kind: 'image'; record: ImageRecord }
  | { kind: 'old'; id: string; dir: string };

/** "busybox:latest (3f2a9c01b2d4)", or the id alone. */
export function imageName(r: ImageRecord): string {
  const id = r.id.slice(0, 12);
  return r.tags[0] ? `${r.tags[0]} (${id})` : id;
}

/** IMAGE as a tag, an id, or an id prefix (of a current image or an old-format directory). */
export function resolveTarget(usage: StoreUsage, arg: string): Target {
  const tagged = usage.images.filter((r) => r.tags.includes(arg));
  if (tagged.length === 1 && tagged[0]) return { kind: 'image', record: tagged[0] };
  const hex = arg.replace(/^sha256:/, '');
  const matches: Target[] = /^[0-9a-f]+$/.test(hex)
    ? [
        ...usage.images
          .filter((r) => r.id.startsWith(hex))
          .map((record): Target => ({ kind: 'image', record })),
        ...usage.stored.flatMap((s): Target[] =>
          s.kind === 'old' && s.id.startsWith(hex) ? [{ kind: 'old', id: s.id, dir: s.dir }] : [],
        ),
      ]
    : [];
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length > 1)
    throw new UserError(
      `${JSON.stringify(arg)} is the start of ${matches.length} image ids: give more of the id (see 'overlay-tui images')`,
    );
  throw new UserError(`no image ${JSON.stringify(arg)} (see 'overlay-tui images')`);
}

/** The containers that keep a target: made from the image, or mounting the old lower. */
function containersOf(usage: StoreUsage, t: Target): string[] {
  if (t.kind === 'image') return usage.containersByImage.get(t.record.id) ?? [];
  return usage.containersByDir.get(join(t.dir, 'lower')) ?? [];
}

export interface Removal {
  /** One line per target and per layer. */
  lines: string[];
}

function removeDir(dir: string): boolean {
  if (mountsAtOrUnder(dir).length > 0) return false;
  rmSync(dir, { recursive: true, force: true }); // a symlink is unlinked, not followed
  return true;
}

function layerLine(fate: LayerFate): string {
  const name = `layer ${fate.diffId.slice(0, 19)}`;
  return fate.removed ? `removed ${name}` : `kept ${name}: ${usedBy(fate)}`;
}

export function removeImages(store: StateRoot, args: readonly string[]): Removal {
  const usage = storeUsage(store);
  const targets = args.map((a) => resolveTarget(usage, a));
  const busy = targets.flatMap((t) => {
    const users = containersOf(usage, t);
    const name =
      t.kind === 'image' ? imageName(t.record) : `${t.id.slice(0, 12)} (previous format)`;
    return users.length ? [`image ${name} is used by container ${users.join(', ')}`] : [];
  });
  if (busy.length > 0)
    throw new UserError(
      `${busy.join('; ')}: remove the container first ('overlay-tui rm NAME'); nothing was removed`,
    );
  const lines: string[] = [];
  const gone = new Set<string>();
  const layers: string[] = [];
  for (const t of targets) {
    if (t.kind === 'old') {
      const dir = join(store.images, t.id);
      lines.push(
        removeDir(dir)
          ? `removed image ${t.id.slice(0, 12)} (previous format)`
          : `kept image ${t.id.slice(0, 12)} (previous format): something is mounted under ${dir}`,
      );
      continue;
    }
    if (gone.has(t.record.id)) continue;
    if (!removeDir(join(store.images, t.record.id))) {
      lines.push(`kept image ${imageName(t.record)}: something is mounted under its directory`);
      continue;
    }
    gone.add(t.record.id);
    lines.push(`removed image ${imageName(t.record)}`);
    for (const l of t.record.layers) if (!layers.includes(l)) layers.push(l);
  }
  for (const diffId of layers)
    lines.push(layerLine(removeLayerIfUnused(store, diffId, usage, gone)));
  return { lines };
}

/** For `clean`: every previous-format image directory no container mounts; their ids. */
export function removeOldImages(store: StateRoot, usage = storeUsage(store)): string[] {
  const removed: string[] = [];
  for (const s of usage.stored) {
    if (s.kind !== 'old') continue;
    if (containersOf(usage, { kind: 'old', id: s.id, dir: s.dir }).length > 0) continue;
    if (removeDir(s.dir)) removed.push(s.id);
  }
  return removed;
}
