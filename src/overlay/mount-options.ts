/**
 * The overlay mount options, built in one place (as containerd's overlay
 * snapshotter does). Pure: no I/O.
 */

/** overlayfs's filesystem magic (statfs f_type), from include/uapi/linux/magic.h. */
export const OVERLAYFS_SUPER_MAGIC = 0x794c7630;

/** The kernel accepts at most 500 lower layers. */
export const MAX_LOWER_LAYERS = 500;

/** Legacy mount(2) data must fit one page; we keep to it even with the new API. */
export const MOUNT_DATA_LIMIT = 4095;

export interface OverlayLayout {
  /** Lower layers, topmost first (lowerdir=top:...:bottom). */
  lowers: string[];
  upper: string;
  work: string;
}

export interface OverlayOptions {
  /** Docker's overlay2 mounts with index=off; so do we unless told otherwise. */
  index?: 'on' | 'off';
  /** Unset: the kernel's default (CONFIG_OVERLAY_FS_REDIRECT_DIR). */
  redirectDir?: 'on' | 'off';
  metacopy?: 'on' | 'off';
}

// ':' separates lowers and ',' separates options; '\' escapes both. Our
// own paths never hold them, so refuse rather than escape.
function checkPath(path: string): void {
  if (/[:,\\\n]/.test(path)) {
    throw new Error(`overlay path must not contain ':' ',' '\\' or a newline: ${path}`);
  }
}

/** The "key=value" options after lowerdir/upperdir/workdir. */
export function extraOptions(opts: OverlayOptions = {}): string[] {
  const out = [`index=${opts.index ?? 'off'}`];
  if (opts.redirectDir) out.push(`redirect_dir=${opts.redirectDir}`);
  if (opts.metacopy) out.push(`metacopy=${opts.metacopy}`);
  return out;
}

/** The full option string, as mount(8) -o would take it; throws if it cannot be mounted. */
export function overlayMountData(layout: OverlayLayout, opts: OverlayOptions = {}): string {
  if (layout.lowers.length === 0) throw new Error('overlay needs at least one lower layer');
  if (layout.lowers.length > MAX_LOWER_LAYERS) {
    throw new Error(`overlay takes at most ${MAX_LOWER_LAYERS} lower layers`);
  }
  [...layout.lowers, layout.upper, layout.work].forEach(checkPath);
  const data = [
    `lowerdir=${layout.lowers.join(':')}`,
    `upperdir=${layout.upper}`,
    `workdir=${layout.work}`,
    ...extraOptions(opts),
  ].join(',');
  if (data.length > MOUNT_DATA_LIMIT) {
    throw new Error(
      `overlay mount options are ${data.length} bytes, over one page: use shorter paths`,
    );
  }
  return data;
}
