/**
 * Reads an image config out of an archive and checks it is the one named:
 * its sha256 is the image id (a legacy <hex>.json's name, an OCI
 * descriptor's digest), so a config edited after the fact is refused.
 */
import { createHash } from 'node:crypto';
import { archiveError } from './archive-error.js';
import { readJson, type ArchiveFiles } from './archive-files.js';
import { parseImageConfig, type ParsedConfig } from './image-config.js';

export interface ConfigMember extends ParsedConfig {
  bytes: Buffer;
}

/** The sha256 hex of bytes. */
export function sha256Of(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Checks that bytes hash to hex; the error names the member and both digests. */
export function checkDigest(files: ArchiveFiles, name: string, bytes: Buffer, hex: string): void {
  const actual = sha256Of(bytes);
  if (actual !== hex)
    throw archiveError(
      files.label,
      name,
      `has sha256:${actual}, not sha256:${hex} as the archive names it`,
    );
}

export async function readConfigMember(
  files: ArchiveFiles,
  name: string,
  hex: string,
): Promise<ConfigMember> {
  const { json, bytes } = await readJson(files, name);
  checkDigest(files, name, bytes, hex);
  return { ...parseImageConfig(json, files.label, name), bytes };
}
