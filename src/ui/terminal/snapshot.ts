/**
 * Reads the visible viewport of an xterm buffer into rows of styled runs.
 *
 * Adjacent cells with the same style are merged so a typical row becomes a
 * handful of runs: that keeps the number of React elements (and the ANSI
 * Ink writes) small. The cursor cell, when visible, is always a run of its
 * own so the pane can invert it without measuring strings.
 */
import type { IBuffer, IBufferCell } from '@xterm/headless';
import { cellColor } from './cell-color.js';

export interface CellRun {
  /** The characters of the run; blank cells are spaces. */
  text: string;
  /** How many terminal columns the run covers (a wide character counts 2). */
  cells: number;
  /** An Ink colour, or absent for the terminal's default. */
  fg?: string;
  bg?: string;
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
  strikethrough: boolean;
  inverse: boolean;
  /** True for the single cell under a visible cursor. */
  cursor: boolean;
}

export interface CursorState {
  /** Column and row inside the viewport. */
  x: number;
  y: number;
  /** False when the application hid it (DECTCEM) or it is scrolled out of view. */
  visible: boolean;
}

export interface ScreenSnapshot {
  cols: number;
  rows: number;
  /** Exactly `rows` rows, each covering exactly `cols` columns. */
  lines: CellRun[][];
  cursor: CursorState;
}

// Everything that distinguishes one cell's look from another's, packed so
// two cells can be compared without allocating.
interface StyleKey {
  fgMode: number;
  fg: number;
  bgMode: number;
  bg: number;
  flags: number;
}

const BOLD = 1;
const DIM = 2;
const ITALIC = 4;
const UNDERLINE = 8;
const STRIKE = 16;
const INVERSE = 32;
const INVISIBLE = 64;

function readStyle(cell: IBufferCell, into: StyleKey): void {
  into.fgMode = cell.getFgColorMode();
  into.fg = cell.getFgColor();
  into.bgMode = cell.getBgColorMode();
  into.bg = cell.getBgColor();
  into.flags =
    (cell.isBold() ? BOLD : 0) |
    (cell.isDim() ? DIM : 0) |
    (cell.isItalic() ? ITALIC : 0) |
    (cell.isUnderline() ? UNDERLINE : 0) |
    (cell.isStrikethrough() ? STRIKE : 0) |
    (cell.isInverse() ? INVERSE : 0) |
    (cell.isInvisible() ? INVISIBLE : 0);
}

function sameStyle(a: StyleKey, b: StyleKey): boolean {
  return (
    a.fgMode === b.fgMode &&
    a.fg === b.fg &&
    a.bgMode === b.bgMode &&
    a.bg === b.bg &&
    a.flags === b.flags
  );
}

function newRun(cell: IBufferCell, style: StyleKey, cursor: boolean): CellRun {
  const run: CellRun = {
    text: '',
    cells: 0,
    bold: (style.flags & BOLD) !== 0,
    dim: (style.flags & DIM) !== 0,
    italic: (style.flags & ITALIC) !== 0,
    underline: (style.flags & UNDERLINE) !== 0,
    strikethrough: (style.flags & STRIKE) !== 0,
    inverse: (style.flags & INVERSE) !== 0,
    cursor,
  };
  const fg = cellColor(cell.isFgRGB(), cell.isFgPalette(), style.fg);
  const bg = cellColor(cell.isBgRGB(), cell.isBgPalette(), style.bg);
  if (fg !== undefined) run.fg = fg;
  if (bg !== undefined) run.bg = bg;
  return run;
}

function blankRun(cells: number, cursor: boolean): CellRun {
  return {
    text: ' '.repeat(cells),
    cells,
    bold: false,
    dim: false,
    italic: false,
    underline: false,
    strikethrough: false,
    inverse: false,
    cursor,
  };
}

/** Reads one buffer line; `cursorX` < 0 when the cursor is not on it. */
function readLine(buffer: IBuffer, y: number, cols: number, cursorX: number): CellRun[] {
  const line = buffer.getLine(y);
  if (!line) {
    // Only happens transiently around a resize; keep the row's width exact.
    if (cursorX < 0) return [blankRun(cols, false)];
    const runs = [blankRun(1, true)];
    if (cursorX > 0) runs.unshift(blankRun(cursorX, false));
    if (cols - cursorX - 1 > 0) runs.push(blankRun(cols - cursorX - 1, false));
    return runs;
  }
  const runs: CellRun[] = [];
  const cell = buffer.getNullCell();
  const style: StyleKey = { fgMode: 0, fg: 0, bgMode: 0, bg: 0, flags: 0 };
  const prev: StyleKey = { fgMode: -1, fg: 0, bgMode: 0, bg: 0, flags: 0 };
  let run: CellRun | undefined;
  let prevWasCursor = false;
  for (let x = 0; x < cols; x++) {
    if (!line.getCell(x, cell)) {
      // Past the line's stored length: pad with default blanks.
      const isCursor = x === cursorX;
      runs.push(blankRun(1, isCursor));
      run = undefined;
      prevWasCursor = isCursor;
      continue;
    }
    const width = cell.getWidth();
    // The right half of a wide character: its glyph was emitted with the left half.
    if (width === 0) continue;
    readStyle(cell, style);
    const isCursor = x === cursorX || (width === 2 && x + 1 === cursorX);
    if (!run || isCursor || prevWasCursor || !sameStyle(style, prev)) {
      run = newRun(cell, style, isCursor);
      runs.push(run);
      Object.assign(prev, style);
    }
    prevWasCursor = isCursor;
    const chars = cell.getChars();
    run.text += style.flags & INVISIBLE || chars === '' ? ' '.repeat(width) : chars;
    run.cells += width;
  }
  return runs;
}

/**
 * The viewport of `buffer` as runs. `cursorShown` is the application's
 * DECTCEM state; the cursor is also hidden when the viewport is scrolled
 * away from it.
 */
export function readViewport(
  buffer: IBuffer,
  cols: number,
  rows: number,
  cursorShown: boolean,
): ScreenSnapshot {
  // cursorX can equal cols (a pending wrap after the last column).
  const cursorX = Math.min(buffer.cursorX, cols - 1);
  const cursorY = buffer.baseY + buffer.cursorY - buffer.viewportY;
  const visible = cursorShown && cursorY >= 0 && cursorY < rows;
  const lines: CellRun[][] = [];
  for (let y = 0; y < rows; y++) {
    const onCursorRow = visible && y === cursorY;
    lines.push(readLine(buffer, buffer.viewportY + y, cols, onCursorRow ? cursorX : -1));
  }
  return { cols, rows, lines, cursor: { x: cursorX, y: cursorY, visible } };
}

/** An empty screen, no cursor: what a reset pane shows until the reset is parsed. */
export function blankSnapshot(cols: number, rows: number): ScreenSnapshot {
  const lines: CellRun[][] = [];
  for (let y = 0; y < rows; y++) lines.push([blankRun(cols, false)]);
  return { cols, rows, lines, cursor: { x: 0, y: 0, visible: false } };
}
