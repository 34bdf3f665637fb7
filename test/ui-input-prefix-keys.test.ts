import { describe, expect, it } from 'vitest';
import { PrefixKeyMachine, type PrefixEvent } from '../src/ui/input/prefix-keys.js';
import { keyName, keyStatus, parsePrefixKey, prefixKeyName } from '../src/ui/input/key-names.js';

const B = (s: string): Buffer => Buffer.from(s, 'latin1');
const PREFIX = '\x02';

/** Events in a comparable form: input as latin1 text, commands by name. */
type Simple = { input: string } | { command: string };
function simple(events: PrefixEvent[]): Simple[] {
  const out: Simple[] = [];
  for (const e of events) {
    const last = out[out.length - 1];
    if (e.type === 'input') {
      // Adjacent inputs from different chunks are one stream of bytes.
      if (last && 'input' in last) last.input += e.bytes.toString('latin1');
      else out.push({ input: e.bytes.toString('latin1') });
    } else {
      out.push({ command: e.key });
    }
  }
  return out;
}

function feedAll(chunks: string[], machine = new PrefixKeyMachine()): Simple[] {
  return simple(chunks.flatMap((c) => machine.feed(B(c))));
}

describe('PrefixKeyMachine', () => {
  it('passes everything but the prefix through byte for byte', () => {
    const typed =
      'ls -l\r' + // text and Enter
      '\x1b[A\x1b[B\x1bOC\x1b[1;5D' + // arrows, normal, application mode, Ctrl
      '\x1b[H\x1b[F\x1b[1~\x1b[4~' + // Home/End both ways
      '\x03\x04\x1a\x01\x05' + // Ctrl-C, Ctrl-D, Ctrl-Z, Ctrl-A, Ctrl-E
      '\x1bb\x1bf\x1b\x7f' + // Alt-b, Alt-f, Alt-Backspace
      'caf\xc3\xa9 \xe4\xb8\xad'; // UTF-8 as bytes
    const machine = new PrefixKeyMachine();
    const events = machine.feed(B(typed));
    expect(events).toHaveLength(1);
    expect(events[0]?.type).toBe('input');
    expect(events[0]?.bytes.equals(B(typed))).toBe(true);
    expect(machine.awaiting).toBe('none');
  });

  it('turns prefix + key into a command, in order with the bytes around it', () => {
    expect(feedAll([`ab${PREFIX}ocd`])).toEqual([
      { input: 'ab' },
      { command: 'o' },
      { input: 'cd' },
    ]);
    for (const key of ['?', 'q', '1', '9', 'o']) {
      expect(feedAll([PREFIX + key])).toEqual([{ command: key }]);
    }
  });

  it('sends one literal prefix byte for the prefix pressed twice', () => {
    expect(feedAll([`a${PREFIX}${PREFIX}b`])).toEqual([{ input: `a${PREFIX}b` }]);
    expect(feedAll([PREFIX, PREFIX])).toEqual([{ input: PREFIX }]);
    // The literal prefix does not start a new prefix.
    expect(feedAll([`${PREFIX}${PREFIX}o`])).toEqual([{ input: `${PREFIX}o` }]);
  });

  it('keeps a prefix at the end of a chunk for the next chunk', () => {
    const machine = new PrefixKeyMachine();
    expect(simple(machine.feed(B(`echo${PREFIX}`)))).toEqual([{ input: 'echo' }]);
    expect(machine.awaiting).toBe('prefix');
    expect(simple(machine.feed(B('ohi')))).toEqual([{ command: 'o' }, { input: 'hi' }]);
    expect(machine.awaiting).toBe('none');
  });

  it('names escape sequences after the prefix', () => {
    const cases: [string, string][] = [
      ['\x1b[A', 'Up'],
      ['\x1b[B', 'Down'],
      ['\x1b[C', 'Right'],
      ['\x1b[D', 'Left'],
      ['\x1bOA', 'Up'],
      ['\x1bOD', 'Left'],
      ['\x1b[1;5C', 'C-Right'],
      ['\x1b[1;2A', 'S-Up'],
      ['\x1b[1;3B', 'M-Down'],
      ['\x1b[H', 'Home'],
      ['\x1b[4~', 'End'],
      ['\x1b[5~', 'PageUp'],
      ['\x1b[6;5~', 'C-PageDown'],
      ['\x1b[Z', 'BTab'],
      ['\x1bOP', 'F1'],
      ['\x1b[15~', 'F5'],
      ['\x1bo', 'M-o'],
      ['\x0f', 'C-o'],
      ['\t', 'Tab'],
      ['\r', 'Enter'],
      [' ', 'Space'],
      ['\x1b[99~', 'Unknown'],
    ];
    for (const [seq, name] of cases) {
      expect(feedAll([PREFIX + seq + 'x']), JSON.stringify(seq)).toEqual([
        { command: name },
        { input: 'x' },
      ]);
    }
  });

  it('gives the same result wherever the chunks split', () => {
    const typed = `ab${PREFIX}\x1b[1;5Acd${PREFIX}${PREFIX}e${PREFIX}\xc3\xa9f\x1b[B${PREFIX}?`;
    const expected = feedAll([typed]);
    expect(expected).toEqual([
      { input: 'ab' },
      { command: 'C-Up' },
      { input: `cd${PREFIX}e` },
      { command: 'é' },
      { input: 'f\x1b[B' },
      { command: '?' },
    ]);
    for (let i = 0; i <= typed.length; i++) {
      for (let j = i; j <= typed.length; j++) {
        const chunks = [typed.slice(0, i), typed.slice(i, j), typed.slice(j)];
        expect(feedAll(chunks), `split at ${i},${j}`).toEqual(expected);
      }
    }
  });

  it('waits for flush() to tell a lone Escape from an arrow key', () => {
    const machine = new PrefixKeyMachine();
    expect(machine.feed(B(`${PREFIX}\x1b`))).toEqual([]);
    expect(machine.awaiting).toBe('key');
    expect(simple(machine.flush())).toEqual([{ command: 'Escape' }]);
    expect(machine.awaiting).toBe('none');
    expect(machine.flush()).toEqual([]);
    // Alt+[ looks like the start of CSI until the timeout.
    machine.feed(B(`${PREFIX}\x1b[`));
    expect(simple(machine.flush())).toEqual([{ command: 'M-[' }]);
  });

  it('ends a broken key after the prefix and reads the byte after it again', () => {
    // ESC [ then a control byte: not a CSI; the prefix that follows counts.
    expect(feedAll([`${PREFIX}\x1b[1\x02o`])).toEqual([{ command: 'Unknown' }, { command: 'o' }]);
    // A broken UTF-8 sequence.
    expect(feedAll([`${PREFIX}\xc3a`])).toEqual([{ command: 'Unknown' }, { input: 'a' }]);
  });

  it('passes Alt+prefix (ESC then the prefix in one read) to the shell', () => {
    expect(feedAll([`a\x1b${PREFIX}b`])).toEqual([{ input: `a\x1b${PREFIX}b` }]);
  });

  it('leaves the prefix byte alone inside a bracketed paste', () => {
    const paste = `\x1b[200~x${PREFIX}oy\x1b[201~`;
    expect(feedAll([paste + `${PREFIX}o`])).toEqual([{ input: paste }, { command: 'o' }]);
    // Markers split across chunks are still recognised.
    const chunks = ['\x1b[20', `0~${PREFIX}q\x1b`, `[201`, `~${PREFIX}q`];
    expect(feedAll(chunks)).toEqual([{ input: `\x1b[200~${PREFIX}q\x1b[201~` }, { command: 'q' }]);
  });

  it('uses a configured prefix and nothing else', () => {
    const machine = new PrefixKeyMachine(parsePrefixKey('C-a'));
    expect(feedAll([`\x02x\x01o`], machine)).toEqual([{ input: '\x02x' }, { command: 'o' }]);
  });

  it('returns copies, not views of the caller chunk', () => {
    const chunk = B('abc');
    const [event] = new PrefixKeyMachine().feed(chunk);
    chunk.fill(0);
    expect(event?.bytes.toString()).toBe('abc');
  });

  it('refuses Escape and non-ASCII prefixes', () => {
    expect(() => new PrefixKeyMachine(0x1b)).toThrow(RangeError);
    expect(() => new PrefixKeyMachine(0x80)).toThrow(RangeError);
  });
});

describe('key names', () => {
  it('parses prefix specs', () => {
    expect(parsePrefixKey('C-b')).toBe(0x02);
    expect(parsePrefixKey('C-a')).toBe(0x01);
    expect(parsePrefixKey('^A')).toBe(0x01);
    expect(parsePrefixKey('C-@')).toBe(0x00);
    expect(parsePrefixKey('`')).toBe(0x60);
    expect(() => parsePrefixKey('C-[')).toThrow(/prefix/);
    expect(() => parsePrefixKey('xy')).toThrow(/prefix/);
  });

  it('refuses keys the shell needs as they are', () => {
    expect(() => parsePrefixKey('C-i')).toThrow(/the Tab key/);
    expect(() => parsePrefixKey('C-m')).toThrow(/the Enter key/);
    expect(() => parsePrefixKey('C-h')).toThrow(/the Backspace key/);
    expect(() => parsePrefixKey(' ')).toThrow(/the Space key/);
    expect(() => parsePrefixKey('C-c')).toThrow(/the C-c \(interrupt\) key/);
    expect(() => parsePrefixKey('C-z')).toThrow(/suspend/);
  });

  it('writes a prefix as the help and the legend show it', () => {
    for (const spec of ['C-a', 'C-b', 'C-y', 'C-@', 'C-]', 'C-_', '`'])
      expect(prefixKeyName(parsePrefixKey(spec))).toBe(spec);
  });

  it('delimits keys', () => {
    expect(keyStatus(B('\x1b'))).toBe('incomplete');
    expect(keyStatus(B('\x1b[1;5'))).toBe('incomplete');
    expect(keyStatus(B('\x1b[1;5A'))).toBe('complete');
    expect(keyStatus(B('\x1bOA'))).toBe('complete');
    expect(keyStatus(B('\xe4\xb8'))).toBe('incomplete');
    expect(keyStatus(B('\xe4\xb8\xad'))).toBe('complete');
    expect(keyStatus(B('\x1b[\x01'))).toBe('invalid');
  });

  it('names control keys like tmux', () => {
    expect(keyName(B('\x0f'))).toBe('C-o');
    expect(keyName(B('\x7f'))).toBe('BSpace');
    expect(keyName(B('\x1b'))).toBe('Escape');
    expect(keyName(B('\x1b\x02'))).toBe('M-C-b');
  });
});
