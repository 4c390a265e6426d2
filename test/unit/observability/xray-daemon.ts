/**
 * A stand-in X-Ray daemon on loopback for the tracer's tests: it receives the UDP datagrams, checks each
 * is the daemon's format (the JSON header line, then one segment document) and keeps the documents. The
 * environment helpers set what the Lambda runtime sets for an invocation with active tracing.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { vi } from 'vitest';

export type Doc = Record<string, unknown> & {
  readonly aws?: Record<string, unknown>;
  readonly http?: { response?: Record<string, unknown> };
};

export interface Daemon {
  readonly address: string;
  /** Every datagram as received (text). */
  readonly raw: string[];
  readonly docs: Doc[];
  /** Waits until `count` documents have arrived since `from`, and returns them (fails after 2 s). */
  next(count: number, from: number): Promise<Doc[]>;
  close(): Promise<void>;
}

export const HEADER_LINE = '{"format":"json","version":1}';

export const startDaemon = async (): Promise<Daemon> => {
  const socket: Socket = createSocket('udp4');
  const raw: string[] = [];
  const docs: Doc[] = [];
  socket.on('message', (msg) => {
    const text = msg.toString('utf8');
    raw.push(text);
    const at = text.indexOf('\n');
    // A datagram that is not header line + document is kept as raw only, and the tests' checks of raw fail.
    if (at > 0 && text.slice(0, at) === HEADER_LINE) docs.push(JSON.parse(text.slice(at + 1)) as Doc);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    raw,
    docs,
    next: async (count, from) => {
      for (let i = 0; i < 100 && docs.length < from + count; i++) await new Promise((r) => setTimeout(r, 20));
      if (docs.length < from + count)
        throw new Error(`expected ${count} subsegments, got ${docs.length - from}`);
      return docs.slice(from, from + count);
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
};

export const ROOT = '1-5759e988-bd862e3fe1be46a994272793';
export const PARENT = '53995c3f42cd8ad8';
export const traceHeader = (root = ROOT, parent = PARENT, sampled = '1') =>
  `Root=${root};Parent=${parent};Sampled=${sampled};Lineage=a87bd80c:1|68fd508a:5`;

/** The environment of a Lambda invocation with active tracing (`header` null: no trace header). */
export const inLambda = (daemonAddress: string, header: string | null = traceHeader()) => {
  vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs22.x');
  vi.stubEnv('LAMBDA_TASK_ROOT', '/var/task');
  vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'lrs-gateway-test-find-learner-by-uln');
  vi.stubEnv('AWS_XRAY_DAEMON_ADDRESS', daemonAddress);
  vi.stubEnv('_X_AMZN_TRACE_ID', header ?? undefined);
  vi.stubEnv('POWERTOOLS_TRACE_ENABLED', undefined);
  vi.stubEnv('AWS_SAM_LOCAL', undefined);
};

/** Outside Lambda: none of the runtime's variables. */
export const outsideLambda = () => {
  for (const name of [
    'AWS_EXECUTION_ENV',
    'LAMBDA_TASK_ROOT',
    'AWS_LAMBDA_FUNCTION_NAME',
    '_X_AMZN_TRACE_ID',
    'AWS_XRAY_DAEMON_ADDRESS',
    'POWERTOOLS_TRACE_ENABLED',
    'AWS_SAM_LOCAL',
  ]) {
    vi.stubEnv(name, undefined);
  }
};

export const HEX16 = /^[0-9a-f]{16}$/;
