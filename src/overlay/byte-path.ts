/**
 * Paths are bytes on Linux; JS strings are not. Every path the project
 * reads from a layer or an archive is carried as a "byte string": one char
 * per byte (latin1), so that two names that differ only in bytes that are
 * not UTF-8 stay two names, the string-keyed maps and sorts keep working
 * (string order is byte order), and nothing is lost on the way back to the
 * disk. Such a string is turned into text only to be shown
 * (printable-path.ts), and into a Buffer only for a file system call that
 * needs one. Pure.
 */

/** Chars that are the same byte in latin1 and UTF-8: then a byte string is its own text. */
const ASCII = /^[\x00-\x7f]*$/; // eslint-disable-line no-control-regex

export function isAscii(s: string): boolean {
  return ASCII.test(s);
}

/** A path given as text (an argument, the state root) as a byte string: its UTF-8 bytes. */
export function bytesOf(text: string): string {
  return isAscii(text) ? text : Buffer.from(text, 'utf8').toString('latin1');
}

/** What to hand node:fs for a byte-string path: the string itself when ASCII, else its bytes. */
export function fsPath(bytes: string): string | Buffer {
  return isAscii(bytes) ? bytes : Buffer.from(bytes, 'latin1');
}

/** A name node:fs gave as a Buffer (encoding 'buffer'), as a byte string. */
export function fromBuffer(b: Buffer | Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

/** Length of the UTF-8 sequence starting at s[i] (1-4), or 0 when those bytes are not valid UTF-8. */
export function utf8SequenceAt(s: string, i: number): number {
  const b0 = s.charCodeAt(i);
  if (b0 < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => {
    const b = s.charCodeAt(i + k);
    return b >= lo && b <= hi; // NaN past the end: false
  };
  // The ranges of RFC 3629 (no overlong forms, no surrogates, at most U+10FFFF).
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (b0 === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b0 >= 0xe1 && b0 <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b0 === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b0 >= 0xf1 && b0 <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b0 === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/** The byte string as text when it is valid UTF-8, else undefined. */
export function utf8Text(bytes: string): string | undefined {
  if (isAscii(bytes)) return bytes;
  for (let i = 0; i < bytes.length; ) {
    const n = utf8SequenceAt(bytes, i);
    if (n === 0) return undefined;
    i += n;
  }
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/**
 * A byte string with ASCII letters folded to lower case, and nothing else:
 * toLowerCase would also fold the bytes 0xC0-0xDE (as Latin-1 letters),
 * which are pieces of UTF-8 characters here, and make false matches.
 */
export function foldAsciiCase(bytes: string): string {
  if (isAscii(bytes)) return bytes.toLowerCase();
  return bytes.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}
