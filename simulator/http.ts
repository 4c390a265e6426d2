/** HTTP plumbing of the simulator's server: reading a bounded body, answering, resetting a connection abruptly. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

const MAX_BODY = 10 * 1024 * 1024;
export const XML_TYPE = 'text/xml; charset=utf-8';

/** Destroys the connection abruptly: a TCP RST on the underlying socket when possible. */
export const abruptReset = (req: IncomingMessage): void => {
  const tls = req.socket as Socket & { _parent?: Socket };
  const raw = tls._parent ?? tls;
  try {
    raw.resetAndDestroy();
  } catch {
    tls.destroy();
  }
  tls.destroy();
};

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The request body as UTF-8 text; a body over 10 MiB destroys the request and is refused. */
export const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) {
      req.destroy();
      throw new Error('request body too large');
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
};

export const send = (
  res: ServerResponse,
  status: number,
  body: string,
  type = XML_TYPE,
  headers: Record<string, string> = {},
): void => {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
};
