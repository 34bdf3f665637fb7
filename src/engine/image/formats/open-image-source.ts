/**
 * Opens whatever image the user gave, deciding its form from its content
 * (never its name): an OCI layout directory; a tar, plain or gzip'd as a
 * whole, that is a docker save (legacy or 25+), an OCI archive, podman's
 * docker-archive, or else a flat root filesystem.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../errors.js';
import { tmpdir } from 'node:os';
import type { ImageSource } from '../image-source.js';
import type { ArchiveFiles } from './archive-files.js';
import { DirFiles } from './dir-files.js';
import { readDockerArchive, withOciDescriptors } from './docker-manifest.js';
import { gunzipProbe } from './gunzip-probe.js';
import { readOciLayout } from './oci-index.js';
import { outerForm } from './outer-file.js';
import { rootfsImage } from './rootfs-source.js';
import { indexTar } from './tar-files.js';

export interface OpenOptions {
  /** Where a gzip'd image archive is decompressed to (removed by close()); default the system's. */
  tempDir?: string;
}

async function fromFiles(
  path: string,
  files: ArchiveFiles,
  close: () => void,
): Promise<ImageSource> {
  if (files.size('manifest.json') !== undefined) {
    const { form, images } = await readDockerArchive(files);
    if (form === 'docker-save-oci') withOciDescriptors(files, images, await readOciLayout(files));
    return { form, path, images, close };
  }
  return { form: 'oci-archive', path, images: await readOciLayout(files), close };
}

export async function openImageSource(path: string, opts: OpenOptions = {}): Promise<ImageSource> {
  const outer = outerForm(path);
  if (outer.kind === 'dir') {
    if (!existsSync(join(path, 'oci-layout')))
      throw new UserError(
        `image ${path} is a directory but not an OCI image layout (it has no oci-layout file): give an OCI layout directory or an image file (docker save, podman save, docker export)`,
      );
    const images = await readOciLayout(new DirFiles(path, path));
    return { form: 'oci-layout', path, images, close: () => undefined };
  }
  const rootfs = (): ImageSource => ({
    form: 'rootfs',
    path,
    images: [rootfsImage(path, outer.size)],
    close: () => undefined,
  });
  if (outer.kind === 'tar') {
    const index = indexTar(path, path);
    return index.kind === 'rootfs' ? rootfs() : fromFiles(path, index.files, () => undefined);
  }
  const probe = await gunzipProbe(path, opts.tempDir ?? tmpdir());
  if (probe.kind === 'rootfs') return rootfs();
  const close = (): void => rmSync(probe.dir, { recursive: true, force: true });
  try {
    const index = indexTar(probe.tar, path);
    if (index.kind === 'rootfs') {
      close();
      return rootfs();
    }
    return await fromFiles(path, index.files, close);
  } catch (err) {
    close();
    throw err;
  }
}
