/**
 * Names for the key that follows the prefix, in tmux's style ("o", "?",
 * "Up", "C-o", "M-x", "S-Left", "F1", "PageUp"), and where such a key's bytes
 * end. Only the bytes after the prefix are named: everything else goes to the
 * shell untouched, so no general key parser is needed here.
 */

const ESC = 0x1b;

export type KeyStatus = 'complete' | 'incomplete' | 'invalid';

/** Bytes a UTF-8 sequence with this lead byte has (1 for ASCII and stray bytes). */
function utf8Length(lead: number): number {
  if ((lead & 0xe0) === 0xc0) return 2;
  if ((lead & 0xf0) === 0xe0) return 3;
  if ((lead & 0xf8) === 0xf0) return 4;
  return 1;
}

function charStatus(bytes: Uint8Array, start: number): KeyStatus {
  const need = utf8Length(bytes[start] ?? 0);
  for (let i = start + 1; i < bytes.length; i++) {
    if (((bytes[i] ?? 0) & 0xc0) !== 0x80) return 'invalid';
  }
  const have = bytes.length - start;
  if (have > need) return 'invalid';
  return have === need ? 'complete' : 'incomplete';
}

// Longer than any key sequence a terminal sends; guards against garbage.
const MAX_CSI = 16;

/**
 * Whether `bytes` (the bytes after the prefix so far) form one whole key, a
 * prefix of one, or not a key at all because of the last byte (which then
 * belongs to what follows).
 */
export function keyStatus(bytes: Uint8Array): KeyStatus {
  if (bytes.length === 0) return 'incomplete';
  if (bytes[0] !== ESC) return charStatus(bytes, 0);
  if (bytes.length === 1) return 'incomplete';
  const intro = bytes[1];
  if (intro === 0x5b /* [ */) {
    if (bytes.length === 2) return 'incomplete';
    if (bytes.length > MAX_CSI) return 'invalid';
    const last = bytes[bytes.length - 1] ?? 0;
    // Parameter and intermediate bytes, then one final byte.
    if (last >= 0x20 && last <= 0x3f) return 'incomplete';
    return last >= 0x40 && last <= 0x7e ? 'complete' : 'invalid';
  }
  if (intro === 0x4f /* O */) {
    if (bytes.length === 2) return 'incomplete';
    const final = bytes[2] ?? 0;
    if (bytes.length > 3 || final < 0x40 || final > 0x7e) return 'invalid';
    return 'complete';
  }
  return charStatus(bytes, 1); // Alt + a key
}

const CONTROL_NAMES: Record<number, string> = {
  0x00: 'C-Space',
  0x09: 'Tab',
  0x0d: 'Enter',
  0x1b: 'Escape',
  0x1c: 'C-\\',
  0x1d: 'C-]',
  0x1e: 'C-^',
  0x1f: 'C-_',
  0x20: 'Space',
  0x7f: 'BSpace',
};

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function charName(bytes: Uint8Array): string {
  const b = bytes[0] ?? 0;
  const named = bytes.length === 1 ? CONTROL_NAMES[b] : undefined;
  if (named !== undefined) return named;
  if (bytes.length === 1 && b < 0x20) return `C-${String.fromCharCode(b + 0x60)}`;
  try {
    return UTF8.decode(bytes);
  } catch {
    return 'Unknown'; // a broken or stray UTF-8 byte
  }
}

const FINAL_NAMES: Record<string, string> = {
  A: 'Up',
  B: 'Down',
  C: 'Right',
  D: 'Left',
  H: 'Home',
  F: 'End',
  Z: 'BTab',
  P: 'F1',
  Q: 'F2',
  R: 'F3',
  S: 'F4',
};

const TILDE_NAMES: Record<number, string> = {
  1: 'Home',
  2: 'Insert',
  3: 'Delete',
  4: 'End',
  5: 'PageUp',
  6: 'PageDown',
  7: 'Home',
  8: 'End',
  15: 'F5',
  17: 'F6',
  18: 'F7',
  19: 'F8',
  20: 'F9',
  21: 'F10',
  23: 'F11',
  24: 'F12',
};

/** xterm's modifier parameter is 1 + (shift 1 | alt 2 | ctrl 4). */
function modifierPrefix(param: number | undefined): string {
  if (param === undefined || param < 2) return '';
  const bits = param - 1;
  return (bits & 4 ? 'C-' : '') + (bits & 2 ? 'M-' : '') + (bits & 1 ? 'S-' : '');
}

function sequenceName(body: string, final: string): string {
  const params = body.split(';').map((p) => (p === '' ? undefined : Number(p)));
  const mods = modifierPrefix(params[1]);
  const name = final === '~' ? TILDE_NAMES[params[0] ?? 0] : FINAL_NAMES[final];
  return name === undefined ? 'Unknown' : mods + name;
}

/** The name of one whole key as `keyStatus` delimits it ('Unknown' if unrecognised). */
export function keyName(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'Unknown';
  if (bytes[0] !== ESC) return charName(bytes);
  if (bytes.length === 1) return 'Escape';
  const text = Buffer.from(bytes).toString('latin1');
  const final = text.slice(-1);
  if (bytes[1] === 0x5b /* [ */ && bytes.length > 2) {
    const body = text.slice(2, -1);
    const whole = keyStatus(bytes) === 'complete' && /^[0-9;]*$/.test(body);
    return whole ? sequenceName(body, final) : 'Unknown';
  }
  if (bytes[1] === 0x4f /* O */ && bytes.length === 3) return sequenceName('', final);
  if (keyStatus(bytes) === 'invalid') return 'Unknown';
  return `M-${charName(bytes.subarray(1))}`;
}

/**
 * The prefix byte for a spec such as "C-b", "C-a", "^a" or a single
 * character ("`"). Escape cannot be a prefix: it starts every arrow key.
 */
export function parsePrefixKey(spec: string): number {
  const ctrl = /^(?:C-|\^|ctrl-|ctrl\+)(.)$/i.exec(spec);
  let byte: number | undefined;
  if (ctrl) {
    const c = (ctrl[1] ?? '').toLowerCase();
    if (c >= 'a' && c <= 'z') byte = c.charCodeAt(0) - 0x60;
    else if ('@[\\]^_'.includes(c)) byte = c.charCodeAt(0) - 0x40;
  } else if (spec.length === 1 && spec.charCodeAt(0) < 0x80) {
    byte = spec.charCodeAt(0);
  }
  if (byte === undefined || byte === ESC) {
    throw new Error(`not a usable prefix key: "${spec}" (use e.g. C-b, C-a or a single character)`);
  }
  // These are keys in their own right: as the prefix they would stop working.
  const own = KEYS_NOT_PREFIX[byte];
  if (own)
    throw new Error(`"${spec}" is the ${own} key, which the shell needs: use e.g. C-b or C-a`);
  return byte;
}

const KEYS_NOT_PREFIX: Record<number, string> = {
  0x03: 'C-c (interrupt)',
  0x04: 'C-d (end of input)',
  0x08: 'Backspace',
  0x09: 'Tab',
  0x0a: 'Enter (line feed)',
  0x0d: 'Enter',
  0x1a: 'C-z (suspend)',
  0x1c: 'C-\\ (quit)',
  0x20: 'Space',
};

/** How the help and the key legend write a prefix byte: "C-b", "C-]", "`". */
export function prefixKeyName(byte: number): string {
  if (byte === 0) return 'C-@';
  if (byte >= 1 && byte <= 26) return `C-${String.fromCharCode(byte + 0x60)}`;
  if (byte < 0x20) return `C-${String.fromCharCode(byte + 0x40)}`;
  return String.fromCharCode(byte);
}
