/**
 * Pure helpers that lay a tree row out in terminal cells: widths, fitting,
 * human sizes, and the scroll window. Kept out of the component so they are
 * tested without Ink.
 */

// East Asian Wide and Fullwidth blocks (what terminals draw two cells wide),
// as [first, last] code points. Emoji are covered by Emoji_Presentation.
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x17000, 0x18aff],
  [0x1b000, 0x1b2ff],
  [0x1f200, 0x1f2ff],
  [0x20000, 0x3fffd],
];

const segmenter = new Intl.Segmenter();
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]+$/u;
const EMOJI = /\p{Emoji_Presentation}|\uFE0F/u;

function graphemeWidth(g: string): number {
  if (ZERO_WIDTH.test(g)) return 0;
  if (EMOJI.test(g)) return 2;
  const cp = g.codePointAt(0) ?? 0;
  return WIDE.some(([a, b]) => cp >= a && cp <= b) ? 2 : 1;
}

/** Terminal cells a string takes (no control characters: see printable). */
export function cellWidth(text: string): number {
  // ASCII is the common case and needs no segmentation.
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  let w = 0;
  for (const { segment } of segmenter.segment(text)) w += graphemeWidth(segment);
  return w;
}

/**
 * A line of file data made safe to draw: control characters become '?',
 * keeping one cell each. Names are drawn with printablePath
 * (src/overlay/printable-path.ts), which escapes them as `ls -b` does.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, '?');
}

/** Exactly `width` cells: cut with '…' when too long, padded with spaces. */
export function fitCells(text: string, width: number): string {
  if (width <= 0) return '';
  const w = cellWidth(text);
  if (w <= width) return text + ' '.repeat(width - w);
  let out = '';
  let used = 0;
  for (const { segment } of segmenter.segment(text)) {
    const sw = graphemeWidth(segment);
    if (used + sw > width - 1) break;
    out += segment;
    used += sw;
  }
  // A wide character that does not fit leaves one more cell to pad.
  return `${out}…${' '.repeat(width - 1 - used)}`;
}

/**
 * The first row of the window: unchanged while the selection stays in
 * view, moved just enough to bring it back when it leaves, and pulled up
 * when rows were removed below so the window does not end in empty space.
 * selected < 0 (not in this pane): the window stays where it was.
 */
export function scrollOffset(
  prev: number,
  selected: number,
  height: number,
  count: number,
): number {
  const view = Math.max(1, height);
  let top = prev;
  if (selected >= 0) {
    if (selected < top) top = selected;
    else if (selected >= top + view) top = selected - view + 1;
  }
  return Math.max(0, Math.min(top, count - view));
}
