/**
 * The X-Ray side of the tracer: whether this process traces, the invocation's trace header, the daemon's
 * address, and independent subsegments sent to the daemon over UDP, as the X-Ray SDKs do in Lambda
 * (`{"format":"json","version":1}` on the first line, the segment document on the second).
 *
 * Tracing is on as Powertools Tracer decided it: in a Lambda execution environment (AWS_EXECUTION_ENV
 * set), not under the SAM CLI (AWS_SAM_LOCAL) or the Amplify mock, and not switched off with
 * POWERTOOLS_TRACE_ENABLED=false. A subsegment is sent only when the invocation's trace header
 * (`_X_AMZN_TRACE_ID`, or the runtime's per-invocation store when one function instance serves several
 * invocations at once) is well formed and says `Sampled=1`; it is read when each span starts, never kept.
 *
 * Sending never throws into the caller and never waits: one unref'd UDP socket per process, a send's
 * error is dropped (a lost subsegment is a gap in a trace, never a failed request). A document larger
 * than the daemon's 64 KB datagram is sent without its optional fields, or not at all.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

/** The invocation's trace, as the Lambda runtime hands it over. */
export interface TraceHeader {
  /** The trace id (`1-<8 hex>-<24 hex>`). */
  readonly root: string;
  /** The id of the function's segment: the parent of every subsegment sent. */
  readonly parent: string;
  readonly sampled: boolean;
  /** The fields besides Root, Parent and Sampled (e.g. `;Lineage=…`), passed on to downstream calls. */
  readonly extra: string;
}

/** An independent subsegment as the daemon receives it (X-Ray segment document fields). */
export interface SubsegmentDocument {
  type: 'subsegment';
  id: string;
  trace_id: string;
  parent_id: string;
  name: string;
  start_time: number;
  end_time?: number;
  namespace?: 'aws' | 'remote';
  annotations?: Record<string, string | number | boolean>;
  aws?: Record<string, string | number | readonly string[]>;
  http?: { response: { status?: number; content_length?: number } };
  error?: true;
  fault?: true;
  throttle?: true;
}

export interface DaemonAddress {
  readonly host: string;
  readonly port: number;
}

/** The daemon's address when AWS_XRAY_DAEMON_ADDRESS is not set (the SDKs' default). */
export const DEFAULT_DAEMON: DaemonAddress = { host: '127.0.0.1', port: 2000 };
/** The daemon reads datagrams into a 64 KB buffer; the header line counts. */
export const MAX_DATAGRAM_BYTES = 64 * 1024;
/** The segment document limit on `name`. */
const MAX_NAME_LENGTH = 200;
const HEADER_LINE = '{"format":"json","version":1}\n';

export const isTracingEnabled = (env: NodeJS.ProcessEnv = process.env): boolean => {
  if ((env.POWERTOOLS_TRACE_ENABLED ?? '').trim().toLowerCase() === 'false') return false;
  const executionEnv = env.AWS_EXECUTION_ENV ?? '';
  return executionEnv !== '' && executionEnv !== 'AWS_Lambda_amplify-mock' && !env.AWS_SAM_LOCAL;
};

const ROOT = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const EXTRA_KEY = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const EXTRA_VALUE = /^[A-Za-z0-9:|._-]{0,256}$/;

/** `Root=…;Parent=…;Sampled=1[;Lineage=…]`, or undefined when Root or Parent is missing or malformed. */
export const parseTraceHeader = (header: string | undefined): TraceHeader | undefined => {
  if (!header || header.length > 2048) return undefined;
  let root: string | undefined;
  let parent: string | undefined;
  let sampled = false;
  let extra = '';
  for (const field of header.split(';')) {
    const at = field.indexOf('=');
    if (at < 0) continue;
    const key = field.slice(0, at).trim();
    const value = field.slice(at + 1).trim();
    if (key === 'Root') root = value;
    else if (key === 'Parent') parent = value;
    else if (key === 'Sampled') sampled = value === '1';
    // Only fields that cannot break the header they are copied into; Self is the load balancer's own.
    else if (key !== 'Self' && EXTRA_KEY.test(key) && EXTRA_VALUE.test(value)) extra += `;${key}=${value}`;
  }
  if (root === undefined || parent === undefined || !ROOT.test(root) || !SPAN_ID.test(parent))
    return undefined;
  return { root, parent, sampled, extra };
};

interface InvokeStore {
  getXRayTraceId?(): string | undefined;
}
const invocationHeader = (): string | undefined => {
  try {
    const store = (globalThis as { awslambda?: { InvokeStore?: InvokeStore } }).awslambda?.InvokeStore;
    return store?.getXRayTraceId?.() ?? process.env._X_AMZN_TRACE_ID;
  } catch {
    return process.env._X_AMZN_TRACE_ID;
  }
};

/** The invocation's trace when this process traces and the invocation is sampled, else undefined. */
export const sampledTrace = (): TraceHeader | undefined => {
  if (!isTracingEnabled()) return undefined;
  const trace = parseTraceHeader(invocationHeader());
  return trace?.sampled ? trace : undefined;
};

const HOST =
  /^(?:\d{1,3}(?:\.\d{1,3}){3}|[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*)$/;
const PORT = /^[1-9]\d{0,4}$/;

const hostAndPort = (host: string, port: string): DaemonAddress | undefined => {
  if (host.length > 253 || !HOST.test(host) || !PORT.test(port)) return undefined;
  if (/^[\d.]+$/.test(host) && host.split('.').some((octet) => Number(octet) > 255)) return undefined;
  const n = Number(port);
  return n >= 1 && n <= 65535 ? { host, port: n } : undefined;
};

/**
 * AWS_XRAY_DAEMON_ADDRESS: `host:port`, or `tcp:host:port udp:host:port` in either order (subsegments go
 * to the UDP one). Unset or blank is the default 127.0.0.1:2000; anything else malformed is undefined,
 * and nothing is sent.
 */
export const parseDaemonAddress = (value: string | undefined): DaemonAddress | undefined => {
  const text = value?.trim() ?? '';
  if (text === '') return DEFAULT_DAEMON;
  if (text.length > 600) return undefined;
  const parts = text.split(/\s+/);
  if (parts.length === 1) {
    const [host, port, ...rest] = text.split(':');
    return rest.length === 0 && host !== undefined && port !== undefined
      ? hostAndPort(host, port)
      : undefined;
  }
  if (parts.length !== 2) return undefined;
  const byProtocol = new Map(
    parts.map((part) => part.split(':')).map((fields) => [fields[0], fields] as const),
  );
  const udp = byProtocol.get('udp');
  const tcp = byProtocol.get('tcp');
  if (!udp || !tcp || udp.length !== 3 || tcp.length !== 3) return undefined;
  if (!hostAndPort(tcp[1] as string, tcp[2] as string)) return undefined;
  return hostAndPort(udp[1] as string, udp[2] as string);
};

let lastAddress:
  | { readonly value: string | undefined; readonly parsed: DaemonAddress | undefined }
  | undefined;
const daemonAddress = (): DaemonAddress | undefined => {
  const value = process.env.AWS_XRAY_DAEMON_ADDRESS;
  if (lastAddress === undefined || lastAddress.value !== value) {
    lastAddress = { value, parsed: parseDaemonAddress(value) };
  }
  return lastAddress.parsed;
};

/** A new 64-bit span id: 16 lowercase hex digits. */
export const newSpanId = (): string => randomBytes(8).toString('hex');

/** Epoch seconds with sub-millisecond precision. */
export const epochSeconds = (): number => (performance.timeOrigin + performance.now()) / 1000;

/** The daemon's datagram for `doc`; without its optional fields when too large; undefined if still too large. */
export const datagram = (doc: SubsegmentDocument): Buffer | undefined => {
  const named =
    doc.name.length > MAX_NAME_LENGTH ? { ...doc, name: doc.name.slice(0, MAX_NAME_LENGTH) } : doc;
  const full = Buffer.from(HEADER_LINE + JSON.stringify(named), 'utf8');
  if (full.length <= MAX_DATAGRAM_BYTES) return full;
  const { annotations: _a, aws: _aws, http: _http, ...essential } = named;
  const bare = Buffer.from(HEADER_LINE + JSON.stringify(essential), 'utf8');
  return bare.length <= MAX_DATAGRAM_BYTES ? bare : undefined;
};

let socket: Socket | undefined;
const udpSocket = (): Socket => {
  if (socket) return socket;
  const created = createSocket('udp4');
  created.on('error', () => {
    // A broken socket is replaced on the next send; the subsegment it failed on is lost.
    if (socket === created) socket = undefined;
    try {
      created.close();
    } catch {
      // already closed
    }
  });
  created.unref();
  socket = created;
  return created;
};

const ignore = () => {};

/** Sends `doc` to the daemon, fire and forget: never throws, never waits. */
export const sendSubsegment = (doc: SubsegmentDocument): void => {
  try {
    const address = daemonAddress();
    const message = address && datagram(doc);
    if (!address || !message) return;
    udpSocket().send(message, address.port, address.host, ignore);
  } catch (e) {
    // A socket closed under us is replaced; any other refusal only loses this subsegment.
    if ((e as { code?: unknown }).code === 'ERR_SOCKET_DGRAM_NOT_RUNNING') socket = undefined;
  }
};
