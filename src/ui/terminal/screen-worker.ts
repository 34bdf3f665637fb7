/**
 * The worker thread behind RemoteScreen: a TerminalScreen (xterm) fed by
 * messages, posting its replies and, at its bounded frame rate, the frames
 * it reads from its buffer. Bundled on its own (dist/screen-worker.js).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TerminalScreen } from './terminal-screen.js';
import type { FromScreenWorker, ScreenWorkerData, ToScreenWorker } from './screen-protocol.js';

const port = parentPort;
if (!port) throw new Error('screen-worker runs as a worker thread');
const post = (msg: FromScreenWorker): void => port.postMessage(msg);

const { cols, rows } = workerData as ScreenWorkerData;
const screen = new TerminalScreen({ cols, rows });
let epoch = 0;
screen.onFrame(() => post({ t: 'frame', frame: screen.getFrame(), epoch }));
screen.onReply((data) => post({ t: 'reply', data }));

port.on('message', (msg: ToScreenWorker) => {
  switch (msg.t) {
    case 'write': {
      const { id } = msg;
      screen.write(msg.data, id === undefined ? undefined : () => post({ t: 'parsed', id }));
      break;
    }
    case 'resize':
      screen.resize(msg.cols, msg.rows);
      break;
    case 'reset': {
      // Frames from here on show the reset screen (xterm applies it in turn).
      const next = msg.epoch;
      screen.reset(() => (epoch = next));
      break;
    }
  }
});
