/**
 * The inspector: the selected path's lower and upper versions side by side,
 * the sentence that says why it is in its state, and the data as a line
 * diff. Draws an InspectView (inspect-model.ts) and nothing else: it never
 * reads a file. Exactly height rows, none wider than width.
 */
import { memo } from 'react';
import { Box, Text } from 'ink';
import { printablePath } from '../../overlay/printable-path.js';
import { fitCells } from '../trees/row-layout.js';
import { displayText, wrapWords, type InspectView } from './inspect-model.js';
import type { DiffRow } from './line-diff.js';

export interface InspectorPaneProps {
  path: string;
  view: InspectView;
  focused: boolean;
  width: number;
  height: number;
  /** Data rows scrolled past (clamped here to what can scroll). */
  scroll?: number;
}

const LABEL = 8;

function DiffText({ row, width }: { row: DiffRow; width: number }) {
  if (row.op === 'skip') {
    const s = row.count === 1 ? '' : 's';
    return <Text dimColor>{fitCells(` ⋯ ${row.count} unchanged line${s}`, width)}</Text>;
  }
  const color = row.op === '+' ? 'green' : row.op === '-' ? 'red' : undefined;
  const text = fitCells(`${row.op}${displayText(row.text)}`, width);
  return color ? <Text color={color}>{text}</Text> : <Text>{text}</Text>;
}

/**
 * n of the attribute rows, in their order: the first (which layer) and
 * then those where lower and upper differ before those where they agree,
 * so a small screen still shows what changed (the owner after a chown).
 */
function pickAttrs(all: InspectView['attrs'], n: number): InspectView['attrs'] {
  if (all.length <= n) return all;
  if (n <= 0) return [];
  const [first, ...rest] = all;
  const differs = rest.filter((a) => a.lower !== a.upper);
  const same = rest.filter((a) => a.lower === a.upper);
  const keep = new Set([...differs, ...same].slice(0, n - 1));
  return [first, ...rest.filter((a) => keep.has(a))].filter((a) => a !== undefined);
}

/** What fits where: the parts above the data, and the rows left for it. */
function planInspector(view: InspectView, width: number, height: number) {
  const inner = width - 1; // one cell of margin on the left, as the other panes
  const sentence = wrapWords(view.sentence, inner, Math.max(1, Math.min(3, height - 2)));
  // Title and sentence first; then the versions down the stack (several
  // layers), up to a third of what is left; then the attributes, but on a
  // small screen they leave up to half the room to the data, which is what
  // changed.
  const rest = Math.max(0, height - 1 - sentence.length);
  const versions = (view.versions ?? []).slice(0, Math.max(0, Math.floor(rest / 3)));
  const body = rest - versions.length;
  const data = (view.heading ? 1 : 0) + view.rows.length;
  const attrCap = view.versions ? Math.min(2, body) : body;
  const attrs = pickAttrs(
    view.attrs,
    Math.max(0, Math.min(attrCap, body - Math.min(data, Math.ceil(body / 2)))),
  );
  const heading = view.heading && body > attrs.length ? view.heading : '';
  const room = body - attrs.length - (heading ? 1 : 0);
  return { inner, sentence, versions, attrs, heading, room };
}

/** How far the data can scroll: one row of the room says what is above or below. */
export function inspectorScrollMax(view: InspectView, width: number, height: number): number {
  const { room } = planInspector(view, width, height);
  return view.rows.length > room && room > 1 ? view.rows.length - (room - 1) : 0;
}

function InspectorPaneView({ path, view, focused, width, height, scroll = 0 }: InspectorPaneProps) {
  const { inner, sentence, versions, attrs, heading, room } = planInspector(view, width, height);
  const col = Math.max(1, Math.floor((inner - LABEL - 1) / 2));
  const max = inspectorScrollMax(view, width, height);
  const top = Math.min(scroll, max);
  const over = max > 0;
  const rows = view.rows.slice(top, top + (over ? room - 1 : room));
  const below = view.rows.length - top - rows.length;
  const where = top > 0 ? `${top} rows above, ${below} below` : `${below} more rows`;
  const used =
    1 +
    sentence.length +
    versions.length +
    attrs.length +
    (heading ? 1 : 0) +
    rows.length +
    (over ? 1 : 0);
  const nameCells = Math.min(
    Math.max(0, ...versions.map((v) => v.name.length)),
    Math.floor(inner / 2),
  );
  return (
    <Box flexDirection="column" width={width} height={height} flexShrink={0}>
      <Text inverse={focused} bold>
        {fitCells(` inspect ${printablePath(path)}`, width)}
      </Text>
      {sentence.map((line, i) => (
        <Text key={`s${i}`} color="yellow">
          {fitCells(` ${line}`, width)}
        </Text>
      ))}
      {versions.map((v, i) => (
        <Text key={`v${i}`} {...(v.side ? { bold: true } : { dimColor: true })}>
          {fitCells(` ${v.side === 'from' ? 'a' : v.side === 'to' ? 'b' : ' '} `, 3)}
          {fitCells(v.name, nameCells)} {fitCells(v.what, Math.max(0, width - 4 - nameCells))}
        </Text>
      ))}
      {attrs.map((a, i) => (
        <Text key={`a${a.label}`} bold={i === 0}>
          {fitCells(` ${a.label}`, LABEL + 1)}
          {fitCells(a.lower, col)} {fitCells(a.upper, width - LABEL - 2 - col)}
        </Text>
      ))}
      {heading ? <Text bold>{fitCells(` ${heading}`, width)}</Text> : null}
      {rows.map((row, i) => (
        <Box key={`d${top + i}`} width={width}>
          <Text> </Text>
          <DiffText row={row} width={inner} />
        </Box>
      ))}
      {over ? (
        <Text dimColor>{fitCells(` ⋯ ${where}${focused ? ' (↑↓ PgUp PgDn)' : ''}`, width)}</Text>
      ) : null}
      {Array.from({ length: Math.max(0, height - used) }, (_, i) => (
        <Text key={`p${i}`}>{' '.repeat(width)}</Text>
      ))}
    </Box>
  );
}

// Drawn again only when its own props change: the store changes for many other reasons.
export const InspectorPane = memo(InspectorPaneView);
