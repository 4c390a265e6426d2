/** Loopback probes and hostile peers for the tests of local servers and clients. */
import { connect } from 'node:net';
import type { Writable } from 'node:stream';

/** Whether something accepts a TCP connection on 127.0.0.1:`port` now. */
export const isListening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/**
 * Writes `count` copies of `chunk` (Infinity: until the reader goes away) as fast as `out` takes them,
 * waiting for 'drain' whenever it pushes back, then calls `end` (unless `out` was destroyed first).
 */
export const pour = (out: Writable, chunk: Buffer, count: number, end?: () => void): void => {
  let left = count;
  const pump = (): void => {
    while (left > 0 && !out.destroyed) {
      left--;
      if (!out.write(chunk)) {
        out.once('drain', pump);
        return;
      }
    }
    if (!out.destroyed) end?.();
  };
  out.on('close', () => out.removeAllListeners('drain'));
  pump();
};
