import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createElement } from 'react';
import { cleanup, render } from 'ink-testing-library';
import { listenRawInput } from '../src/ui/input/raw-input.js';
import { useRawInput } from '../src/ui/input/use-raw-input.js';

type Got = { input: string } | { command: string };

function recorder() {
  const got: Got[] = [];
  return {
    got,
    handlers: {
      onInput: (bytes: Buffer) => got.push({ input: bytes.toString('latin1') }),
      onCommand: (key: string) => got.push({ command: key }),
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(() => cleanup());

describe('listenRawInput', () => {
  it('routes Buffer and string chunks in typed order', () => {
    const stream = new EventEmitter();
    const { got, handlers } = recorder();
    const stop = listenRawInput(stream, handlers);
    stream.emit('data', Buffer.from('ls\x02'));
    // Ink switches stdin to utf8 strings: bytes come back re-encoded.
    stream.emit('data', 'o\x1b[Aé');
    expect(got).toEqual([
      { input: 'ls' },
      { command: 'o' },
      { input: Buffer.from('\x1b[Aé').toString('latin1') },
    ]);
    stop();
    stream.emit('data', 'more');
    expect(got).toHaveLength(3);
    expect(stream.listenerCount('data')).toBe(0);
  });

  it('turns a lone Escape after the prefix into a command after the timeout', async () => {
    const stream = new EventEmitter();
    const { got, handlers } = recorder();
    const stop = listenRawInput(stream, handlers, { escapeTimeoutMs: 10 });
    stream.emit('data', '\x02\x1b');
    expect(got).toEqual([]);
    await sleep(30);
    expect(got).toEqual([{ command: 'Escape' }]);
    // An arrow key split across reads is still one key.
    stream.emit('data', '\x02\x1b');
    stream.emit('data', '[D');
    await sleep(30);
    expect(got).toEqual([{ command: 'Escape' }, { command: 'Left' }]);
    stop();
  });

  it('uses the configured prefix', () => {
    const stream = new EventEmitter();
    const { got, handlers } = recorder();
    const stop = listenRawInput(stream, handlers, { prefix: 0x01 });
    stream.emit('data', '\x02\x01q');
    expect(got).toEqual([{ input: '\x02' }, { command: 'q' }]);
    stop();
  });
});

describe('useRawInput', () => {
  function Probe(props: { handlers: ReturnType<typeof recorder>['handlers']; isActive: boolean }) {
    useRawInput(props.handlers, { isActive: props.isActive });
    return null;
  }

  it('reads stdin data and holds raw mode while active', async () => {
    const { got, handlers } = recorder();
    const app = render(createElement(Probe, { handlers, isActive: true }));
    const setRawMode = vi.spyOn(app.stdin, 'setRawMode');
    await sleep(10);
    // ink-testing-library 4's stdin emits 'data' as well as 'readable'.
    app.stdin.write('echo hi\r\x02?');
    expect(got).toEqual([{ input: 'echo hi\r' }, { command: '?' }]);
    app.rerender(createElement(Probe, { handlers, isActive: false }));
    await sleep(10);
    expect(setRawMode).toHaveBeenCalledWith(false);
    app.stdin.write('ignored');
    expect(got).toHaveLength(2);
    // (The spy can only be set once render made stdin: raw mode on, seen on the way back.)
    app.rerender(createElement(Probe, { handlers, isActive: true }));
    await sleep(10);
    expect(setRawMode).toHaveBeenLastCalledWith(true);
  });
});
