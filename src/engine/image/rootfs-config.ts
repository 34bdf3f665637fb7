/**
 * The image config of a flat rootfs tarball, which has none: made up, in
 * OCI form, from nothing but its content's diff_id and the file's name,
 * with no dates and keys in a fixed order, so that the same file always
 * gets the same bytes and so the same image id. The architecture is this
 * machine's (a rootfs says nothing of its own; it is imported to run here).
 */
import { basename } from 'node:path';
import type { ImageConfig } from './image-record.js';

const GOARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
};

export interface RootfsConfig {
  bytes: Buffer;
  config: ImageConfig;
}

export function rootfsConfig(file: string, diffIds: string[]): RootfsConfig {
  const createdBy = `overlay-tui import ${basename(file)}`;
  const json = {
    architecture: GOARCH[process.arch] ?? process.arch,
    os: 'linux',
    config: {},
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: diffIds.map(() => ({ created_by: createdBy })),
  };
  return {
    bytes: Buffer.from(JSON.stringify(json)),
    config: {
      history: diffIds.map(() => ({ createdBy, emptyLayer: false })),
      architecture: json.architecture,
      os: json.os,
    },
  };
}
