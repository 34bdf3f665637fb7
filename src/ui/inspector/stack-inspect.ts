/**
 * The inspector's part for an image of several layers: every version of
 * the selected path down the stack (upper, layer 7, layer 3, layer 1: what
 * each holds there), two of them chosen, and the line diff between those
 * two. Pure: the versions were read by the session (stack-versions.ts).
 */
import { humanBytes } from '../../engine/human-bytes.js';
import { isDeviceWhiteout, isWhiteout, type XattrNamespace } from '../../overlay/index.js';
import { trimCreatedBy } from '../../overlay/layer-label.js';
import { printablePath } from '../../overlay/printable-path.js';
import type { StackLayer } from '../layers/stack-layers.js';
import type { StackVersion } from '../layers/stack-versions.js';
import type { Content } from '../../engine/layers/read-versions.js';
import { diffLines, withContext, DIFF_MAX_LINES, type DiffRow } from './line-diff.js';
import { modeString } from './mode-string.js';

/** The two versions compared, as indexes into the versions (0 = the topmost). */
export interface VersionPair {
  /** The older side: the diff's '-' lines. */
  from: number;
  /** The newer side: the diff's '+' lines. */
  to: number;
}

export interface VersionLine {
  /** 'upper', 'layer 7 (RUN …)'. */
  name: string;
  /** What the layer holds at the path: 'file 1.2 KiB -rw-r--r--', 'whiteout'. */
  what: string;
  /** Which side of the diff it is, if chosen. */
  side?: 'from' | 'to';
}

export interface StackInspect {
  lines: VersionLine[];
  heading: string;
  rows: DiffRow[];
}

/** The default pair: the topmost version against the one under it. */
export function defaultPair(count: number): VersionPair {
  return { from: Math.min(1, Math.max(0, count - 1)), to: 0 };
}

/** One side moved by step, never onto the other side, kept within the versions. */
export function movePair(
  pair: VersionPair,
  side: 'from' | 'to',
  step: 1 | -1,
  count: number,
): VersionPair {
  const other = side === 'from' ? pair.to : pair.from;
  let next = pair[side] + step;
  if (next === other) next += step;
  if (next < 0 || next >= count) return pair;
  return { ...pair, [side]: next };
}

export function versionName(v: StackVersion, stack: readonly StackLayer[]): string {
  if (v.layer === 'upper') return 'upper';
  const label = stack[v.layer];
  if (!label) return `lower ${v.layer}`;
  const what = trimCreatedBy(label.createdBy, 24);
  return what ? `layer ${label.number} (${what})` : `layer ${label.number}`;
}

function holds(v: StackVersion, ns: XattrNamespace): string {
  const e = v.entry;
  if (isWhiteout(e, ns)) return isDeviceWhiteout(e) ? 'whiteout (deletes it)' : 'whiteout (xattr)';
  const mode = modeString(e.type, e.mode);
  const owner = `${e.uid}:${e.gid}`;
  if (e.type === 'file') return `file ${humanBytes(e.size)} ${mode} ${owner}`;
  if (e.type === 'symlink') return `symlink -> ${printablePath(e.target ?? '')}`;
  const opaque = e.type === 'dir' && e.xattrs?.[ns]?.opaque === 'y' ? ', opaque' : '';
  return `${e.type} ${mode} ${owner}${opaque}`;
}

const NOTE: Record<Exclude<Content['kind'], 'text'>, string> = {
  binary: 'binary data: no line diff',
  'too-large': `too large to diff (over 256 KiB or ${DIFF_MAX_LINES.toLocaleString('en')} lines)`,
  'in-lower': 'metacopy: upper holds no data',
  unreadable: 'could not be read',
};

/** The text a version holds for the diff ('' for what is not a file: it holds no lines). */
function textOf(v: StackVersion, ns: XattrNamespace): string | Exclude<Content['kind'], 'text'> {
  if (v.entry.type !== 'file' || isWhiteout(v.entry, ns)) return '';
  const c = v.content;
  if (!c) return '';
  return c.kind === 'text' ? c.text : c.kind;
}

export function stackInspect(
  versions: readonly StackVersion[],
  pair: VersionPair,
  stack: readonly StackLayer[],
  ns: XattrNamespace = 'trusted',
): StackInspect {
  const lines: VersionLine[] = versions.map((v, i) => {
    const line: VersionLine = { name: versionName(v, stack), what: holds(v, ns) };
    if (i === pair.from && versions.length > 1) line.side = 'from';
    if (i === pair.to) line.side = 'to';
    return line;
  });
  const from = versions[pair.from];
  const to = versions[pair.to];
  if (!from || !to || from === to) return { lines, heading: '', rows: [] };
  const names = `${versionName(from, stack).split(' (')[0]} → ${versionName(to, stack).split(' (')[0]}`;
  const a = textOf(from, ns);
  const b = textOf(to, ns);
  for (const t of [a, b]) {
    if (t === 'binary' || t === 'too-large' || t === 'in-lower' || t === 'unreadable')
      return { lines, heading: `${names}: ${NOTE[t]}`, rows: [] };
  }
  const diff = diffLines(a, b);
  if (diff === 'too-large') return { lines, heading: `${names}: ${NOTE['too-large']}`, rows: [] };
  if (diff.added + diff.removed === 0)
    return { lines, heading: `${names}: the same data`, rows: diff.lines };
  return {
    lines,
    heading: `diff ${names}   +${diff.added} −${diff.removed}`,
    rows: withContext(diff.lines, 2),
  };
}
