/**
 * Relays the user's terminal to a container's pty, as `docker run -it`
 * does: raw mode, every byte typed goes to the pty, everything the pty
 * writes goes to the screen, and a window resize resizes the pty.
 */
import type { IPty } from 'node-pty';

export function relayTerminal(
  pty: IPty,
  onTyped: (data: Buffer) => void = () => {},
  stdin: NodeJS.ReadStream = process.stdin,
  stdout: NodeJS.WriteStream = process.stdout,
): () => void {
  const onInput = (data: Buffer): void => {
    pty.write(data);
    onTyped(data);
  };
  const onResize = (): void => pty.resize(stdout.columns, stdout.rows);
  stdin.setRawMode(true);
  stdin.on('data', onInput);
  stdin.resume();
  stdout.on('resize', onResize);
  const output = pty.onData((data) => {
    stdout.write(data);
  });
  return () => {
    output.dispose();
    stdout.off('resize', onResize);
    stdin.off('data', onInput);
    stdin.setRawMode(false);
    stdin.pause();
  };
}
