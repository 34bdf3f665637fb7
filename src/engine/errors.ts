/**
 * An error a user can hit and act on (not root, bad image, name in use...).
 * The CLI prints its message as one line, with no stack, and exits with
 * exitCode. 125 is what `docker run` uses for its own failures, so a script
 * can tell them from the command's exit code.
 */
export class UserError extends Error {
  /**
   * What the printed line starts with, before ': '. The program for most
   * errors; a command's usage error names the command instead, so that the
   * line names the one to ask for --help, once.
   */
  readonly program: string = 'overlay-tui';

  constructor(
    message: string,
    readonly exitCode = 125,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** Usage mistakes (unknown flag, missing argument): exit 2, like getopt tools. */
export class UsageError extends UserError {
  override readonly program: string;

  /** command: the one misused ('diff'), or none for the app itself. */
  constructor(message: string, command?: string) {
    super(message, 2);
    this.name = 'UsageError';
    this.program = command ? `overlay-tui ${command}` : 'overlay-tui';
  }
}

/** The errno code of a Node.js system error, or undefined. */
export function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
}

/** Work stopped by a signal before it was done; what it started was undone. */
export class InterruptedError extends UserError {
  constructor(message: string) {
    super(message, 130);
    this.name = 'InterruptedError';
  }
}
