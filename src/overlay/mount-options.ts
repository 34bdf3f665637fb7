/**
 * The overlay mount options, built in one place (as containerd's overlay
 * snapshotter does). Pure: no I/O.
 */

/** overlayfs's filesystem magic (statfs f_type), from include/uapi/linux/magic.h. */
export const OVERLAYFS_SUPER_MAGIC = 0x794c7630;

/**
 * The most lower layers the kernel mounts under an upper: overlayfs's
 * OVL_MAX_STACK. Measured on Linux 6.18 (2026-12-04), with an upper and
 * work directory: 500 lowers mount, 501 fail with "overlay: too many lower
 * directories, limit is 500", through lowerdir+ one by one and through the
 * legacy joined string alike. Checked before anything is made, so that a
 * taller image is refused with this number rather than the kernel's EINVAL.
 */
export const MAX_LOWER_LAYERS = 500;

/** Legacy mount(2) data must fit one page (the helper uses it only on kernels without lowerdir+). */
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

/** The one line that refuses an image taller than the kernel mounts. */
export function tooManyLayersMessage(layers: number): string {
  return `the image has ${layers} layers, and overlayfs mounts at most ${MAX_LOWER_LAYERS} lower layers: nothing was mounted`;
}

/**
 * Throws if the layout cannot be mounted whatever the kernel: no lower,
 * more lowers than the kernel takes, or a separator in a path. The length
 * of the whole is not checked: the helper passes each lower alone
 * (lowerdir+), and only on a kernel without it is one page the limit.
 */
export function checkOverlayLayout(layout: OverlayLayout): void {
  if (layout.lowers.length === 0) throw new Error('overlay needs at least one lower layer');
  if (layout.lowers.length > MAX_LOWER_LAYERS) {
    throw new Error(tooManyLayersMessage(layout.lowers.length));
  }
  [...layout.lowers, layout.upper, layout.work].forEach(checkPath);
}

/** The full legacy option string, as mount(8) -o would take it; throws if it cannot be mounted so. */
export function overlayMountData(layout: OverlayLayout, opts: OverlayOptions = {}): string {
  checkOverlayLayout(layout);
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
