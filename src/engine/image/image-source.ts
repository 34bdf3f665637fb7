/**
 * What an image archive holds, whatever its form (formats/ reads each
 * form): its images, each with its config and its layers as blobs in
 * order. The import (store.ts) reads each layer blob once, verifying its
 * digest and diff_id as it extracts it.
 */
import type { ArchiveForm, ImageConfig } from './image-record.js';

/** One layer as the archive stores it: plain, gzip or zstd (decided by its magic bytes). */
export interface LayerBlob {
  /** 'sha256:<hex>' of the blob's bytes as stored, where the archive names one (verified on read). */
  digest?: string;
  /** 'sha256:<hex>' of the uncompressed tar, from the config (verified on read); absent for a flat rootfs. */
  diffId?: string;
  /** The blob's size in bytes, as the archive says. */
  size: number;
  /** The media type the archive gives (informational: real tools mislabel plain blobs as +gzip). */
  mediaType?: string;
  /** Where it is, for messages: "blobs/sha256/ab12…", "<id>/layer.tar". */
  where: string;
  /** The blob's raw bytes, read from the archive; each call reads it anew. */
  open(): AsyncIterable<Buffer>;
}

export interface SourceImage {
  /** "name:tag" references the archive gives this image (RepoTags, ref.name annotations). */
  tags: string[];
  /** The config's bytes as stored (its sha256 is the image id), absent for a flat rootfs. */
  configBytes?: Buffer;
  config: ImageConfig;
  /** Bottom first. */
  layers: LayerBlob[];
}

export interface ImageSource {
  form: ArchiveForm;
  /** The file or directory, as the user named it. */
  path: string;
  images: SourceImage[];
  /** Frees what opening it took (a decompressed temporary copy, open files). */
  close(): void;
}
