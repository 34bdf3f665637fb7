/**
 * The reader of stdout going away (`overlay-tui diff | head -2`): writes
 * then fail with EPIPE, which Node throws as an unhandled 'error' event,
 * a stack trace. Like other command-line tools, stop writing and exit
 * quietly instead; a command that runs on (watch) asks stdoutClosed().
 */
let closed = false;

export function quietOnClosedStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    closed = true;
  });
}

export function stdoutClosed(): boolean {
  return closed;
}
