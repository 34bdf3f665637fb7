/**
 * Layered images made by the tests themselves: layer directories as the
 * layered store keeps them (whiteouts as 0/0 character devices, opaque
 * directories marked with trusted.overlay.opaque=y), and a LayeredImage
 * record over them. The bottom layer is usually the busybox image's lower,
 * so that the container has a shell.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setAttributeSync } from '@napi-rs/xattr';
import type { ImageConfig, LayeredImage } from '../../src/engine/image/image-record.js';

/** A LayeredImage over these directories, bottom first, with this config. */
export function layeredImage(
  dirs: string[],
  config: Partial<ImageConfig> = {},
  source = 'test-image',
): LayeredImage {
  const diffIds = dirs.map((d) => `sha256:${createHash('sha256').update(d).digest('hex')}`);
  const now = new Date().toISOString();
  return {
    record: {
      id: createHash('sha256').update(diffIds.join(',')).digest('hex'),
      tags: [`${source}:latest`],
      layers: diffIds,
      config: { history: [], ...config },
      source,
      form: 'docker-save',
      importedAt: now,
    },
    layers: dirs.map((dir, i) => ({
      dir,
      record: {
        diffId: diffIds[i] ?? '',
        tarSize: 0,
        entries: 0,
        bytes: 0,
        whiteouts: 0,
        opaques: 0,
        skipped: [],
        importedAt: now,
      },
    })),
  };
}

/** Writes FILE (under layer dir) with text, making its parents. */
export function put(layer: string, file: string, text: string): void {
  const path = join(layer, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** A whiteout of FILE in this layer: what the kernel reads as "deleted here". */
export function whiteout(layer: string, file: string): void {
  const path = join(layer, file);
  mkdirSync(dirname(path), { recursive: true });
  execFileSync('mknod', [path, 'c', '0', '0']);
}

/** DIR in this layer hides everything below it. */
export function opaqueDir(layer: string, dir: string): void {
  const path = join(layer, dir);
  mkdirSync(path, { recursive: true });
  setAttributeSync(path, 'trusted.overlay.opaque', 'y');
}
