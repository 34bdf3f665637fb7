/**
 * xterm cell colours -> colour strings that Ink's <Text color> understands.
 *
 * The 16 base colours become chalk names (not fixed RGB) so the user's own
 * terminal palette still applies, as it would if the shell ran directly in
 * their terminal; 16-255 become `ansi256(n)` and true colour `#rrggbb`
 * (chalk downsamples both when the outer terminal supports fewer colours).
 */

const BASE_COLORS = [
  'black',
  'red',
  'green',
  'yellow',
  'blue',
  'magenta',
  'cyan',
  'white',
  'blackBright',
  'redBright',
  'greenBright',
  'yellowBright',
  'blueBright',
  'magentaBright',
  'cyanBright',
  'whiteBright',
] as const;

/** A palette index (0-255) as an Ink colour. */
function paletteColor(index: number): string {
  return BASE_COLORS[index] ?? `ansi256(${index})`;
}

/** A 0xRRGGBB true colour as an Ink colour. */
function rgbColor(rgb: number): string {
  return `#${(rgb & 0xffffff).toString(16).padStart(6, '0')}`;
}

/** The colour of a cell given xterm's mode flags; undefined = the default colour. */
export function cellColor(isRgb: boolean, isPalette: boolean, value: number): string | undefined {
  if (isRgb) return rgbColor(value);
  if (isPalette) return paletteColor(value);
  return undefined;
}
