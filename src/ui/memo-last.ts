/**
 * Remembers fn's last result and returns it again while every argument is
 * the same value (===). The render and the key handler both ask for the
 * trees' rows and the inspector's view; this computes each once per change.
 */
export function memoLast<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  let last: { args: A; result: R } | undefined;
  return (...args: A): R => {
    if (last && last.args.length === args.length && last.args.every((a, i) => a === args[i]))
      return last.result;
    const result = fn(...args);
    last = { args, result };
    return result;
  };
}
