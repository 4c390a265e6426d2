/**
 * The LRS SOAP client (the adapter behind LrsPort).
 *
 * Design: the request body is built from our contract (shared/lrs/soap/request.ts: exact order, namespaces,
 * escaping) and handed to the `soap` package as `{ _xml }`; soap provides the SOAP 1.1 envelope,
 * the SOAPAction and Content-Type headers; the HTTP exchange is ours (shared/lrs/soap/transport.ts, soap's
 * `httpClient` option): over our mutual-TLS keep-alive agent (shared/lrs/soap/tls.ts), no redirects, and
 * every answer read within limits of size, decompressed size and parse time. The response is parsed
 * once, by our own namespace-aware parser: soap's response-to-object step is switched off on our WSDL
 * instances (it would parse every response into objects we would throw away, and it runs regular
 * expressions over the whole body).
 *
 * Per process: the `soap` package, loaded on the first call (a function that never calls the LRS never
 * evaluates it, and the bundles of those functions leave it out), and one parsed WSDL per operation called
 * (lazy, from an in-memory string, only that operation's part of its service), both prepared while the
 * first call reads its credentials. Per organisation and credentials version: one keep-alive TLS agent,
 * and on it one soap client per operation called.
 * On a TLS or credential failure the cached credentials are invalidated and the call retried once.
 */
import type https from 'node:https';
import { performance } from 'node:perf_hooks';
import type * as Soap from 'soap';
import {
  type AppError,
  ConfigurationError,
  isAppError,
  LrsRejectedError,
  LrsUnavailableError,
  ValidationError,
} from '../../domain/errors.js';
import type { Outcome } from '../../domain/outcome.js';
import type { CredentialsSource, OrganisationCredentials } from '../../ports/credentials.js';
import type { LrsCallContext, LrsCallResult, LrsPort } from '../../ports/lrs.js';
import { toFieldIssues } from '../contract/field-issues.js';
import { OPERATIONS, type OperationId, SERVICES } from '../contract/operations.js';
import { outcomeFor, toOutcome } from '../contract/outcomes.js';
import { ANSWER_CODES, CREDENTIAL_CODES } from '../contract/rejections.js';
import type { OperationResponse } from '../contract/responses.js';
import { type OperationRequest, userNameSchema, validateRequest } from '../contract/schemas.js';
import { DEFAULT_SERVICE_HOURS, type ServiceHours } from '../contract/service-hours.js';
import { wsdlFor } from '../contract/wsdl.js';
import { faultToError, httpStatusError, safeCause, transportError } from './faults.js';
import { parseResponse } from './parse.js';
import { buildRequestBody } from './request.js';
import { type TlsConnection, tlsConnection } from './tls.js';
import { DEFAULT_RESPONSE_LIMITS, LrsHttpClient, TransportFailure } from './transport.js';
import { XmlLimitError } from './xml.js';

export interface LrsClientOptions {
  /** Base URL, e.g. https://ws.lrs.education.gov.uk (service paths are appended). */
  readonly endpoint: string;
  readonly credentials: CredentialsSource;
  /** Per-call deadline in milliseconds (default 20,000). */
  readonly timeoutMs?: number;
  /** LRS service hours, used for the Retry-After of WSEC0004 (default: see DEFAULT_SERVICE_HOURS). */
  readonly serviceHours?: ServiceHours;
  /** Clock, for tests. */
  readonly now?: () => Date;
  /** Largest answer accepted, on the wire and after decompression (bytes; default 8 MiB). */
  readonly maxResponseBytes?: number;
  /** Longest time parsing one answer may take (ms; default 2,000). */
  readonly maxParseMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 20_000;
export const DEFAULT_MAX_PARSE_MS = 2_000;

// ---------------------------------------------------------------- per-process soap and WSDL cache

let soapModule: Promise<typeof Soap> | undefined;
/** The soap package, evaluated on first use (a dynamic import stays lazy inside the bundle). */
const loadSoap = (): Promise<typeof Soap> => {
  soapModule ??= import('soap');
  return soapModule;
};

const wsdlCache = new Map<OperationId, Promise<Soap.WSDL>>();

/**
 * Our WSDL for one operation (transport form: its service, binding and SOAPAction, open-content elements),
 * parsed once per process; soap's response parsing replaced by a no-op. Most functions call one operation
 * (register-learner two), and on a cold start a one-operation WSDL parses in under half the time of its
 * whole service's (LearnerService).
 */
export const loadWsdl = (op: OperationId): Promise<Soap.WSDL> => {
  let p = wsdlCache.get(op);
  if (!p) {
    const { service } = OPERATIONS[op];
    p = loadSoap().then(
      (soap) =>
        new Promise<Soap.WSDL>((resolve, reject) => {
          // Open-content request elements: soap gets finished bodies, and parses this WSDL in half the time.
          const text = wsdlFor(service, undefined, { requests: 'any', operation: op });
          const wsdl = new soap.WSDL(text, `inline://lrs-gateway/${service}/${op}.wsdl`, {});
          wsdl.onReady((err: unknown) => {
            if (err) return reject(err);
            // We parse the raw response ourselves; a no-op here saves parsing every response twice.
            (wsdl as unknown as { xmlToObject: () => unknown }).xmlToObject = () => ({ Body: {} });
            resolve(wsdl);
          });
        }),
    );
    p.catch(() => wsdlCache.delete(op));
    wsdlCache.set(op, p);
  }
  return p;
};

/**
 * On a cold start, loads soap and parses the operation's WSDL while the first call waits for its credentials
 * (a network read): after the read has been sent, not before it. A failure here is left to the call itself.
 */
const prepareWsdl = (op: OperationId): void => {
  if (wsdlCache.has(op)) return;
  setImmediate(() => {
    loadWsdl(op).catch(() => undefined);
  });
};

// ---------------------------------------------------------------- per-organisation connections

interface Connection {
  readonly version: string;
  readonly tls: TlsConnection;
  readonly agent: https.Agent;
  /** One soap client per operation called (each on its operation's WSDL). */
  readonly clients: Map<OperationId, Promise<Soap.Client>>;
}

const destroyConnection = (conn: Connection | undefined): void => {
  conn?.agent.destroy();
};

/** A reused keep-alive socket was already closed by the server: nothing reached the LRS. */
class StaleSocketError extends Error {
  constructor(readonly mapped: AppError) {
    super('stale keep-alive socket');
  }
}

/** A reused keep-alive socket closed by the server before any answer: the request was not processed. */
const isStaleSocket = (err: unknown): boolean => {
  if (!(err instanceof TransportFailure) || !err.reusedSocket || err.answered) return false;
  const code = (err.cause as { code?: string } | undefined)?.code;
  return code === 'ECONNRESET' || code === 'EPIPE';
};

interface HttpMeta {
  readonly status?: number;
  readonly headers?: Record<string, unknown>;
}

interface RawAnswer {
  readonly status: number;
  readonly body: string;
  readonly retryAfter?: string;
}

/** The outcome of a parsed response (jobs still running are retry-later). */
export const outcomeOfResponse = <K extends OperationId>(op: K, response: OperationResponse<K>): Outcome => {
  const r = response as { responseCode?: string; status?: string };
  // An achievement job that is still queued or running: ask again later, whatever the code says.
  if (op === 'getAchievementBatch' && (r.status === 'Waiting' || r.status === 'InProgress')) {
    return toOutcome(outcomeFor('JOB_IN_PROGRESS'));
  }
  return toOutcome(outcomeFor(r.responseCode || 'OK'));
};

class LrsClient implements LrsPort {
  private readonly connections = new Map<string, Connection>();
  private readonly endpoint: string;
  private readonly timeoutMs: number;
  private readonly serviceHours: ServiceHours;
  private readonly now: () => Date;
  private exchange = 0;
  private readonly inFlight = new Map<string, { response?: HttpMeta | undefined }>();

  private readonly maxResponseBytes: number;
  private readonly maxParseMs: number;

  constructor(private readonly opts: LrsClientOptions) {
    let url: URL | undefined;
    try {
      url = new URL(opts.endpoint);
    } catch {
      url = undefined;
    }
    if (url?.protocol !== 'https:')
      throw new ConfigurationError('The LRS endpoint must be an https: URL (mutual TLS)');
    this.endpoint = opts.endpoint.replace(/\/+$/, '');
    this.maxResponseBytes = opts.maxResponseBytes ?? DEFAULT_RESPONSE_LIMITS.maxResponseBytes;
    this.maxParseMs = opts.maxParseMs ?? DEFAULT_MAX_PARSE_MS;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.serviceHours = opts.serviceHours ?? DEFAULT_SERVICE_HOURS;
    this.now = opts.now ?? (() => new Date());
  }

  async call<K extends OperationId>(
    op: K,
    request: OperationRequest<K>,
    ctx: LrsCallContext,
  ): Promise<LrsCallResult<K>> {
    // Pre-send validation: the request may come from a queue written by an older version.
    const req = validateRequest(op, request);
    if (ctx.userName !== undefined) {
      const u = userNameSchema.safeParse(ctx.userName);
      if (!u.success)
        throw new ValidationError(
          toFieldIssues(u.error, ctx.userName).map((i) => ({
            ...i,
            field: 'userName',
            message: i.message.replace('(request)', 'userName'),
          })),
        );
    }
    const started = performance.now();
    const reading = this.opts.credentials.get(ctx.organisationId);
    prepareWsdl(op);
    let credentials = await reading;
    try {
      const response = await this.once(op, req, ctx, credentials);
      return { outcome: outcomeOfResponse(op, response), response, durationMs: performance.now() - started };
    } catch (e) {
      if (!this.isCredentialProblem(e)) throw e;
      // The secret may have been rotated: reload it once and try again with a fresh TLS client.
      this.opts.credentials.invalidate(ctx.organisationId);
      this.drop(ctx.organisationId);
      credentials = await this.opts.credentials.get(ctx.organisationId);
      const response = await this.once(op, req, ctx, credentials);
      return { outcome: outcomeOfResponse(op, response), response, durationMs: performance.now() - started };
    }
  }

  private isCredentialProblem(e: unknown): boolean {
    return e instanceof LrsRejectedError && (e.lrsCode.startsWith('TLS_') || CREDENTIAL_CODES.has(e.lrsCode));
  }

  private drop(organisationId: string): void {
    destroyConnection(this.connections.get(organisationId));
    this.connections.delete(organisationId);
  }

  private connection(c: OrganisationCredentials): Connection {
    const existing = this.connections.get(c.organisationId);
    if (existing && existing.version === c.version) return existing;
    destroyConnection(existing);
    const tls = tlsConnection(c);
    const conn: Connection = { version: c.version, tls, agent: tls.agent, clients: new Map() };
    this.connections.set(c.organisationId, conn);
    return conn;
  }

  private client(conn: Connection, op: OperationId): Promise<Soap.Client> {
    let p = conn.clients.get(op);
    if (!p) {
      p = Promise.all([loadSoap(), loadWsdl(op)]).then(([soap, wsdl]) => {
        const client = new soap.Client(wsdl, `${this.endpoint}${SERVICES[OPERATIONS[op].service].path}`, {
          httpClient: new LrsHttpClient(conn.agent, {
            maxResponseBytes: this.maxResponseBytes,
            maxDecompressedBytes: this.maxResponseBytes,
          }),
        });
        // One listener per client (not per call): it hands the HTTP response (status, headers) to
        // the call that owns the exchange id, however many calls are in flight.
        client.on('response', (_body: unknown, res: HttpMeta | undefined, eid: string) => {
          const pending = this.inFlight.get(eid);
          if (pending) pending.response = res;
        });
        return client;
      });
      conn.clients.set(op, p);
    }
    return p;
  }

  private async once<K extends OperationId>(
    op: K,
    req: OperationRequest<K>,
    ctx: LrsCallContext,
    credentials: OrganisationCredentials,
  ): Promise<OperationResponse<K>> {
    const def = OPERATIONS[op];
    const body = buildRequestBody(op, req, {
      credentials,
      userName: ctx.userName ?? credentials.userName,
    });
    const conn = this.connection(credentials);
    const client = await this.client(conn, op);
    const answer = await this.send(client, conn, def.lrsName, body, def.mutating);
    const parsed = this.parse(op, answer.body);
    if (parsed.kind === 'response') {
      if (answer.status >= 300) throw httpStatusError(answer.status, answer.retryAfter);
      return parsed.response;
    }
    if (parsed.kind === 'fault')
      throw faultToError(parsed.fault, { now: this.now(), serviceHours: this.serviceHours });
    throw httpStatusError(answer.status, answer.retryAfter);
  }

  /** Parses within the time limit; a limit reached is a typed, non-retryable error. */
  private parse<K extends OperationId>(op: K, body: string): ReturnType<typeof parseResponse<K>> {
    try {
      return parseResponse(op, body, { deadline: performance.now() + this.maxParseMs });
    } catch (e) {
      if (!(e instanceof XmlLimitError)) throw e;
      throw new LrsRejectedError(
        e.limit === 'time' ? ANSWER_CODES.parseTime : ANSWER_CODES.tooLarge,
        e.limit === 'time'
          ? `Parsing the LRS answer took longer than ${this.maxParseMs} ms`
          : `The LRS answer is too large: ${e.message}`,
      );
    }
  }

  /**
   * Sends once; if a kept-alive socket turned out to be closed by the server (typical after a Lambda
   * freeze or an idle timeout), the request never reached the LRS, so it is sent again once on a
   * new connection. Not for an operation that changes the LRS: a reset on a reused socket may also be
   * the LRS dropping the connection after it processed the request, and sending it again would make the
   * change twice; the caller reconciles instead (shared/app/reconcile.ts).
   */
  private async send(
    client: Soap.Client,
    conn: Connection,
    method: string,
    body: string,
    mutating: boolean,
  ): Promise<RawAnswer> {
    try {
      return await this.sendOnce(client, conn, method, body);
    } catch (e) {
      if (!(e instanceof StaleSocketError)) throw e;
      if (mutating) throw e.mapped;
      return this.sendOnce(client, conn, method, body).catch((again: unknown) => {
        throw again instanceof StaleSocketError ? again.mapped : again;
      });
    }
  }

  private sendOnce(client: Soap.Client, conn: Connection, method: string, body: string): Promise<RawAnswer> {
    const agent = conn.agent;
    const exchangeId = `lrs-${++this.exchange}`;
    return new Promise<RawAnswer>((resolve, reject) => {
      const signal = AbortSignal.timeout(this.timeoutMs);
      const fn = (client as unknown as Record<string, (...a: unknown[]) => void>)[method];
      if (typeof fn !== 'function') {
        reject(new LrsRejectedError('UNKNOWN_OPERATION', `The WSDL has no operation ${method}`));
        return;
      }
      const pending: { response?: HttpMeta | undefined } = {};
      this.inFlight.set(exchangeId, pending);
      fn.call(
        client,
        { _xml: body },
        (err: unknown, _result: unknown, raw: unknown) => {
          this.inFlight.delete(exchangeId);
          if (err) {
            if (signal.aborted) reject(this.timeoutError(err));
            else if (isStaleSocket(err)) reject(new StaleSocketError(this.mapTransport(err)));
            else if (err instanceof TransportFailure && err.closedAfterTls13Handshake)
              this.classifyTls13Close(conn, err).then(reject, reject);
            else reject(this.mapTransport(err));
            return;
          }
          // soap passes our transport's answer as the raw body.
          const status = pending.response?.status ?? 200;
          const ra = pending.response?.headers?.['retry-after'];
          resolve({
            status,
            body: typeof raw === 'string' ? raw : '',
            ...(typeof ra === 'string' ? { retryAfter: ra } : {}),
          });
        },
        { timeout: this.timeoutMs, signal, exchangeId, httpsAgent: agent },
      );
    });
  }

  private timeoutError(cause: unknown): AppError {
    if (isAppError(cause)) return cause;
    const failure = cause instanceof TransportFailure ? cause : undefined;
    return new LrsUnavailableError(
      'TIMEOUT',
      `The LRS did not answer within ${this.timeoutMs} ms`,
      30,
      undefined,
      { cause: safeCause(failure?.cause ?? cause), mayHaveReached: failure?.mayHaveReached ?? true },
    );
  }

  /**
   * A new TLS 1.3 connection closed before any answer: a TLS 1.2 handshake (no request) tells a
   * refused client certificate from a plain reset.
   */
  private async classifyTls13Close(conn: Connection, err: TransportFailure): Promise<AppError> {
    const verdict = await conn.tls.probeClientCertificate(this.endpoint, Math.min(5_000, this.timeoutMs));
    if (verdict === 'refused') {
      return new LrsRejectedError(
        'TLS_CLIENT_CERTIFICATE_REJECTED',
        'The LRS refused our client certificate (closed after the TLS 1.3 handshake; refused again in a TLS 1.2 handshake)',
        undefined,
        { cause: safeCause(err.cause) },
      );
    }
    return this.mapTransport(err);
  }

  private mapTransport(err: unknown): AppError {
    if (isAppError(err)) return err;
    if (err instanceof TransportFailure)
      return transportError(err.cause, { mayHaveReached: err.mayHaveReached });
    return transportError(err);
  }
}

/** Creates the LRS adapter. Create it once per process (module scope) and reuse it. */
export function createLrsClient(opts: LrsClientOptions): LrsPort {
  return new LrsClient(opts);
}
