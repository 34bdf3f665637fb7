/**
 * The live stream's events, from two classified states of the upper layer
 * (before and after a burst of changes). Working from states, not from the
 * watcher's raw notifications, is what makes the stream trustworthy: a
 * notification can be missed or arrive for the wrong reason, a state is
 * what is on disk. Pure: no I/O.
 */
import { inodeKey, sameEntry, sameInode, type EntryType, type LayerEntry } from './layer-entry.js';
import type { UpperChange } from './classify-upper.js';

export type ChangeEventKind = 'copy-up' | 'create' | 'modify' | 'delete' | 'opaque' | 'rename';

/** What changed in a copy-up or a modification: file data, or only metadata. */
export type ChangedPart = 'data' | 'metadata' | 'none';

export interface ChangeEvent {
  /** Milliseconds since the epoch, when the change was seen. */
  time: number;
  kind: ChangeEventKind;
  /** Path in the container ('/etc/passwd'). */
  path: string;
  type: EntryType;
  /**
   * copy-up: the bytes of data the kernel copied up: the lower file's size,
   * or none for a metacopy, a file opened with O_TRUNC (`>`), a directory or
   * any other non-file (see copiedBytes in classify-upper.ts). create,
   * modify: the size now.
   */
  bytes?: number;
  /** copy-up of a regular file: its size now, in upper (after the write that copied it up). */
  size?: number;
  /** copy-up, modify: what differs from before (from the lower original, for a copy-up). */
  changed?: ChangedPart;
  /** delete: a whiteout now hides a lower entry, or an entry that only upper had was removed. */
  deleted?: 'whiteout' | 'upper-only';
  /** rename: the path it had before (for a renamed lower directory: overlay.redirect). */
  from?: string;
  /** The command line typed before the change, when the engine saw it. */
  command?: string;
  /**
   * copy-up, rename of a lower directory, delete by a whiteout, opaque: the
   * lower layer (0 = topmost) of the entry copied up or hidden, for the
   * formats to name its image layer (lower-label.ts).
   */
  lower?: number;
}

/** One upper path, classified, with the entry it was classified from. */
export interface UpperState {
  change: UpperChange;
  entry: LayerEntry;
}

function sameState(a: UpperState, b: UpperState): boolean {
  return a.change.kind === b.change.kind && sameEntry(a.entry, b.entry);
}

function copiedPart(change: UpperChange): ChangedPart {
  const c = change.changes;
  if (!c) return 'none';
  // A directory's mtime moves with every entry added or removed in it: only
  // its mode and owner are metadata of its own.
  if (change.type === 'dir') return c.mode || c.owner ? 'metadata' : 'none';
  if (c.data !== 'unchanged') return 'data';
  return c.mode || c.owner || c.mtime ? 'metadata' : 'none';
}

function sizeOf(entry: LayerEntry): number | undefined {
  return entry.type === 'file' ? entry.size : undefined;
}

function base(
  time: number,
  path: string,
  s: UpperState,
): Pick<ChangeEvent, 'time' | 'path' | 'type'> {
  return { time, path, type: s.entry.type };
}

/** The event for a path that appeared in upper (or changed what it is). */
function appeared(time: number, path: string, now: UpperState, was?: UpperState): ChangeEvent {
  const layer = now.change.lower?.layer;
  const b = { ...base(time, path, now), ...(layer !== undefined ? { lower: layer } : {}) };
  const size = sizeOf(now.entry);
  switch (now.change.kind) {
    case 'whiteout':
      return { ...b, kind: 'delete', deleted: 'whiteout' };
    case 'opaque':
      return { ...b, kind: 'opaque' };
    case 'redirected': {
      const from = now.change.lower?.path ?? now.change.redirect;
      return { ...b, kind: 'rename', ...(from !== undefined ? { from } : {}) };
    }
    case 'copied-up':
    case 'metacopy':
      if (was?.change.kind === 'whiteout')
        return {
          ...base(time, path, now),
          kind: 'create',
          ...(size !== undefined ? { bytes: size } : {}),
        };
      return {
        ...b,
        kind: 'copy-up',
        bytes: now.change.copiedBytes ?? 0,
        ...(size !== undefined ? { size } : {}),
        changed: copiedPart(now.change),
      };
    case 'new':
      // What a new entry replaced is not where it comes from.
      return {
        ...base(time, path, now),
        kind: 'create',
        ...(size !== undefined ? { bytes: size } : {}),
      };
  }
}

function modified(time: number, path: string, now: UpperState, was: UpperState): ChangeEvent {
  const x = was.entry;
  const y = now.entry;
  const data =
    x.size !== y.size || x.mtimeMs !== y.mtimeMs || x.target !== y.target || !sameInode(x, y);
  const bytes = sizeOf(y);
  return {
    ...base(time, path, now),
    kind: 'modify',
    changed: data ? 'data' : 'metadata',
    ...(bytes !== undefined ? { bytes } : {}),
  };
}

/** Events that turn `before` into `after`, parents before children, renames paired up. */
export function changeEvents(
  before: ReadonlyMap<string, UpperState>,
  after: ReadonlyMap<string, UpperState>,
  time: number,
): ChangeEvent[] {
  const events: ChangeEvent[] = [];
  const paths = new Set([...before.keys(), ...after.keys()]);
  for (const path of [...paths].sort()) {
    const was = before.get(path);
    const now = after.get(path);
    if (was && now && sameState(was, now)) continue;
    if (now && (!was || was.change.kind !== now.change.kind || was.entry.type !== now.entry.type)) {
      events.push(appeared(time, path, now, was));
    } else if (now && was) {
      events.push(modified(time, path, now, was));
    } else if (was && was.change.kind !== 'whiteout') {
      events.push({ ...base(time, path, was), kind: 'delete', deleted: 'upper-only' });
    }
  }
  return pairRenames(events, before, after);
}

/** A removed upper-only entry and a created one with the same inode are one rename. */
function pairRenames(
  events: ChangeEvent[],
  before: ReadonlyMap<string, UpperState>,
  after: ReadonlyMap<string, UpperState>,
): ChangeEvent[] {
  // By inode, birth time included: a file deleted and another made in the
  // same burst can get the same inode number without being a rename.
  const created = new Map<string, ChangeEvent>();
  for (const e of events) {
    const entry = after.get(e.path)?.entry;
    if (e.kind === 'create' && entry) created.set(inodeKey(entry), e);
  }
  const out: ChangeEvent[] = [];
  for (const e of events) {
    const entry = before.get(e.path)?.entry;
    const upperOnly = e.kind === 'delete' && e.deleted === 'upper-only';
    const target = upperOnly && entry ? created.get(inodeKey(entry)) : undefined;
    if (target) {
      target.kind = 'rename';
      target.from = e.path;
      delete target.bytes;
    } else {
      out.push(e);
    }
  }
  // A lower file renamed: a whiteout at the old name and a copy whose origin names it.
  const whiteouts = new Set(out.filter((e) => e.deleted === 'whiteout').map((e) => e.path));
  for (const e of out) {
    const origin = after.get(e.path)?.change.originPath;
    if (e.kind === 'create' && origin !== undefined && whiteouts.has(origin)) {
      e.kind = 'rename';
      e.from = origin;
      delete e.bytes;
    }
  }
  return out;
}
