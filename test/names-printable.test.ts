/** The one module every printed path goes through, and the byte strings it reads. */
import { describe, expect, it } from 'vitest';
import { bytesOf, foldAsciiCase, fsPath, utf8Text } from '../src/overlay/byte-path.js';
import { printablePath, safeLine, withJsonPaths } from '../src/overlay/printable-path.js';

const b = (s: string): string => Buffer.from(s).toString('latin1'); // text -> byte string

describe('printablePath', () => {
  it.each([
    ['/etc/passwd', '/etc/passwd'],
    ['/a\nb', '/a\\nb'],
    ['/a\tb\rc', '/a\\tb\\rc'],
    ['/\x1b[31mred', '/\\x1b[31mred'],
    ['/del\x7f', '/del\\x7f'],
    ['/back\\slash', '/back\\\\slash'],
    ['/nul\x01', '/nul\\x01'],
  ])('escapes ASCII controls and the backslash: %j', (name, shown) => {
    expect(printablePath(name)).toBe(shown);
  });

  it('shows valid UTF-8 as itself, and C1 and bidi controls escaped', () => {
    expect(printablePath(b('/café/😀'))).toBe('/café/😀');
    expect(printablePath(b('/a\u009bb'))).toBe('/a\\u009bb'); // CSI as a C1 control
    expect(printablePath(b('/x\u202ey'))).toBe('/x\\u202ey');
    expect(printablePath(b('/x\u2028y'))).toBe('/x\\u2028y');
  });

  it('shows each byte that is not UTF-8 as \\xNN', () => {
    expect(printablePath('/a\xff')).toBe('/a\\xff');
    expect(printablePath('/\xc3')).toBe('/\\xc3'); // a sequence cut short
    expect(printablePath('/\xc0\xaf')).toBe('/\\xc0\\xaf'); // overlong '/'
    expect(printablePath('/\xed\xa0\x80')).toBe('/\\xed\\xa0\\x80'); // a surrogate
    expect(printablePath('/\xf4\x90\x80\x80')).toBe('/\\xf4\\x90\\x80\\x80'); // past U+10FFFF
  });

  it('is one line, and tells apart names that differ', () => {
    const names = ['/a\xff', '/a\xfe', '/a\\xff', b('/a\u00ff'), '/a?'];
    const shown = names.map(printablePath);
    expect(new Set(shown).size).toBe(names.length);
    for (const s of shown) expect(s).not.toMatch(/[\x00-\x1f\x7f-\x9f]/); // eslint-disable-line no-control-regex
  });
});

describe('safeLine', () => {
  it('escapes controls only: what is escaped already stays as it is', () => {
    expect(safeLine('member "a\\\\b\\x1b" at /x\ny\x1b')).toBe(
      'member "a\\\\b\\x1b" at /x\\ny\\x1b',
    );
  });
});

describe('byte strings', () => {
  it('round-trip text, bytes and fs paths', () => {
    expect(bytesOf('/ascii')).toBe('/ascii');
    expect(bytesOf('/é')).toBe('/\xc3\xa9');
    expect(utf8Text('/\xc3\xa9')).toBe('/é');
    expect(utf8Text('/\xff')).toBeUndefined();
    expect(fsPath('/ascii')).toBe('/ascii');
    expect(fsPath('/\xff')).toEqual(Buffer.from([0x2f, 0xff]));
  });
});

describe('withJsonPaths', () => {
  it('gives valid UTF-8 exactly, and other names escaped with their exact bytes', () => {
    const e = { kind: 'create', path: '/\xff\n', from: b('/é\x1b') };
    const out = withJsonPaths(e, ['path', 'from']) as Record<string, unknown>;
    expect(out).toEqual({
      kind: 'create',
      path: '/\\xff\\n',
      pathBytes: Buffer.from([0x2f, 0xff, 0x0a]).toString('base64'),
      from: '/é\x1b',
    });
    const back = JSON.parse(JSON.stringify(out)) as { from: string };
    expect(back.from).toBe('/é\x1b');
  });
});

describe('foldAsciiCase (the trees search)', () => {
  it('folds ASCII letters only, so a UTF-8 query matches only its own bytes', () => {
    expect(foldAsciiCase('ABC\xc3\x89')).toBe('abc\xc3\x89');
    // "é" is C3 A9; toLowerCase would make it E3 A9 and match that name.
    const query = foldAsciiCase(bytesOf('é'));
    expect(foldAsciiCase('\xe3\xa9').includes(query)).toBe(false);
    expect(foldAsciiCase(bytesOf('Café')).includes(query)).toBe(true);
  });
});
