/**
 * The members of an image archive, whatever holds them (a tar file or an
 * OCI layout directory): what the form readers see. Names are relative,
 * '/'-separated, already checked to stay inside the archive.
 */
import { archiveError } from './archive-error.js';

/** JSON files (manifests, configs, indexes) are read whole: a hostile size must not exhaust memory. */
export const MAX_JSON = 16 << 20;

export interface ArchiveFiles {
  /** The archive as the user named it, for messages. */
  readonly label: string;
  /** The size of the regular file the name leads to (links followed inside the archive), or undefined if there is none. */
  size(name: string): number | undefined;
  /** The whole file's bytes. */
  read(name: string): Promise<Buffer>;
  /** The file's bytes as chunks; each call reads anew. */
  open(name: string): AsyncIterable<Buffer>;
}

/** The file's bytes, refused when larger than max (a JSON file). */
export async function readCapped(
  files: ArchiveFiles,
  name: string,
  max = MAX_JSON,
): Promise<Buffer> {
  const size = files.size(name);
  if (size === undefined) throw archiveError(files.label, name, 'is missing');
  if (size > max)
    throw archiveError(
      files.label,
      name,
      `is ${size} bytes: more than the ${max >> 20} MiB a JSON file may have`,
    );
  return files.read(name);
}

/** The member parsed as JSON; malformed JSON is one line naming it. */
export async function readJson(
  files: ArchiveFiles,
  name: string,
): Promise<{ json: unknown; bytes: Buffer }> {
  const bytes = await readCapped(files, name);
  try {
    return { json: JSON.parse(bytes.toString('utf8')) as unknown, bytes };
  } catch (err) {
    throw archiveError(files.label, name, `is not valid JSON (${(err as Error).message})`);
  }
}
