/** A chunk of raw input as keys, one per key (a fast typist, or a paste, sends several at once). */
import { keyName, keyStatus } from './key-names.js';

export interface KeyInChunk {
  name: string;
  /** Where the key's bytes start in the chunk. */
  offset: number;
}

/** One key at a time: a paste into the shell is handed over whole at its first key, not split. */
export function* splitKeyChunk(bytes: Uint8Array): Generator<KeyInChunk> {
  let start = 0;
  while (start < bytes.length) {
    let end = start + 1;
    // The shortest prefix that is one whole key; a lone ESC is the Escape key.
    while (end < bytes.length && keyStatus(bytes.subarray(start, end)) === 'incomplete') end++;
    yield { name: keyName(bytes.subarray(start, end)), offset: start };
    start = end;
  }
}
