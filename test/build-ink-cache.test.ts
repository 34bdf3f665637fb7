/**
 * The bundle carries the build-time change to Ink (scripts/bundle-cli.mjs):
 * each frame's styled-line cache falls back on the last frame's. Without
 * it the app still works, only slower in colour, so nothing else would
 * notice the build losing it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './support/paths.js';

describe('the bundled Ink', () => {
  it("makes each frame's caches from the last frame's", () => {
    const dist = join(REPO, 'dist');
    const withOutput = readdirSync(dist)
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(dist, f), 'utf8'))
      .filter((text) => text.includes('class OutputCaches') || text.includes('var OutputCaches'));
    expect(withOutput).toHaveLength(1);
    expect(withOutput[0]).toContain('caches = frameCaches();');
    expect(withOutput[0]).not.toContain('caches = new OutputCaches();');
  });
});
