/**
 * Order statistics for noisy timings. The machine is shared, so means are
 * useless (one stall drags them); every figure is a median with its spread.
 */

export interface Summary {
  n: number;
  median: number;
  p10: number;
  p90: number;
  q1: number;
  q3: number;
  min: number;
  max: number;
}

/** Linear-interpolated quantile (the R-7 / numpy default), q in [0, 1]. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[hi] ?? Number.NaN;
  return a + (b - a) * (pos - lo);
}

export function summarize(values: readonly number[]): Summary {
  const s = [...values].sort((x, y) => x - y);
  return {
    n: s.length,
    median: quantile(s, 0.5),
    p10: quantile(s, 0.1),
    p90: quantile(s, 0.9),
    q1: quantile(s, 0.25),
    q3: quantile(s, 0.75),
    min: s[0] ?? Number.NaN,
    max: s[s.length - 1] ?? Number.NaN,
  };
}

/**
 * Per-round pairs: because the compared commands ran interleaved, round i of
 * one and round i of the other saw the same machine state, so a per-round
 * difference or ratio cancels slow drifts that the medians alone keep.
 */
export function pairwise(
  a: readonly number[],
  b: readonly number[],
  f: (x: number, y: number) => number,
): number[] {
  const n = Math.min(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(f(a[i] ?? Number.NaN, b[i] ?? Number.NaN));
  return out;
}

/** "12.3 ms", with a precision that suits the magnitude. */
export function ms(v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  if (Math.abs(v) >= 1000) return `${(v / 1000).toFixed(2)} s`;
  if (Math.abs(v) >= 100) return `${v.toFixed(0)} ms`;
  return `${v.toFixed(1)} ms`;
}

export function ratio(v: number): string {
  return Number.isFinite(v) ? `${v.toFixed(2)}×` : 'n/a';
}

/** "p10–p90" of a summary, formatted with f. */
export function spread(s: Summary, f: (v: number) => string = ms): string {
  return `${f(s.p10)}–${f(s.p90)}`;
}
