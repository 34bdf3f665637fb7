/** Reading every image archive form into an ImageSource (see open-image-source.ts). */
export { openImageSource, type OpenOptions } from './open-image-source.js';
export { pickImage, splitImageArg } from './pick-image.js';
