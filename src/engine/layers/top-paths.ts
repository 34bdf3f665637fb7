/**
 * The n biggest items seen, kept as they come: a report over a million
 * files wants its ten worst paths without keeping or sorting the rest.
 */

export interface Weighed {
  path: string;
  bytes: number;
}

/** Bigger first; equal sizes in path (byte) order, so a report is the same every run. */
export function heavierFirst(a: Weighed, b: Weighed): number {
  return b.bytes - a.bytes || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

export class TopPaths<T extends Weighed> {
  private readonly items: T[] = [];
  constructor(private readonly n: number) {}

  offer(item: T): void {
    if (this.n <= 0) return;
    const last = this.items[this.items.length - 1];
    if (this.items.length >= this.n && last && heavierFirst(item, last) >= 0) return;
    // n is small (ten or so): a sorted insert beats a heap's bookkeeping.
    let i = this.items.length;
    while (i > 0 && heavierFirst(item, this.items[i - 1] as T) < 0) i--;
    this.items.splice(i, 0, item);
    if (this.items.length > this.n) this.items.pop();
  }

  list(): T[] {
    return [...this.items];
  }
}
