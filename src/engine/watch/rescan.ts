/**
 * Brings one path of the in-memory upper tree back in line with the disk.
 * A directory is listed again and every entry in it rescanned, so a child
 * the watcher never reported is found anyway; a directory that is new, or
 * was replaced by another of the same name (deleted and made again: a new
 * inode, now opaque), is scanned whole.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  childPath,
  entryAt,
  scanEntry,
  scanLayer,
  withEntry,
  type LayerEntry,
} from '../../overlay/index.js';

export interface Rescanned {
  root: LayerEntry;
  /** Directories scanned whole (new or replaced), which need watching anew. */
  replacedDirs: string[];
}

function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/')) || '/';
}

function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function listNames(abs: string): string[] {
  try {
    return readdirSync(abs);
  } catch {
    return []; // removed meanwhile: the next burst sees it gone
  }
}

function wholeDir(abs: string, name: string): LayerEntry | undefined {
  try {
    return { ...scanLayer(abs), name };
  } catch {
    return undefined; // removed meanwhile
  }
}

export function rescanPath(upperDir: string, root: LayerEntry, path: string): Rescanned {
  // A path whose parent the tree does not know yet: rescan from the nearest known ancestor.
  if (path !== '/' && entryAt(root, parentOf(path))?.type !== 'dir') {
    return rescanPath(upperDir, root, parentOf(path));
  }
  const abs = path === '/' ? upperDir : join(upperDir, path);
  const old = entryAt(root, path);
  const now = scanEntry(abs, nameOf(path));
  const replacedDirs: string[] = [];
  if (!now) {
    return { root: path === '/' || !old ? root : withEntry(root, path, undefined), replacedDirs };
  }
  if (now.type !== 'dir') return { root: withEntry(root, path, now), replacedDirs };
  if (old?.type !== 'dir' || old.ino !== now.ino) {
    const whole = wholeDir(abs, now.name);
    replacedDirs.push(path);
    return { root: whole ? withEntry(root, path, whole) : root, replacedDirs };
  }
  const children = new Map<string, LayerEntry>();
  for (const name of listNames(abs)) {
    const child = scanEntry(join(abs, name), name);
    if (!child) continue;
    const before = old.children?.get(name);
    if (child.type !== 'dir') {
      children.set(name, child);
    } else if (before?.type === 'dir' && before.ino === child.ino) {
      children.set(name, { ...child, children: before.children ?? new Map() });
    } else {
      const whole = wholeDir(join(abs, name), name);
      if (whole) children.set(name, whole);
      replacedDirs.push(childPath(path, name));
    }
  }
  return { root: withEntry(root, path, { ...now, children }), replacedDirs };
}
