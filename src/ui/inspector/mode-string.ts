/** How the inspector writes a mode, as ls -l does. Pure. */
import type { LayerEntry } from '../../overlay/index.js';

const TYPE_CHAR: Record<LayerEntry['type'], string> = {
  file: '-',
  dir: 'd',
  symlink: 'l',
  char: 'c',
  block: 'b',
  fifo: 'p',
  socket: 's',
};

/** `-rwsr-xr-x`, as ls -l writes it (setuid, setgid and sticky included). */
export function modeString(type: LayerEntry['type'], mode: number): string {
  const bits = (shift: number, special: number, letter: string) => {
    const r = mode & (4 << shift) ? 'r' : '-';
    const w = mode & (2 << shift) ? 'w' : '-';
    const x = (mode & (1 << shift)) !== 0;
    const s = (mode & special) !== 0;
    return r + w + (s ? (x ? letter : letter.toUpperCase()) : x ? 'x' : '-');
  };
  return TYPE_CHAR[type] + bits(6, 0o4000, 's') + bits(3, 0o2000, 's') + bits(0, 0o1000, 't');
}
