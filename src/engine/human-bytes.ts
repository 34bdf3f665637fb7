/**
 * Sizes for people, the same everywhere overlay-tui shows one (ps, images,
 * watch, the feed, the status bar, the inspector, the trees): binary units,
 * as ls -lh and du -h count, so a size here matches theirs.
 */

const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
const SHORT = ['', 'k', 'M', 'G', 'T', 'P'];

/** The number scaled to its unit, rounded as shown first: 1023.9 KiB is 1.0 MiB, not "1024 KiB". */
function scale(bytes: number): { value: number; unit: number } {
  let value = bytes;
  let unit = 0;
  while (unit < IEC.length - 1 && (unit === 0 ? value : Math.round(value)) >= 1024) {
    value /= 1024;
    unit++;
  }
  return { value, unit };
}

/** `512 B`, `1.2 KiB`, `34 MiB`. */
export function humanBytes(bytes: number): string {
  const { value, unit } = scale(bytes);
  if (unit === 0) return `${value} B`;
  return `${value < 9.95 ? value.toFixed(1) : String(Math.round(value))} ${IEC[unit] ?? ''}`;
}

/** At most 5 characters, for a column: `1023`, `1.2k`, `34M`. */
export function compactBytes(bytes: number): string {
  const { value, unit } = scale(bytes);
  if (unit === 0) return String(value);
  return `${value < 9.95 ? value.toFixed(1) : String(Math.round(value))}${SHORT[unit] ?? ''}`;
}
