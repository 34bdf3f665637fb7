/**
 * The layered image store's records. A layer is stored once, by diff_id
 * (the sha256 of its uncompressed tar), in layers/<hex>/ as diff/ (the
 * extracted, read-only directory overlayfs mounts as a lower, whiteouts
 * already in the kernel's form) and layer.json. An image is only a record,
 * images/<id>/image.json: its config and its ordered layer ids. Two images
 * that share a base share its layer directories.
 */
import type { LayerLabel } from '../../overlay/layer-label.js';

/** One entry of the image config's history, as the tool that built it wrote it. */
export interface HistoryEntry {
  createdBy: string;
  created?: string;
  comment?: string;
  /** ENV, CMD and the like: history with no layer of its own. */
  emptyLayer: boolean;
}

/** The parts of an image config (OCI or Docker) that overlay-tui uses. */
export interface ImageConfig {
  cmd?: string[];
  entrypoint?: string[];
  /** "KEY=value", as in the config. */
  env?: string[];
  workingDir?: string;
  user?: string;
  history: HistoryEntry[];
  architecture?: string;
  os?: string;
}

/** Which kind of file or directory an image came from (detected from its content). */
export type ArchiveForm =
  | 'rootfs' // a flat root filesystem tarball (docker export), plain or gzip
  | 'docker-save' // docker save before Docker 25: manifest.json, <id>/layer.tar
  | 'docker-save-oci' // Docker 25+: an OCI layout plus manifest.json into blobs/
  | 'podman-docker-archive' // podman save: <diffid>.tar files, layer.tar symlinks to them
  | 'oci-archive' // an OCI image layout in a tar
  | 'oci-layout' // an OCI image layout directory
  | 'commit'; // made by `overlay-tui commit`

/** layers/<hex>/layer.json */
export interface LayerRecord {
  /** 'sha256:<hex>' of the uncompressed tar; <hex> names the layer's directory. */
  diffId: string;
  /** Bytes of the uncompressed tar. */
  tarSize: number;
  /** Tar members read (whiteouts included). */
  entries: number;
  /** Bytes of file data written. */
  bytes: number;
  /** `.wh.NAME` members made into whiteouts, and `.wh..wh..opq` into opaque directories. */
  whiteouts: number;
  opaques: number;
  /** Members not made (device nodes, FIFOs, unknown kinds), as "<kind> /path". */
  skipped: string[];
  importedAt: string;
}

/** A layer in the store. */
export interface StoredLayer {
  record: LayerRecord;
  /** layers/<hex>/diff: what overlayfs mounts. */
  dir: string;
}

/** images/<id>/image.json */
export interface ImageRecord {
  /** Hex sha256 of the image config as stored (Docker's image ID); names the record's directory. */
  id: string;
  /** "name:tag" as the archive named it ("busybox:latest"); may be empty. */
  tags: string[];
  /** diff_ids ('sha256:<hex>'), bottom layer first, as config.rootfs.diff_ids. */
  layers: string[];
  config: ImageConfig;
  /** The file or directory it was first imported from. */
  source: string;
  form: ArchiveForm;
  importedAt: string;
}

/** An image whose record and every layer were found and trusted. */
export interface LayeredImage {
  record: ImageRecord;
  /** Bottom first, as record.layers. */
  layers: StoredLayer[];
}

/** The layer directories as overlayfs's lowerdir lists them: topmost first. */
export function lowerDirs(image: LayeredImage): string[] {
  return image.layers.map((l) => l.dir).reverse();
}

/**
 * Each layer's created_by: the history entries that made a layer, in order
 * (empty_layer ones made none). An image without history, or with fewer
 * entries than layers (tools differ), leaves the rest ''.
 */
export function layerCreatedBy(config: ImageConfig, layerCount: number): string[] {
  const made = config.history.filter((h) => !h.emptyLayer).map((h) => h.createdBy);
  return Array.from({ length: layerCount }, (_, i) => made[i] ?? '');
}

/** The labels of an image's layers, topmost first (as its lowers). */
export function layerLabels(image: LayeredImage): LayerLabel[] {
  const createdBy = layerCreatedBy(image.record.config, image.layers.length);
  return image.layers
    .map((l, i) => ({ number: i + 1, diffId: l.record.diffId, createdBy: createdBy[i] ?? '' }))
    .reverse();
}
