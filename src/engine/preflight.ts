/** Checks that must pass before anything touches the machine. */
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { UserError } from './errors.js';

/** The command to retry with: sudo resets PATH, so a per-user Node.js is lost. */
function sudoRetryHint(argv: readonly string[]): string {
  const args = argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`));
  return `sudo env "PATH=$PATH" overlay-tui ${args.join(' ')}`.trimEnd();
}

export function requireRoot(argv: readonly string[]): void {
  if (process.getuid?.() !== 0) {
    throw new UserError(`overlay-tui needs root: run it with sudo (${sudoRetryHint(argv)})`, 1);
  }
}

function kernelHasOverlayfs(): boolean {
  try {
    return /\toverlay$/m.test(readFileSync('/proc/filesystems', 'utf8'));
  } catch {
    return false;
  }
}

export function requireOverlayfs(): void {
  if (kernelHasOverlayfs()) return;
  // Built as a module and not loaded yet: try once, as mount(8) would.
  spawnSync('modprobe', ['overlay'], { stdio: 'ignore' });
  if (!kernelHasOverlayfs()) {
    throw new UserError(
      'this kernel has no overlayfs: load it with `modprobe overlay` (or use a kernel built with CONFIG_OVERLAY_FS)',
    );
  }
}
