/**
 * Where each pane goes for a terminal size. Pure. Side by side when wide,
 * stacked when narrow, and below 80x24 no layout at all (a message). The
 * frame is one row shorter than the terminal: a frame as tall as the
 * terminal makes ink 6.8 clear the screen on every frame.
 *
 * With the inspector open it takes the feed's place, and some of the
 * trees' rows, since a diff needs more room than the feed; the shell keeps
 * its size, so that opening the inspector never resizes the pty.
 */
export const MIN_COLS = 80;
export const MIN_ROWS = 24;
const WIDE_COLS = 160;

export interface Size {
  width: number;
  height: number;
}

export interface Layout {
  kind: 'wide' | 'stacked';
  width: number;
  height: number;
  /** The shell, without its title row. */
  terminal: Size;
  /** Each of the three tree panes, title row included. */
  tree: Size;
  /** The feed, or the inspector in its place. */
  feed: Size;
}

export function computeLayout(cols: number, rows: number, inspecting = false): Layout | undefined {
  if (cols < MIN_COLS || rows < MIN_ROWS) return undefined;
  const height = rows - 1;
  const body = height - 2; // status bar and key legend
  if (cols >= WIDE_COLS) {
    const termWidth = Math.floor(cols * 0.42);
    const right = cols - termWidth;
    const treeHeight = Math.ceil(body * (inspecting ? 0.45 : 0.62));
    return {
      kind: 'wide',
      width: cols,
      height,
      terminal: { width: termWidth, height: body - 1 },
      tree: { width: Math.floor(right / 3), height: treeHeight },
      feed: { width: right, height: body - treeHeight },
    };
  }
  const termHeight = Math.floor(body * 0.42);
  const treeHeight = Math.max(5, Math.floor(body * (inspecting ? 0.26 : 0.36)));
  return {
    kind: 'stacked',
    width: cols,
    height,
    terminal: { width: cols, height: termHeight - 1 },
    tree: { width: Math.floor(cols / 3), height: treeHeight },
    feed: { width: cols, height: body - termHeight - treeHeight },
  };
}
