/**
 * One sentence on why a path is in its state, for the inspector: what a
 * workshop teacher would say pointing at it. Pure: from the upper entry's
 * classification and the topmost lower entry's state, both from the layer
 * model; the sentences say what the kernel did, never what it might do.
 */
import {
  lowerPhrase,
  type CopyUpChanges,
  type EntryType,
  type LowerState,
  type StackLabels,
  type UpperChange,
} from '../../overlay/index.js';
import { printablePath } from '../../overlay/printable-path.js';

export interface ExplainInput {
  /** Upper's entry at the path, classified (absent: upper has nothing there). */
  change?: UpperChange | undefined;
  /** The topmost lower layer's entry at the path (absent: it has none). */
  lower?: LowerState | undefined;
  /** The container's layers, topmost first: an image of several has its layers named. */
  labels?: StackLabels;
}

/** How the sentences name the lower entry: "lower's file", or "the file in layer 3 (RUN …)". */
interface LowerWords {
  /** " from layer 3 (RUN …)", or '' for a one-layer image. */
  from: string;
  /** "lower's file" or "the file in layer 3 (RUN …)". */
  its(noun: string): string;
}

function lowerWords(change: UpperChange, labels: StackLabels): LowerWords {
  const layer = lowerPhrase(labels, change.lower?.layer, 40);
  return layer
    ? { from: ` from ${layer}`, its: (noun) => `the ${noun} in ${layer}` }
    : { from: '', its: (noun) => `lower's ${noun}` };
}

const NOUN: Record<EntryType, string> = {
  file: 'file',
  dir: 'directory',
  symlink: 'symlink',
  char: 'device',
  block: 'device',
  fifo: 'fifo',
  socket: 'socket',
};

const noun = (type: EntryType | undefined): string => NOUN[type ?? 'file'];

/** The metadata a copy-up changed, as the words `ls -l` users know. */
function metadataParts(c: CopyUpChanges | undefined, type: EntryType): string[] {
  if (!c) return [];
  const parts: string[] = [];
  if (c.mode) parts.push('mode');
  if (c.owner) parts.push('owner');
  // A directory's mtime moves whenever an entry is added in it: not its own change.
  if (c.mtime && type !== 'dir') parts.push('mtime');
  return parts;
}

function copiedUp(change: UpperChange, w: LowerWords): string {
  const meta = metadataParts(change.changes, change.type);
  const data = change.changes?.data ?? 'unknown';
  if (change.type === 'dir') {
    const why =
      meta.length > 0 ? `for a metadata change (${meta.join(', ')})` : 'as the parent of a change';
    return `Copied up${w.from} ${why}: merged joins upper's directory with lower's, so lower's other entries still show through.`;
  }
  if (data !== 'unchanged') {
    return change.type === 'file'
      ? `Copied up${w.from} when it was opened for writing: lower still holds the original, merged shows upper's copy.`
      : `Copied up${w.from} and changed: lower still holds the original ${noun(change.type)}, merged shows upper's copy.`;
  }
  if (meta.length > 0) {
    return `Copied up${w.from} for a metadata change (${meta.join(', ')}): the data is the same; merged shows upper's copy.`;
  }
  return `Copied up${w.from} when it was opened for writing, though nothing changed: the data is the same; merged shows upper's copy.`;
}

function metacopy(change: UpperChange, w: LowerWords): string {
  const meta = metadataParts(change.changes, change.type);
  const why = meta.length > 0 ? ` for a metadata change (${meta.join(', ')})` : '';
  return `Metacopy: only the metadata was copied up${why}; the data is still read from ${w.its('file')}.`;
}

function whiteout(change: UpperChange, w: LowerWords): string {
  const how =
    change.type === 'char'
      ? 'a whiteout (a 0/0 character device)'
      : 'a whiteout (a zero-size file marked overlay.whiteout)';
  if (!change.lower) {
    return `A whiteout with nothing below it: upper holds ${how}, but no lower entry is there to hide.`;
  }
  return `Deleted: upper holds ${how} that hides ${w.its(noun(change.lower.type))}; merged shows nothing here.`;
}

function created(change: UpperChange, w: LowerWords): string {
  if (change.originPath !== undefined) {
    return `Moved or linked here from lower's ${printablePath(change.originPath)}: it was copied up first, and only upper has it at this path.`;
  }
  if (change.lower) {
    const was = noun(change.lower.type);
    const again =
      change.lower.type === change.type
        ? 'deleted and made again'
        : `replaced by a ${noun(change.type)}`;
    return `New, in place of ${w.its(was)}: it was ${again}, so merged shows upper's and nothing of lower's.`;
  }
  return 'New: only upper has it.';
}

function fromUpper(change: UpperChange, labels: StackLabels): string {
  const w = lowerWords(change, labels);
  switch (change.kind) {
    case 'copied-up':
      return copiedUp(change, w);
    case 'metacopy':
      return metacopy(change, w);
    case 'whiteout':
      return whiteout(change, w);
    case 'opaque':
      return `Opaque: the directory was deleted and made again; nothing of ${w.its('directory')}${w.from ? ' or below it' : ''} shows through.`;
    case 'redirected': {
      const raw = change.lower?.path ?? change.redirect;
      const from = raw === undefined ? '?' : printablePath(raw);
      const where = w.from ? `${from}${w.from.replace(' from', ' in')}` : `lower's ${from}`;
      return `Renamed: upper's directory carries a redirect to ${where}, so merged shows lower's entries under this new name.`;
    }
    case 'new':
      return created(change, w);
  }
}

function fromLower(lower: LowerState): string {
  const what = noun(lower.type);
  if (lower.path === '/') {
    return "The root: merged always joins upper's root with every lower layer's root.";
  }
  if (lower.whiteout) {
    return 'A whiteout inside the image: it hides this name in the layers beneath; merged shows nothing here.';
  }
  if (lower.status === 'visible')
    return `Untouched: only lower has it; merged shows lower's ${what}.`;
  const by = lower.by;
  const where = by
    ? `${by.layer === 'upper' ? "upper's" : "a higher layer's"} ${printablePath(by.path)}`
    : '';
  if (lower.status === 'shadowed') {
    switch (by?.why) {
      case 'merged':
        return `Merged: ${where} lies over it and merged lists the entries of both directories.`;
      case 'metacopy':
        return `Shadowed by a metacopy file, ${where}: its metadata wins, but the data is still read from this ${what}.`;
      case 'redirect':
        return `Shadowed: a renamed directory (${where}) took over this name; merged shows that one here.`;
      default:
        return `Shadowed: ${where || 'a higher layer'} wins at this path; merged shows that one, and this ${what} stays on disk below it.`;
    }
  }
  switch (by?.why) {
    case 'whiteout':
      return by.path === lower.path
        ? `Hidden: a whiteout at ${where} hides it; merged shows nothing here, but lower still holds it.`
        : `Hidden: its directory was deleted (a whiteout at ${where}); merged shows nothing here, but lower still holds it.`;
    case 'opaque':
      return `Hidden: the opaque directory ${where} lets nothing of lower's directory through; lower still holds it.`;
    case undefined:
      return 'Hidden: a higher layer hides it; merged shows nothing here, but lower still holds it.';
    default:
      return `Hidden: ${where} is not a directory, so nothing of lower's directory below it shows; lower still holds it.`;
  }
}

export function explain({ change, lower, labels }: ExplainInput): string {
  if (change) return fromUpper(change, labels);
  if (lower) return fromLower(lower);
  return 'Nothing here in any layer.';
}
