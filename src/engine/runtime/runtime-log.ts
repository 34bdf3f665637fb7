/**
 * The runtime's own failure, from its --log (JSON lines): runc and crun
 * both exit 1 when they fail, which a command can exit with too. The log
 * tells the two apart, and says whether the command was missing (127) or
 * not executable (126), as the helper reports them.
 */
import { readFileSync } from 'node:fs';

/** The last error the runtime logged, or undefined if it logged none. */
export function runtimeError(logFile: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return undefined;
  }
  let last: string | undefined;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const entry = JSON.parse(line) as { level?: unknown; msg?: unknown };
      if (entry.level === 'error' && typeof entry.msg === 'string') last = entry.msg;
    } catch {
      // a line that is not JSON: not one of its entries
    }
  }
  return last;
}

/** The exit status for a run the runtime failed: 127 not found, 126 not executable, else 125. */
export function exitCodeForRuntimeError(message: string): number {
  // runc: exec: "x": executable file not found in $PATH; crun: executable file `x` not found in $PATH
  if (/executable file .*not found|exec.*no such file or directory/i.test(message)) return 127;
  if (/exec.*permission denied/i.test(message)) return 126;
  return 125;
}
