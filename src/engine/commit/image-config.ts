/**
 * The image config of a committed container (the JSON that Docker, podman
 * and the OCI image spec call the config): the base image's, plus a
 * history entry for the new layer and every layer's diff_id. Where the base
 * image's config is not known (an image imported as one flat tarball), its
 * history is made from the container's layer labels. Pure.
 */
import type { HistoryEntry, ImageConfig } from '../image/image-record.js';
import type { LayerLabel } from '../../overlay/layer-label.js';

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ConfigInput {
  /** The base image's config, when the store has one. */
  base?: ImageConfig;
  /** The container's layer labels, topmost first (ContainerState.layers). */
  labels?: readonly LayerLabel[];
  /** diff_ids of every layer, bottom first, the new one last. */
  diffIds: readonly string[];
  /** The container's name, for the new layer's created_by. */
  container: string;
  /** RFC 3339 time of the commit. */
  created: string;
}

/** Node's process.arch as GOARCH names it (the config's architecture). */
export function goArch(arch: string = process.arch): string {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm' };
  return map[arch] ?? arch;
}

/**
 * The base layers' history: the config's if it has one entry per layer
 * (empty_layer ones aside), else one entry per label, else one blank
 * entry per layer (tools expect as many as there are layers).
 */
function baseHistory(input: ConfigInput, baseLayers: number): HistoryEntry[] {
  const given = input.base?.history ?? [];
  if (given.filter((h) => !h.emptyLayer).length === baseLayers) return given;
  const labels = [...(input.labels ?? [])].reverse(); // bottom first
  return Array.from({ length: baseLayers }, (_, i) => ({
    createdBy: labels[i]?.createdBy ?? '',
    emptyLayer: false,
  }));
}

function historyJson(h: HistoryEntry): Record<string, unknown> {
  return {
    ...(h.created ? { created: h.created } : {}),
    ...(h.createdBy ? { created_by: h.createdBy } : {}),
    ...(h.comment ? { comment: h.comment } : {}),
    ...(h.emptyLayer ? { empty_layer: true } : {}),
  };
}

/** The config JSON, as bytes (its sha256 is the image id). */
export function buildImageConfig(input: ConfigInput): Buffer {
  const base = input.base;
  const history = [
    ...baseHistory(input, input.diffIds.length - 1),
    {
      createdBy: `overlay-tui commit ${input.container}`,
      created: input.created,
      emptyLayer: false,
    },
  ];
  const config: Record<string, unknown> = { Env: base?.env ?? [DEFAULT_PATH] };
  if (base?.cmd) config.Cmd = base.cmd;
  if (base?.entrypoint) config.Entrypoint = base.entrypoint;
  if (base?.workingDir) config.WorkingDir = base.workingDir;
  if (base?.user) config.User = base.user;
  const json = {
    architecture: base?.architecture ?? goArch(),
    os: base?.os ?? 'linux',
    created: input.created,
    config,
    rootfs: { type: 'layers', diff_ids: input.diffIds },
    history: history.map(historyJson),
  };
  return Buffer.from(JSON.stringify(json));
}
