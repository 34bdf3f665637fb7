/** Following the command line from the bytes typed into the shell. */
import { describe, expect, it } from 'vitest';
import { CommandLineTracker } from '../src/engine/watch/command-line.js';

describe('CommandLineTracker', () => {
  it('commits a line on Enter, across chunks, with backspace and Ctrl-U', () => {
    const t = new CommandLineTracker();
    t.feed('echo hj');
    t.feed('\x7fi >> /etc/passwd');
    expect(t.current).toBeUndefined();
    t.feed('\r');
    expect(t.current).toBe('echo hi >> /etc/passwd');
    t.feed('garbage\x15rm /bin/ls\r');
    expect(t.current).toBe('rm /bin/ls');
  });

  it('ignores a terminal answer but drops a line edited with arrows or history', () => {
    const t = new CommandLineTracker();
    t.feed('\x1b[24;1Rls\r'); // a cursor position report, then typing
    expect(t.current).toBe('ls');
    t.feed('\x1b[Aecho\r'); // history recall: the line is not what was typed
    expect(t.current).toBeUndefined();
    t.feed('\r'); // an empty line changes nothing
    expect(t.current).toBeUndefined();
    t.feed('pwd\r');
    expect(t.current).toBe('pwd');
  });

  it('drops a line recalled with nothing typed, or completed with Tab', () => {
    const t = new CommandLineTracker();
    t.feed('touch /aaa\r');
    expect(t.current).toBe('touch /aaa');
    t.feed('\x1b[A\r'); // Up, Enter: runs touch /aaa again, or another line
    expect(t.current).toBeUndefined();
    t.feed('rm /aaa\r');
    t.feed('\x1b[A\x1b[A\r');
    expect(t.current).toBeUndefined();
    t.feed('echo x >> /etc/hostn\t\r'); // Tab completed it: not what was typed
    expect(t.current).toBeUndefined();
    t.feed('\x12touch\r'); // Ctrl-R: a search through history
    expect(t.current).toBeUndefined();
    t.feed('ls\r');
    t.feed('\r'); // an empty line runs nothing: still ls
    expect(t.current).toBe('ls');
  });
});
