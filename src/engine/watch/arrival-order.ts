/**
 * The order changes were noticed in. A flush reads a burst at once and
 * compares states path by path, which loses when each change happened;
 * the order the directory watches named the paths keeps it. A path found
 * by rescanning (a file in a directory made a moment ago, not watched
 * yet) takes its nearest noticed ancestor's place, after it.
 */
import { parentPath } from '../../overlay/index.js';

const UNSEEN = Number.MAX_SAFE_INTEGER;

export class ArrivalOrder {
  private readonly seen = new Map<string, number>();
  private next = 0;

  note(path: string): void {
    if (!this.seen.has(path)) this.seen.set(path, this.next++);
  }

  /**
   * The order of what was noted so far, as a sorter of events (oldest first,
   * ties in their order), and a clean slate: a look takes it as it starts,
   * so a path noted for a burst that changed nothing does not keep a rank
   * into the next one.
   */
  take(): <E extends { path: string }>(events: readonly E[]) => E[] {
    const seen = new Map(this.seen);
    this.seen.clear();
    // Memoised, and iterative: in a tree thousands deep (a shell loop of
    // mkdir and cd), walking up from every event was quadratic, for seconds.
    const ranks = new Map<string, number>();
    const rank = (path: string): number => {
      const unresolved: string[] = [];
      let r: number | undefined;
      for (let p = path; ; p = parentPath(p)) {
        r = ranks.get(p) ?? seen.get(p);
        if (r !== undefined) break;
        unresolved.push(p);
        if (p === '/') {
          r = UNSEEN;
          break;
        }
      }
      for (const p of unresolved) ranks.set(p, r);
      return r;
    };
    return (events) =>
      events
        .map((e, i) => ({ e, i, r: rank(e.path) }))
        .sort((a, b) => a.r - b.r || a.i - b.i)
        .map((x) => x.e);
  }
}
