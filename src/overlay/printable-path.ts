/**
 * Paths as the operator's terminal may see them. A name in an image or a
 * container is any bytes but '/' and NUL: an ESC drives the terminal, a
 * newline forges an output line, bytes that are not UTF-8 cannot be shown.
 * Everything printed goes through here and comes out as `ls -b` or Go's %q
 * would show it: valid UTF-8 as itself, `\\` for a backslash, `\n`, `\t`
 * and the like, `\xNN` for other control bytes and for bytes that are not
 * UTF-8, `\uNNNN` for C1 controls and the characters that reorder or break
 * lines (bidi controls, U+2028/9). The escaped form is unambiguous: a
 * backslash in a name is doubled. Pure.
 */
import { isAscii, utf8SequenceAt, utf8Text } from './byte-path.js';

/** Printable ASCII but the backslash: shown as is. */
const PLAIN = /^[\x20-\x5b\x5d-\x7e]*$/;

const NAMED: Record<number, string> = {
  0x07: '\\a',
  0x08: '\\b',
  0x09: '\\t',
  0x0a: '\\n',
  0x0b: '\\v',
  0x0c: '\\f',
  0x0d: '\\r',
  0x5c: '\\\\',
};

const hex2 = (b: number): string => `\\x${b.toString(16).padStart(2, '0')}`;

/** Code points past ASCII that a terminal would act on rather than show. */
function unsafeCodePoint(cp: number): boolean {
  return (
    (cp >= 0x80 && cp <= 0x9f) || // C1 controls (CSI is 0x9b)
    cp === 0x200e ||
    cp === 0x200f ||
    (cp >= 0x2028 && cp <= 0x202e) || // line/paragraph separators, bidi embeddings
    (cp >= 0x2066 && cp <= 0x2069) || // bidi isolates
    (cp >= 0xd800 && cp <= 0xdfff) // lone surrogates (text strings only)
  );
}

const uEscape = (cp: number): string => `\\u${cp.toString(16).padStart(4, '0')}`;

function asciiChar(b: number): string {
  if (b >= 0x20 && b < 0x7f && b !== 0x5c) return String.fromCharCode(b);
  return NAMED[b] ?? hex2(b);
}

/** Chars past one byte: the string is text, not a byte string. */
const WIDE = /[^\x00-\xff]/; // eslint-disable-line no-control-regex

/** A byte-string path (byte-path.ts) as one line of safe text. */
export function printablePath(bytes: string): string {
  if (PLAIN.test(bytes)) return bytes;
  // Text given where bytes were meant (a name built in memory): shown as text.
  if (WIDE.test(bytes)) return printableText(bytes);
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes.charCodeAt(i);
    if (b < 0x80) {
      out += asciiChar(b);
      i++;
      continue;
    }
    const n = utf8SequenceAt(bytes, i);
    if (n === 0) {
      out += hex2(b);
      i++;
      continue;
    }
    const ch = Buffer.from(bytes.slice(i, i + n), 'latin1').toString('utf8');
    const cp = ch.codePointAt(0) ?? 0;
    out += unsafeCodePoint(cp) ? uEscape(cp) : ch;
    i += n;
  }
  return out;
}

/** Text (a message, a command line, a decoded name) with the same escapes. */
export function printableText(text: string): string {
  if (PLAIN.test(text)) return text;
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x80) out += asciiChar(cp);
    else out += unsafeCodePoint(cp) ? uEscape(cp) : ch;
  }
  return out;
}

/**
 * A line made of parts already escaped (a message that quotes printablePath
 * output, an errno text holding a raw path): only what would still act on
 * the terminal is escaped, backslashes are left as they are.
 */
export function safeLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]/g, (ch) => {
    const cp = ch.charCodeAt(0);
    return cp < 0x80 ? asciiChar(cp) : uEscape(cp);
  });
}

/**
 * A copy of obj with each named byte-string field made JSON-ready. JSON
 * escapes control characters itself, so a name that is valid UTF-8 is
 * written exactly, as text. A name that is not has no exact text: its
 * field holds the escaped form (as printed) and `<field>Bytes` the exact
 * bytes in base64.
 */
export function withJsonPaths<T extends object>(obj: T, fields: readonly (keyof T)[]): T {
  const out = { ...obj } as Record<string, unknown>;
  for (const f of fields) {
    const v = obj[f];
    if (typeof v !== 'string' || isAscii(v)) continue;
    const key = f as string;
    const text = utf8Text(v);
    if (text !== undefined) {
      out[key] = text;
    } else {
      out[key] = printablePath(v);
      out[`${key}Bytes`] = Buffer.from(v, 'latin1').toString('base64');
    }
  }
  return out as T;
}
