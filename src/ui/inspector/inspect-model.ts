/**
 * What the inspector draws for one path, as plain data: the sentence, the
 * lower and upper attributes side by side, and the data (a line diff from
 * lower to what merged shows, or a note for binaries and big files). Pure:
 * the versions were read by the engine (src/engine/layers/read-versions.ts).
 */
import type { Content, Version, Versions } from '../../engine/layers/read-versions.js';
import { isDeviceWhiteout, type LayerEntry } from '../../overlay/index.js';
import { humanBytes } from '../../engine/human-bytes.js';
import { printablePath } from '../../overlay/printable-path.js';
import { cellWidth, fitCells, printable } from '../trees/row-layout.js';
import { explain, type ExplainInput } from './explain.js';
import { modeString } from './mode-string.js';
import type { StackInspect, VersionLine } from './stack-inspect.js';
import { diffLines, withContext, DIFF_MAX_LINES, type DiffRow } from './line-diff.js';

export interface AttrRow {
  label: string;
  lower: string;
  upper: string;
}

export interface InspectView {
  sentence: string;
  attrs: AttrRow[];
  /** What the data part shows ("diff lower → upper  +1 −0", "too large to diff"…). */
  heading: string;
  rows: DiffRow[];
  /** An image of several layers: every version of the path down the stack, two of them chosen. */
  versions?: VersionLine[];
}

export { modeString } from './mode-string.js';

function clock(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function typeWord(e: LayerEntry): string {
  if (isDeviceWhiteout(e)) return 'whiteout (char 0/0)';
  return e.type === 'char' || e.type === 'block' ? `${e.type} device` : e.type;
}

const ATTRS: [string, (e: LayerEntry) => string | undefined][] = [
  ['type', typeWord],
  ['size', (e) => (e.type === 'dir' ? undefined : humanBytes(e.size))],
  ['mode', (e) => `${modeString(e.type, e.mode)} ${e.mode.toString(8).padStart(4, '0')}`],
  ['owner', (e) => `${e.uid}:${e.gid}`],
  // Before mtime: a whiteout's device numbers are what makes it one.
  ['target', (e) => (e.target === undefined ? undefined : printablePath(e.target))],
  ['device', (e) => (e.rdev ? `${e.rdev.major}, ${e.rdev.minor}` : undefined)],
  ['mtime', (e) => clock(e.mtimeMs)],
];

function attrRows(v: Versions): AttrRow[] {
  const where = (x: Version | undefined, name: string) =>
    x ? (x.path === v.path ? name : `${name} ${printablePath(x.path)}`) : `(nothing in ${name})`;
  const rows: AttrRow[] = [
    { label: 'layer', lower: where(v.lower, 'lower'), upper: where(v.upper, 'upper') },
  ];
  for (const [label, get] of ATTRS) {
    const lower = v.lower ? get(v.lower.entry) : undefined;
    const upper = v.upper ? get(v.upper.entry) : undefined;
    if (lower !== undefined || upper !== undefined)
      rows.push({ label, lower: lower ?? '', upper: upper ?? '' });
  }
  return rows;
}

/** The text merged shows at the path, if it is a readable text: upper's, or lower's when untouched. */
function mergedText(v: Versions, input: ExplainInput): Content | undefined {
  if (v.upper)
    return v.upper.entry.type === 'file' && !isDeviceWhiteout(v.upper.entry)
      ? v.upper.content
      : undefined;
  return input.lower?.status === 'visible' ? v.lower?.content : undefined;
}

const NOTE: Record<Exclude<Content['kind'], 'text'>, string> = {
  binary: 'binary data: no line diff',
  'too-large': `too large to diff (over 256 KiB or ${DIFF_MAX_LINES.toLocaleString('en')} lines)`,
  'in-lower': "metacopy: upper holds no data, merged reads lower's",
  unreadable: 'could not be read',
};

function dataPart(v: Versions, input: ExplainInput): Pick<InspectView, 'heading' | 'rows'> {
  const before = v.lower?.content;
  const after = mergedText(v, input);
  if (!before && !after) return { heading: '', rows: [] };
  for (const c of [before, after]) {
    if (!c || c.kind === 'text') continue;
    // The classification compared the bytes, where no line diff can.
    const data = input.change?.changes?.data;
    const same =
      data === 'unchanged' ? ', the same in both' : data === 'changed' ? ', changed' : '';
    const why = c.kind === 'binary' ? same : c.kind === 'unreadable' ? `: ${c.why}` : '';
    return { heading: `${NOTE[c.kind]}${why}`, rows: [] };
  }
  const a = before?.kind === 'text' ? before.text : '';
  const b = after?.kind === 'text' ? after.text : '';
  const diff = diffLines(a, b);
  if (diff === 'too-large') return { heading: NOTE['too-large'], rows: [] };
  if (diff.added + diff.removed === 0) {
    return {
      heading: `same data in lower and merged (${diff.lines.length} line${diff.lines.length === 1 ? '' : 's'})`,
      rows: diff.lines,
    };
  }
  const to = after ? (v.upper ? 'upper' : 'merged') : 'merged (nothing)';
  return {
    heading: `diff ${before ? 'lower' : '(nothing)'} → ${to}   +${diff.added} −${diff.removed}`,
    rows: withContext(diff.lines, 2),
  };
}

/**
 * layered: the versions down the stack and the diff of the chosen two (an
 * image of several layers); they take the place of the lower → merged diff.
 */
export function inspectView(
  v: Versions | undefined,
  input: ExplainInput,
  layered?: StackInspect,
): InspectView {
  const sentence = explain(input);
  if (layered) {
    const { lines, heading, rows } = layered;
    return { sentence, attrs: v ? attrRows(v) : [], heading, rows, versions: lines };
  }
  if (!v) return { sentence, attrs: [], heading: '', rows: [] };
  return { sentence, attrs: attrRows(v), ...dataPart(v, input) };
}

/** Words laid into lines of at most `width` cells; the last line kept is cut with '…'. */
export function wrapWords(text: string, width: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (cellWidth(next) <= width || !line) line = next;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = `${fitCells(`${kept[maxLines - 1] ?? ''} …`, width).trimEnd()}`;
  return kept;
}

/** A line of file data made safe and flat to draw: tabs to spaces, control characters to '?'. */
export function displayText(text: string): string {
  let out = '';
  for (const ch of text.replace(/\r$/, '')) {
    out += ch === '\t' ? ' '.repeat(8 - (out.length % 8)) : ch;
  }
  return printable(out);
}
