/**
 * Where each key of a chunk of input goes. A chunk can hold several keys (a
 * paste, a fast typist): each is handled against the store's state after
 * the one before it, so a key after Tab into the shell reaches the shell,
 * and arrows after an expand move over the rows it revealed.
 */
import type { AppState, AppStore } from '../store/app-store.js';
import { splitKeyChunk } from '../input/split-keys.js';
import type { TreeRow } from '../trees/tree-rows.js';
import { paneKey } from './keys.js';

/** What the keys need to know of the screen, asked for the state they meet. */
export interface InputTarget {
  /** The focused tree's rows ([] for the feed). */
  rows(state: AppState): readonly TreeRow[];
  /** Rows a page key moves. */
  page(state: AppState): number;
  /** How far the help, or the inspector's data, can scroll. */
  scrollMax(state: AppState): number;
  writeToShell(bytes: Buffer): void;
}

export function dispatchInput(store: AppStore, bytes: Buffer, target: InputTarget): void {
  for (const { name, offset } of splitKeyChunk(bytes)) {
    let s = store.getState();
    if (s.quitPending) {
      // The question "press q again to quit" takes the next key, wherever focus is.
      if (name === 'q') return s.quit();
      s.cancelQuit();
      s = store.getState();
    }
    // The rest of the chunk is the shell's, byte for byte.
    if (s.focus === 'terminal' && !s.help) return target.writeToShell(bytes.subarray(offset));
    paneKey(s, name, target.rows(s), target.page(s), target.scrollMax(s));
  }
}
