/** A chunk of raw input as key names, one per key (a fast typist sends several at once). */
import { keyName, keyStatus } from './key-names.js';

export function splitKeys(bytes: Uint8Array): string[] {
  const keys: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = start + 1;
    // The shortest prefix that is one whole key; a lone ESC is the Escape key.
    while (end < bytes.length && keyStatus(bytes.subarray(start, end)) === 'incomplete') end++;
    keys.push(keyName(bytes.subarray(start, end)));
    start = end;
  }
  return keys;
}
