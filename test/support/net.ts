/** Loopback probes for the tests of local servers. */
import { connect } from 'node:net';

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
