/**
 * Bundles the CLI (see build.sh for the why of each option), with one
 * change to Ink made at build time: its per-line cache of styled
 * characters lives from one frame to the next.
 *
 * Ink draws a frame by writing every text on the screen into a grid of
 * styled characters, turning each line's ANSI codes into tokens and back.
 * Its cache of those tokens is made new with every frame, so a frame that
 * changes one pane pays for the whole screen again: in colour, 63 % of the
 * app's time during an output flood. Here each frame's cache falls back on
 * the last frame's (two generations, so it never grows past what two
 * frames show). The cached arrays are only read by Ink, never changed.
 */
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';

const INK_OUTPUT = /[\\/]ink[\\/]build[\\/]output\.js$/;
const MAKE_CACHES = '    caches = new OutputCaches();';

const CARRIED_CACHES = `
// overlay-tui (scripts/bundle-cli.mjs): the last frame's entries carried over.
class CarriedCaches extends OutputCaches {
    constructor(last) {
        super();
        this.last = last;
    }
    carry(own, lasts, key) {
        const hit = lasts?.get(key);
        if (hit !== undefined) own.set(key, hit);
        return hit;
    }
    getStyledChars(line) {
        return this.styledChars.get(line) ?? this.carry(this.styledChars, this.last?.styledChars, line) ?? super.getStyledChars(line);
    }
    getStringWidth(text) {
        return this.widths.get(text) ?? this.carry(this.widths, this.last?.widths, text) ?? super.getStringWidth(text);
    }
    getWidestLine(text) {
        return this.blockWidths.get(text) ?? this.carry(this.blockWidths, this.last?.blockWidths, text) ?? super.getWidestLine(text);
    }
}
let lastFrameCaches;
function frameCaches() {
    const caches = new CarriedCaches(lastFrameCaches);
    if (lastFrameCaches) lastFrameCaches.last = undefined; // two generations, no chain
    lastFrameCaches = caches;
    return caches;
}
`;

const inkFrameCache = {
  name: 'ink-frame-cache',
  setup(b) {
    b.onLoad({ filter: INK_OUTPUT }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      // Fail the build, not the app, if an Ink upgrade changed this file.
      if (!source.includes(MAKE_CACHES) || !source.includes('class OutputCaches {'))
        throw new Error(`${args.path} is not the Ink output.js this patch knows (ink 6.8.0)`);
      const patched = source
        .replace(MAKE_CACHES, '    caches = frameCaches();')
        .replace(
          'export default class Output {',
          `${CARRIED_CACHES}\nexport default class Output {`,
        );
      return { contents: patched, loader: 'js' };
    });
  },
};

await build({
  entryPoints: ['src/cli.ts'],
  bundle: true,
  splitting: true,
  outbase: 'src',
  outdir: 'dist',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  external: ['node-pty', '@napi-rs/xattr', 'react-devtools-core'],
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  plugins: [inkFrameCache],
});
