/**
 * A line diff of two texts (lower's version, upper's version), for the
 * inspector. Pure. Myers' O((N+M)·D) algorithm after trimming the common
 * head and tail, which is all most copy-ups differ by (`echo hi >> f`).
 *
 * Bounded on purpose, because it runs on the UI thread on each selection:
 * inputs over DIFF_MAX_BYTES or DIFF_MAX_LINES are refused ('too-large'),
 * and past MAX_EDITS edit steps the search stops and the middle is shown as
 * removed then added (still a correct diff, just not the smallest).
 */

export type DiffOp = ' ' | '+' | '-';

export interface DiffLine {
  op: DiffOp;
  text: string;
}

export interface LineDiff {
  lines: DiffLine[];
  added: number;
  removed: number;
}

/** A row to draw: a line of the diff, or a run of unchanged lines left out. */
export type DiffRow = DiffLine | { op: 'skip'; count: number };

const DIFF_MAX_BYTES = 256 * 1024;
export const DIFF_MAX_LINES = 2000;
const MAX_EDITS = 1000;

/** Lines without their '\n'; a final newline does not make an empty last line. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Over either cap (length in UTF-16 units: the engine already capped the bytes read). */
function tooLargeToDiff(text: string): boolean {
  if (text.length > DIFF_MAX_BYTES) return true;
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    if (++count > DIFF_MAX_LINES) return true;
  }
  return false;
}

export function diffLines(before: string, after: string): LineDiff | 'too-large' {
  if (tooLargeToDiff(before) || tooLargeToDiff(after)) return 'too-large';
  const a = splitLines(before);
  const b = splitLines(after);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  ) {
    tail++;
  }
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  const middle = myers(midA, midB) ?? [
    ...midA.map((text): DiffLine => ({ op: '-', text })),
    ...midB.map((text): DiffLine => ({ op: '+', text })),
  ];
  const same = (text: string): DiffLine => ({ op: ' ', text });
  const lines = [...a.slice(0, head).map(same), ...middle, ...a.slice(a.length - tail).map(same)];
  return {
    lines,
    added: lines.filter((l) => l.op === '+').length,
    removed: lines.filter((l) => l.op === '-').length,
  };
}

/**
 * The shortest edit script, or undefined past MAX_EDITS. `trace[d]` holds
 * the furthest x reached on diagonals -d-1 … d+1 before step d: only the
 * diagonals step d reads, so the trace costs O(D²), not O(D·(N+M)).
 */
function myers(a: readonly string[], b: readonly string[]): DiffLine[] | undefined {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= Math.min(max, MAX_EDITS); d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && (v[offset + k - 1] ?? 0) < (v[offset + k + 1] ?? 0));
      let x = down ? (v[offset + k + 1] ?? 0) : (v[offset + k - 1] ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(a, b, trace);
    }
  }
  return undefined;
}

function backtrack(a: readonly string[], b: readonly string[], trace: Int32Array[]): DiffLine[] {
  const out: DiffLine[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d >= 0; d--) {
    const saved = trace[d];
    if (!saved) break;
    const at = (k: number) => saved[k + d + 1] ?? 0;
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      out.push({ op: ' ', text: a[x] ?? '' });
    }
    if (d > 0) {
      if (x === prevX) out.push({ op: '+', text: b[--y] ?? '' });
      else out.push({ op: '-', text: a[--x] ?? '' });
    }
    x = prevX;
    y = prevY;
  }
  return out.reverse();
}

/**
 * The diff as drawn: changed lines with `context` unchanged lines around
 * each change; longer unchanged runs become one 'skip' row.
 */
export function withContext(lines: readonly DiffLine[], context = 2): DiffRow[] {
  const near = new Array<boolean>(lines.length).fill(false);
  lines.forEach((l, i) => {
    if (l.op === ' ') return;
    for (let j = Math.max(0, i - context); j <= Math.min(lines.length - 1, i + context); j++) {
      near[j] = true;
    }
  });
  const rows: DiffRow[] = [];
  let skipped = 0;
  lines.forEach((l, i) => {
    if (near[i]) {
      if (skipped > 0) rows.push({ op: 'skip', count: skipped });
      skipped = 0;
      rows.push(l);
    } else skipped++;
  });
  if (skipped > 0) rows.push({ op: 'skip', count: skipped });
  return rows;
}
