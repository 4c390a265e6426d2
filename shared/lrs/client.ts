/**
 * The LRS SOAP client (the adapter behind LrsPort).
 *
 * Design: the request body is built from our contract (shared/lrs/request.ts: exact order, namespaces,
 * escaping) and handed to the `soap` package as `{ _xml }`; soap provides the SOAP 1.1 envelope,
 * the SOAPAction and Content-Type headers and HTTP (axios), over our mutual-TLS keep-alive agent
 * (in-memory key/cert or PFX, always Buffers). The response is parsed once, by our
 * own namespace-aware parser: soap's response-to-object step is switched off on our WSDL instances
 * (it would parse every response into objects we would throw away, and its serialiser is the one
 * that qualified LearnerService children and ignored the XSD facets).
 *
 * Per process: one parsed WSDL per service (lazy, from an in-memory string). Per organisation and
 * credentials version: one keep-alive TLS agent and one soap client per service.
 * On a TLS or credential failure the cached credentials are invalidated and the call retried once.
 */
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { createSecureContext, type SecureContext } from 'node:tls';
import * as soap from 'soap';
import {
  type AppError,
  isAppError,
  LrsRejectedError,
  LrsUnavailableError,
  ValidationError,
} from '../domain/errors.js';
import type { Outcome } from '../domain/outcome.js';
import type { CredentialsSource, OrganisationCredentials } from '../ports/credentials.js';
import type { LrsCallContext, LrsCallResult, LrsPort } from '../ports/lrs.js';
import { wsdlFor } from './contract/wsdl.js';
import {
  CREDENTIAL_CODES,
  DEFAULT_SERVICE_HOURS,
  faultToError,
  httpStatusError,
  type ServiceHours,
  safeCause,
  transportError,
} from './faults.js';
import { type LrsServiceName, OPERATIONS, type OperationId, SERVICES } from './operations.js';
import { outcomeFor, toOutcome } from './outcomes.js';
import { parseResponse } from './parse.js';
import { buildRequestBody } from './request.js';
import type { OperationResponse } from './responses.js';
import { type OperationRequest, toFieldIssues, userNameSchema, validateRequest } from './schemas.js';

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
}

export const DEFAULT_TIMEOUT_MS = 20_000;

// ---------------------------------------------------------------- per-process WSDL cache

const wsdlCache = new Map<LrsServiceName, Promise<soap.WSDL>>();

/** Our WSDL for a service (transport form), parsed once per process; soap's response parsing replaced by a no-op. */
export const loadWsdl = (service: LrsServiceName): Promise<soap.WSDL> => {
  let p = wsdlCache.get(service);
  if (!p) {
    p = new Promise<soap.WSDL>((resolve, reject) => {
      // Open-content request elements: soap gets finished bodies, and parses this WSDL in half the time.
      const text = wsdlFor(service, undefined, { requests: 'any' });
      const wsdl = new soap.WSDL(text, `inline://lrs-gateway/${service}.wsdl`, {});
      wsdl.onReady((err: unknown) => {
        if (err) return reject(err);
        // We parse the raw response ourselves; a no-op here saves parsing every response twice.
        (wsdl as unknown as { xmlToObject: () => unknown }).xmlToObject = () => ({ Body: {} });
        resolve(wsdl);
      });
    });
    p.catch(() => wsdlCache.delete(service));
    wsdlCache.set(service, p);
  }
  return p;
};

// ---------------------------------------------------------------- per-organisation connections

interface Connection {
  readonly version: string;
  readonly agent: https.Agent;
  readonly clients: Map<LrsServiceName, Promise<soap.Client>>;
}

/**
 * The TLS agent of one organisation: its client certificate held in memory (Buffers: soap's
 * ClientSSLSecurity reads a string as a file path), the server certificate always verified (optional
 * CA bundle for test environments), keep-alive. Passed to soap's HTTP client per call as `httpsAgent`
 * rather than through ClientSSLSecurity, which builds its agent from the first call's options and
 * would bind that call's abort signal to every later connection.
 *
 * The key material is loaded once, into one TLS context that every connection of the agent shares: it
 * fails early, with a typed error, when the key/certificate/PFX cannot be loaded at all, and a new
 * connection (cold start, fan-out, a replaced stale socket) does not parse the private key again.
 */
const tlsAgent = (c: OrganisationCredentials): https.Agent => {
  const cert =
    c.certificate.kind === 'pem'
      ? {
          key: Buffer.from(c.certificate.key),
          cert: Buffer.from(c.certificate.cert),
          ...(c.certificate.passphrase ? { passphrase: c.certificate.passphrase } : {}),
        }
      : { pfx: Buffer.from(c.certificate.pfx), passphrase: c.certificate.passphrase };
  let secureContext: SecureContext;
  try {
    secureContext = createSecureContext({
      ...cert,
      ...(c.serverCa ? { ca: Buffer.from(c.serverCa) } : {}),
      // TLS 1.2, as the known live clients pin it. With 1.2 the server checks our certificate inside
      // the handshake, so a refused certificate is a clear TLS alert (not retryable) instead of the
      // connection reset TLS 1.3 gives after a handshake that looked successful.
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
    });
  } catch (e) {
    throw transportError(e);
  }
  return new https.Agent({ secureContext, keepAlive: true, rejectUnauthorized: true });
};

const destroyConnection = (conn: Connection | undefined): void => {
  conn?.agent.destroy();
};

/** A reused keep-alive socket was already closed by the server: nothing reached the LRS. */
class StaleSocketError extends Error {
  constructor(readonly mapped: AppError) {
    super('stale keep-alive socket');
  }
}

const isStaleSocket = (err: unknown): boolean => {
  const e = err as {
    code?: string;
    response?: unknown;
    // axios follows redirects through a wrapper; the ClientRequest is its _currentRequest.
    request?: { reusedSocket?: boolean; _currentRequest?: { reusedSocket?: boolean } };
  };
  const reused = e?.request?._currentRequest?.reusedSocket ?? e?.request?.reusedSocket;
  return reused === true && e.response === undefined && (e.code === 'ECONNRESET' || e.code === 'EPIPE');
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

  constructor(private readonly opts: LrsClientOptions) {
    this.endpoint = opts.endpoint.replace(/\/+$/, '');
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
    let credentials = await this.opts.credentials.get(ctx.organisationId);
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
    const conn: Connection = { version: c.version, agent: tlsAgent(c), clients: new Map() };
    this.connections.set(c.organisationId, conn);
    return conn;
  }

  private client(conn: Connection, service: LrsServiceName): Promise<soap.Client> {
    let p = conn.clients.get(service);
    if (!p) {
      p = loadWsdl(service).then((wsdl) => {
        const client = new soap.Client(wsdl, `${this.endpoint}${SERVICES[service].path}`);
        // One listener per client (not per call): it hands the HTTP response (status, headers) to
        // the call that owns the exchange id, however many calls are in flight.
        client.on('response', (_body: unknown, res: HttpMeta | undefined, eid: string) => {
          const pending = this.inFlight.get(eid);
          if (pending) pending.response = res;
        });
        return client;
      });
      conn.clients.set(service, p);
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
    const client = await this.client(conn, def.service);
    const answer = await this.send(client, conn.agent, def.lrsName, body, def.mutating);
    const parsed = parseResponse(op, answer.body);
    if (parsed.kind === 'response') {
      if (answer.status >= 300) throw httpStatusError(answer.status, answer.retryAfter);
      return parsed.response;
    }
    if (parsed.kind === 'fault')
      throw faultToError(parsed.fault, { now: this.now(), serviceHours: this.serviceHours });
    throw httpStatusError(answer.status, answer.retryAfter);
  }

  /**
   * Sends once; if a kept-alive socket turned out to be closed by the server (typical after a Lambda
   * freeze or an idle timeout), the request never reached the LRS, so it is sent again once on a
   * new connection. Not for an operation that changes the LRS: a reset on a reused socket may also be
   * the LRS dropping the connection after it processed the request, and sending it again would make the
   * change twice; the caller reconciles instead (shared/app/reconcile.ts).
   */
  private async send(
    client: soap.Client,
    agent: https.Agent,
    method: string,
    body: string,
    mutating: boolean,
  ): Promise<RawAnswer> {
    try {
      return await this.sendOnce(client, agent, method, body);
    } catch (e) {
      if (!(e instanceof StaleSocketError)) throw e;
      if (mutating) throw e.mapped;
      return this.sendOnce(client, agent, method, body).catch((again: unknown) => {
        throw again instanceof StaleSocketError ? again.mapped : again;
      });
    }
  }

  private sendOnce(
    client: soap.Client,
    agent: https.Agent,
    method: string,
    body: string,
  ): Promise<RawAnswer> {
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
            else reject(this.mapTransport(err));
            return;
          }
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
    return new LrsUnavailableError(
      'TIMEOUT',
      `The LRS did not answer within ${this.timeoutMs} ms`,
      30,
      undefined,
      {
        cause: safeCause(cause),
      },
    );
  }

  private mapTransport(err: unknown): AppError {
    if (isAppError(err)) return err;
    return transportError(err);
  }
}

/** Creates the LRS adapter. Create it once per process (module scope) and reuse it. */
export function createLrsClient(opts: LrsClientOptions): LrsPort {
  return new LrsClient(opts);
}
