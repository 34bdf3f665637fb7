/**
 * The command line a user is typing into the container's shell, followed
 * from the raw bytes sent to the pty: printable text is added, backspace
 * and Ctrl-U edit it, Enter commits it. Escape sequences (arrow keys,
 * history) and the other control keys (Tab completion, Ctrl-R...) make the
 * line unknowable from the input alone: it is then dropped rather than
 * guessed, and events after it carry no command line.
 */
export class CommandLineTracker {
  private line = '';
  private known = true;
  private inEscape = false;
  private last: string | undefined;

  /** The last line entered, if it was known. */
  get current(): string | undefined {
    return this.last;
  }

  feed(bytes: Uint8Array | string): void {
    const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8');
    for (const ch of text) {
      const code = ch.codePointAt(0) ?? 0;
      if (this.inEscape) {
        // CSI and SS3 sequences end with a letter or '~'. Keys that move
        // the cursor or recall history make the line unknowable; the
        // terminal's own answers (a cursor position report, ...R) do not.
        if (/[A-Za-z~]/.test(ch)) {
          this.inEscape = false;
          if (/[ABCDFHPQS~]/.test(ch)) this.known = false;
        }
        continue;
      }
      if (ch === '\x1b') {
        this.inEscape = true;
      } else if (ch === '\r' || ch === '\n') {
        this.commit();
      } else if (code === 0x7f || code === 0x08) {
        this.line = this.line.slice(0, -1);
      } else if (code === 0x15 || code === 0x03) {
        // Ctrl-U erases the line, Ctrl-C abandons it.
        this.line = '';
        this.known = true;
      } else if (code >= 0x20) {
        this.line += ch;
      } else {
        // Tab completes, Ctrl-A/E/B/F move, Ctrl-W/K/Y/D edit, Ctrl-P/N/R
        // recall: what runs is no longer what was typed.
        this.known = false;
      }
    }
  }

  private commit(): void {
    const line = this.line.trim();
    // An empty line runs nothing (what follows still belongs to the line
    // before); a recalled one (Up, Enter) does, and is unknown.
    if (line !== '' || !this.known) this.last = this.known ? line : undefined;
    this.line = '';
    this.known = true;
  }
}
