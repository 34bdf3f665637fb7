/**
 * One tree pane: a title row, then only the rows that fit (a 100,000-row
 * tree costs as much to draw as a screenful). Every line is laid out to
 * exactly `width` cells here rather than by Ink's flexbox, so that the
 * selection highlight covers the whole line and the sizes line up on the
 * right edge.
 */
import { memo, useRef, type ReactNode } from 'react';
import { Box, Text } from 'ink';
import type { TextProps } from 'ink';
import type { TreeRow } from './tree-rows.js';
import { ROW_STYLES } from './row-style.js';
import { compactBytes } from '../../engine/human-bytes.js';
import { printablePath } from '../../overlay/printable-path.js';
import { fitCells, printable, scrollOffset } from './row-layout.js';

export interface TreePaneProps {
  title: string;
  rows: readonly TreeRow[];
  /** The selected path, shared by the three panes; absent from this pane: nothing is highlighted. */
  selected: string;
  focused: boolean;
  width: number;
  /** Lines, the title row included. */
  height: number;
  /** A column with each row's layer (row.from), before the sizes. */
  column?: boolean;
  /** Drawn under the title (the layer selector), headerHeight lines taken from the rows. */
  header?: ReactNode;
  headerHeight?: number;
}

// A space and compactBytes's 5 characters; dropped when the pane is too narrow
// for a size to be worth the room it takes from names.
const SIZE_CELLS = 6;
const MIN_WIDTH_FOR_SIZES = 24;
// A layer number up to 3 digits and a space.
const FROM_CELLS = 4;

/** The row's text, split where its styling changes; the cells add up to width. */
function rowParts(row: TreeRow, width: number, column: boolean) {
  const sizeCells = width >= MIN_WIDTH_FOR_SIZES ? SIZE_CELLS : 0;
  const fromCells = column ? FROM_CELLS : 0;
  const labelCells = width - sizeCells - fromCells;
  // Deep trees in narrow panes: indentation never takes more than half the room.
  const indent = ' '.repeat(Math.min(2 * row.depth, Math.floor(labelCells / 2)));
  const lead = `${indent}${row.expandable ? (row.expanded ? '▾ ' : '▸ ') : '  '}`;
  const mark = `${ROW_STYLES[row.state].mark} `;
  const link = row.target === undefined ? '' : ` -> ${printablePath(row.target)}`;
  const name = fitCells(printablePath(row.name) + link, labelCells - lead.length - 2);
  const size = row.size === undefined ? '' : compactBytes(row.size);
  const from = column ? (row.from ?? '').slice(0, FROM_CELLS - 1).padStart(FROM_CELLS) : '';
  return { lead, mark, name, from, size: sizeCells > 0 ? size.padStart(sizeCells) : '' };
}

function highlight(selected: boolean, focused: boolean): TextProps {
  if (!selected) return {};
  return focused ? { inverse: true } : { bold: true, underline: true };
}

function Row({
  row,
  width,
  selected,
  focused,
  column,
}: {
  row: TreeRow;
  width: number;
  selected: boolean;
  focused: boolean;
  column: boolean;
}) {
  const style = ROW_STYLES[row.state];
  // The last cell stays blank: a gutter before the next pane, so that a
  // size never runs into the name beside it.
  const { lead, mark, name, from, size } = rowParts(row, width - 1, column);
  const color: TextProps = style.color === undefined ? {} : { color: style.color };
  return (
    <Box width={width} height={1} flexShrink={0}>
      {/* truncate, not wrap: should Ink measure a glyph wider than
          cellWidth did, the row still stays one line high. */}
      <Text wrap="truncate-end" dimColor={style.dim === true} {...highlight(selected, focused)}>
        {lead}
        <Text {...color}>{mark}</Text>
        <Text {...color}>{name}</Text>
        {from ? <Text dimColor>{from}</Text> : null}
        {size}{' '}
      </Text>
    </Box>
  );
}

function Title({
  title,
  position,
  width,
  focused,
}: {
  title: string;
  position: string;
  width: number;
  focused: boolean;
}) {
  const right = position.length + 1 < width ? `${position} ` : '';
  return (
    <Box width={width} height={1} flexShrink={0}>
      <Text wrap="truncate-end" bold inverse={focused}>
        {fitCells(` ${printable(title)}`, width - right.length)}
        {right}
      </Text>
    </Box>
  );
}

function TreePaneView({
  title,
  rows,
  selected,
  focused,
  width,
  height,
  column = false,
  header,
  headerHeight = 0,
}: TreePaneProps) {
  const offsetRef = useRef(0);
  const view = Math.max(0, height - 1 - (header ? headerHeight : 0));
  // One linear search per render: the selection is a path so that it can
  // be shared by panes whose rows differ.
  const index = rows.findIndex((r) => r.path === selected);
  // Derived during render from the previous offset: the window moves only
  // when the selection would leave it.
  const offset = scrollOffset(offsetRef.current, index, view, rows.length);
  offsetRef.current = offset;
  const visible = rows.slice(offset, offset + view);
  // '-': the selected path is not in this pane (only in another one).
  const here = index >= 0 ? String(index + 1) : rows.length === 0 ? '0' : '-';
  const position = `${here}/${rows.length}`;
  if (height <= 0 || width <= 0) return null;
  return (
    <Box width={width} height={height} flexDirection="column" flexShrink={0}>
      <Title title={title} position={position} width={width} focused={focused} />
      {header}
      {visible.map((row, i) => (
        <Row
          key={row.path}
          row={row}
          width={width}
          selected={offset + i === index}
          focused={focused}
          column={column}
        />
      ))}
      {rows.length === 0 && view > 0 && (
        <Text dimColor wrap="truncate-end">
          {fitCells('  (empty)', width)}
        </Text>
      )}
    </Box>
  );
}

// Drawn again only when its own props change: the store changes for many other reasons.
export const TreePane = memo(TreePaneView);
