import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = `${REPO}bin/overlay-tui.js`;
export const HELPER = `${REPO}dist/helper/ovl-helper`;
export const DEFAULT_IMAGE_PATH = `${REPO}fixtures/busybox.tar`;
