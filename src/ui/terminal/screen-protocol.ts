/** The messages between RemoteScreen and its worker (screen-worker.ts). */
import type { ScreenSnapshot } from './snapshot.js';

export interface ScreenWorkerData {
  cols: number;
  rows: number;
}

/** To the worker. `id` on a write asks for a 'parsed' answer. */
export type ToScreenWorker =
  | { t: 'write'; data: string; id?: number }
  | { t: 'resize'; cols: number; rows: number }
  | { t: 'reset'; epoch: number };

/** From the worker. */
export type FromScreenWorker =
  | { t: 'parsed'; id: number }
  | { t: 'reply'; data: string }
  /** epoch: the last reset's, so that a frame from before a reset is dropped. */
  | { t: 'frame'; frame: ScreenSnapshot; epoch: number };
