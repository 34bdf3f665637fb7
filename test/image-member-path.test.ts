/**
 * Member names made safe: memberPath's fast path (names that are clean once
 * a leading "./" and a trailing "/" are dropped) must agree with the plain
 * rule (drop empty and "." components, refuse ".."), on tricky names.
 */
import { describe, expect, it } from 'vitest';
import { memberPath, parentPaths, UnsafeArchiveError } from '../src/engine/image/member-path.js';

/** The rule itself, written the slow way. */
function reference(name: string): string {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..') || name.includes('\0')) throw new UnsafeArchiveError(name);
  return parts.join('/');
}

const outcome = (f: (n: string) => string, name: string): string => {
  try {
    return `ok ${f(name)}`;
  } catch (err) {
    return `refused ${err instanceof UnsafeArchiveError}`;
  }
};

describe('memberPath', () => {
  const names = [
    ...['bin/ls', './bin/ls', 'bin/', './bin/', './', '.', '', '/', '//', 'a//', 'a//b', '/etc/x'],
    ...['./.profile', 'etc/.profile', 'a/./b', 'a/.', '.a', 'a.', 'a/b..c', '..a', 'a/..b'],
    ...['..', '../x', 'a/..', 'a/../b', './..', 'a/../', '.../x', 'x/...', 'a\0b', '././a'],
  ];

  it.each(names.map((n) => [JSON.stringify(n), n]))('handles %s as the plain rule does', (_, n) => {
    expect(outcome(memberPath, n)).toBe(outcome(reference, n));
  });

  it('lists the parents a member needs, outermost first', () => {
    expect(parentPaths('a/b/c')).toEqual(['a', 'a/b']);
    expect(parentPaths('a')).toEqual([]);
  });
});
