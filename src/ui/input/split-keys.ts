/** A chunk of raw input as keys, one per key (a fast typist, or a paste, sends several at once). */
import { keyName, keyStatus } from './key-names.js';

export interface KeyInChunk {
  name: string;
  /** Where the key's bytes start in the chunk. */
  offset: number;
}

export function splitKeyChunk(bytes: Uint8Array): KeyInChunk[] {
  const keys: KeyInChunk[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = start + 1;
    // The shortest prefix that is one whole key; a lone ESC is the Escape key.
    while (end < bytes.length && keyStatus(bytes.subarray(start, end)) === 'incomplete') end++;
    keys.push({ name: keyName(bytes.subarray(start, end)), offset: start });
    start = end;
  }
  return keys;
}
