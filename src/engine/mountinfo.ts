/**
 * What is mounted, from /proc/self/mountinfo: the one source of truth for
 * "is anything still mounted on or under this directory?" before we delete.
 */
import { readFileSync } from 'node:fs';

export interface MountEntry {
  mountPoint: string;
  fsType: string;
  source: string;
  superOptions: string;
}

// mountinfo escapes space, tab, newline and backslash as \ooo octal.
function unescapeField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountinfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const fields = line.split(' ');
    const dash = fields.indexOf('-', 6);
    const mountPoint = fields[4];
    if (dash < 0 || mountPoint === undefined) continue;
    entries.push({
      mountPoint: unescapeField(mountPoint),
      fsType: fields[dash + 1] ?? '',
      source: unescapeField(fields[dash + 2] ?? ''),
      superOptions: fields[dash + 3] ?? '',
    });
  }
  return entries;
}

export function readMounts(): MountEntry[] {
  return parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'));
}

/** Mounts on DIR or anywhere below it, deepest first (the order to unmount them in). */
export function mountsAtOrUnder(dir: string, mounts: MountEntry[] = readMounts()): MountEntry[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return mounts
    .filter((m) => m.mountPoint === dir || m.mountPoint.startsWith(prefix))
    .sort((a, b) => b.mountPoint.length - a.mountPoint.length);
}
