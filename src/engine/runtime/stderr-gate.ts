/**
 * The runtime's standard error, relayed. Until the container's pid 1
 * exists, whatever arrives there is the runtime's own (the command has not
 * run yet): it is held back, so that a runtime that refuses to start the
 * container is reported as one line of ours instead of its raw text. From
 * then on the bytes go straight through.
 */
import type { Readable, Writable } from 'node:stream';

export interface StderrGate {
  /** At the end: print what was held back, or this line instead of it. */
  end(replacement: string | undefined): void;
  /** True while output is held back (pid 1 not recorded yet). */
  readonly holding: boolean;
}

/** opened: resolves true once pid 1 exists (false: it never did; end() decides). */
export function gateStderr(from: Readable, to: Writable, opened: Promise<boolean>): StderrGate {
  let held: Buffer[] | undefined = [];
  const release = (): void => {
    if (!held) return;
    for (const chunk of held) to.write(chunk);
    held = undefined;
  };
  from.on('data', (chunk: Buffer) => {
    if (held) held.push(chunk);
    else to.write(chunk);
  });
  void opened.then((ok) => ok && release());
  return {
    get holding() {
      return held !== undefined;
    },
    end(replacement) {
      if (held && replacement !== undefined) {
        held = undefined;
        to.write(replacement);
      }
      release();
    },
  };
}
