/**
 * The LRS simulator: a SOAP 1.1 server over mutual TLS serving LearnerService.svc,
 * LearnerServiceR9.svc and ExternalService.svc, with a stateful, deterministically seeded learner
 * register, background batch jobs and switchable operating conditions (out of hours, maintenance,
 * latency, failures, connection resets). Independent of the gateway's SOAP adapter on purpose.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { type CertificateSet, ensureCertificates } from './certs.js';
import type { Job, OpResult, SimState } from './context.js';
import { domainFaultXml, miapFaultXml, SOAP_ENV, unsupportedVerbXml, wcfFaultXml } from './faults.js';
import { completeDueJobs, handleLearnerService } from './learner-service.js';
import type { LearnerRecord } from './model.js';
import { createPrng, type Prng } from './prng.js';
import { LearnerRegister } from './register.js';
import { DEFAULT_SEED, type NotableLearner } from './seed.js';
import { completeDueAchievementJobs, handleWcf } from './wcf.js';
import { contentTypeProblem, mustUnderstandProblem, routeByAction } from './wcf-transport.js';
import { parseXml, type XmlEl, XmlParseError } from './xml.js';

export type { CertificateSet } from './certs.js';
export type { LearnerRecord } from './model.js';
export {
  DEFAULT_ORGANISATION,
  type NotableKey,
  type NotableLearner,
  notableLearner,
  notableLearners,
  SIMULATOR_ORGANISATIONS,
  type SimulatorOrganisation,
  verifiableLearners,
} from './seed.js';
export { isValidUln } from './uln.js';

export interface Conditions {
  /** Every request gets WSEC0004 (out of hours). */
  outOfHours: boolean;
  /** Every request gets the recorded `UnsupportedHttpVerb GET` fault (HTTP 500), as during LRS maintenance. */
  maintenance: boolean;
  /** Added before every answer, in ms. */
  latencyMs: number;
  /** Share of requests (0..1) answered with HTTP 500 without a SOAP body or 503 (alternately). */
  failureRate: number;
  /** Share of requests (0..1) whose connection is reset abruptly. */
  resetRate: number;
  /** When a reset happens: before the request is processed (default) or after (state changed, answer lost). */
  resetPhase: 'before' | 'after';
}

export const DEFAULT_CONDITIONS: Readonly<Conditions> = {
  outOfHours: false,
  maintenance: false,
  latencyMs: 0,
  failureRate: 0,
  resetRate: 0,
  resetPhase: 'before',
};

export interface SimulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 (default) = ephemeral. */
  port?: number;
  /** Certificates to use; otherwise made (once) in `certDir`. */
  certs?: CertificateSet;
  /** Default `<repo>/.local/simulator-certs`. */
  certDir?: string;
  /** How long a batch job runs (registration, verification, achievements), in ms. Default 2000. */
  batchDurationMs?: number;
  /** How long a demographic search allows registering the same person, in ms. Default 10 minutes. */
  registerSearchWindowMs?: number;
  /** After a possible-match search, the wait before registering is allowed, in ms. Default 0. */
  registerPossibleMinDelayMs?: number;
  /** Initial operating conditions. */
  conditions?: Partial<Conditions>;
  /** Seed of the learner register and of the condition draws. Default 20261126. */
  seed?: number;
  /** Number of generated plain learners. Default 3000. */
  bulkLearnerCount?: number;
  /**
   * First LearnerService batch job id, as decimal text (default '700001'). Job ids are xs:long: start
   * above 2^53 (e.g. '9007199254740993') to prove a client keeps every digit.
   */
  firstJobId?: string;
}

export interface RequestLogEntry {
  readonly at: string;
  readonly method: string;
  readonly path: string;
  readonly operation: string;
  readonly status: number;
  /** Response/fault code, `RESET`, `INJECTED` or `ADMIN`. No personal data. */
  readonly code?: string;
  readonly durationMs: number;
}

/** Timings that can be changed while running. */
export interface Timing {
  batchDurationMs: number;
  registerSearchWindowMs: number;
  registerPossibleMinDelayMs: number;
}

export interface SimulatorHandle {
  /** `https://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  readonly certs: CertificateSet;
  setConditions(c: Partial<Conditions>): void;
  resetConditions(): void;
  readonly conditions: Readonly<Conditions>;
  /** Back to the seeded register (learners, searches, jobs) and default conditions. */
  reset(): void;
  /** Changes timings for what happens next (jobs already submitted keep theirs). */
  setTiming(t: Partial<Timing>): void;
  /** Completes every submitted batch job now (as if its duration had passed). */
  finishJobs(): void;
  close(): Promise<void>;
  /** Copy of a learner record, or undefined. */
  learner(uln: string): LearnerRecord | undefined;
  /** ULNs registered since start or reset. */
  registeredUlns(): readonly string[];
  readonly learnerCount: number;
  readonly notable: readonly NotableLearner[];
  /** Requests served (newest last), ids and codes only. */
  requests(): readonly RequestLogEntry[];
  clearRequests(): void;
  /** Number of answered requests per operation name. */
  requestCount(operation?: string): number;
}

const SERVICES = {
  '/learnerservice.svc': 'learner',
  '/learnerservicer9.svc': 'r9',
  '/externalservice.svc': 'external',
} as const;
type ServiceKind = (typeof SERVICES)[keyof typeof SERVICES];

const SOAP12_ENV = 'http://www.w3.org/2003/05/soap-envelope';
const MAX_BODY = 10 * 1024 * 1024;
const XML_TYPE = 'text/xml; charset=utf-8';

/** Destroys the connection abruptly: a TCP RST on the underlying socket when possible. */
const abruptReset = (req: IncomingMessage): void => {
  const tls = req.socket as Socket & { _parent?: Socket };
  const raw = tls._parent ?? tls;
  try {
    raw.resetAndDestroy();
  } catch {
    tls.destroy();
  }
  tls.destroy();
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

const validateConditions = (c: unknown): Partial<Conditions> => {
  if (typeof c !== 'object' || c === null || Array.isArray(c))
    throw new Error('conditions must be a JSON object');
  const out: Partial<Conditions> = {};
  for (const [k, v] of Object.entries(c)) {
    switch (k) {
      case 'outOfHours':
      case 'maintenance':
        if (typeof v !== 'boolean') throw new Error(`${k} must be a boolean`);
        out[k] = v;
        break;
      case 'latencyMs':
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 120_000)
          throw new Error('latencyMs must be a number from 0 to 120000');
        out.latencyMs = v;
        break;
      case 'failureRate':
      case 'resetRate':
        if (typeof v !== 'number' || !(v >= 0 && v <= 1))
          throw new Error(`${k} must be a number from 0 to 1`);
        out[k] = v;
        break;
      case 'resetPhase':
        if (v !== 'before' && v !== 'after') throw new Error("resetPhase must be 'before' or 'after'");
        out.resetPhase = v;
        break;
      default:
        throw new Error(`unknown condition '${k}'`);
    }
  }
  return out;
};

const validateTiming = (t: unknown): Partial<Timing> => {
  if (typeof t !== 'object' || t === null || Array.isArray(t))
    throw new Error('timing must be a JSON object');
  const out: Partial<Timing> = {};
  for (const [k, v] of Object.entries(t)) {
    if (k !== 'batchDurationMs' && k !== 'registerSearchWindowMs' && k !== 'registerPossibleMinDelayMs') {
      throw new Error(`unknown timing '${k}'`);
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
      throw new Error(`${k} must be a non-negative integer`);
    out[k] = v;
  }
  return out;
};

/** Starts the simulator. */
export async function startSimulator(opts: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const certs =
    opts.certs ??
    ensureCertificates(opts.certDir ?? join(import.meta.dirname, '..', '.local', 'simulator-certs'));
  const seed = opts.seed ?? DEFAULT_SEED;
  const register = new LearnerRegister({
    seed,
    ...(opts.bulkLearnerCount !== undefined ? { bulkCount: opts.bulkLearnerCount } : {}),
    registerSearchWindowMs: opts.registerSearchWindowMs ?? 10 * 60_000,
    registerPossibleMinDelayMs: opts.registerPossibleMinDelayMs ?? 0,
  });
  const firstJobId = BigInt(opts.firstJobId ?? '700001');
  const state: SimState = {
    register,
    batchDurationMs: opts.batchDurationMs ?? 2000,
    jobs: new Map<string, Job<unknown, unknown>>(),
    nextJobId: firstJobId,
    nextAchievementJobId: 50_001,
  };
  let conditions: Conditions = { ...DEFAULT_CONDITIONS, ...validateConditions(opts.conditions ?? {}) };
  let rng: Prng = createPrng(seed ^ 0xc0ffee);
  let failureCount = 0;
  let log: RequestLogEntry[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const scheduleCompletion = () => {
    const t = setTimeout(() => {
      timers.delete(t);
      completeDueJobs(state);
      completeDueAchievementJobs(state);
    }, state.batchDurationMs + 5);
    t.unref();
    timers.add(t);
  };

  const initialTiming = {
    batchDurationMs: state.batchDurationMs,
    registerSearchWindowMs: register.options.registerSearchWindowMs,
    registerPossibleMinDelayMs: register.options.registerPossibleMinDelayMs,
  };
  const resetState = () => {
    state.batchDurationMs = initialTiming.batchDurationMs;
    register.options.registerSearchWindowMs = initialTiming.registerSearchWindowMs;
    register.options.registerPossibleMinDelayMs = initialTiming.registerPossibleMinDelayMs;
    register.reset();
    state.jobs.clear();
    state.nextJobId = firstJobId;
    state.nextAchievementJobId = 50_001;
    conditions = { ...DEFAULT_CONDITIONS };
    rng = createPrng(seed ^ 0xc0ffee);
    failureCount = 0;
  };

  const timing = (): Timing => ({
    batchDurationMs: state.batchDurationMs,
    registerSearchWindowMs: register.options.registerSearchWindowMs,
    registerPossibleMinDelayMs: register.options.registerPossibleMinDelayMs,
  });
  const setTiming = (t: Partial<Timing>) => {
    const v = validateTiming(t);
    if (v.batchDurationMs !== undefined) state.batchDurationMs = v.batchDurationMs;
    if (v.registerSearchWindowMs !== undefined)
      register.options.registerSearchWindowMs = v.registerSearchWindowMs;
    if (v.registerPossibleMinDelayMs !== undefined)
      register.options.registerPossibleMinDelayMs = v.registerPossibleMinDelayMs;
  };
  const finishJobs = () => {
    const now = Date.now();
    for (const job of state.jobs.values()) {
      if (job.output) continue;
      job.startAt = Math.min(job.startAt, now);
      job.finishAt = Math.min(job.finishAt, now);
    }
    completeDueJobs(state);
    completeDueAchievementJobs(state);
  };

  const send = (
    res: ServerResponse,
    status: number,
    body: string,
    type = XML_TYPE,
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...headers });
    res.end(body);
  };

  const admin = async (req: IncomingMessage, res: ServerResponse, path: string, body: string) => {
    const json = (status: number, v: unknown) => send(res, status, JSON.stringify(v), 'application/json');
    if (path === '/__admin/conditions' && req.method === 'GET') return json(200, conditions);
    if (path === '/__admin/conditions' && req.method === 'POST') {
      try {
        conditions = { ...conditions, ...validateConditions(JSON.parse(body || '{}')) };
        return json(200, conditions);
      } catch (e) {
        return json(400, { error: (e as Error).message });
      }
    }
    if (path === '/__admin/conditions/reset' && req.method === 'POST') {
      conditions = { ...DEFAULT_CONDITIONS };
      return json(200, conditions);
    }
    if (path === '/__admin/reset' && req.method === 'POST') {
      resetState();
      log = [];
      return json(200, { reset: true, learners: register.size });
    }
    if (path === '/__admin/jobs/finish' && req.method === 'POST') {
      finishJobs();
      return json(200, { finished: true });
    }
    if (path === '/__admin/timing' && req.method === 'POST') {
      try {
        setTiming(validateTiming(JSON.parse(body || '{}')));
        return json(200, timing());
      } catch (e) {
        return json(400, { error: (e as Error).message });
      }
    }
    if (path === '/__admin/timing' && req.method === 'GET') return json(200, timing());
    if (path === '/__admin/requests' && req.method === 'GET') return json(200, log);
    if (path === '/__admin/health' && req.method === 'GET')
      return json(200, { ok: true, learners: register.size, jobs: state.jobs.size });
    return json(404, { error: `no admin route ${req.method} ${path}` });
  };

  const serviceFault = (kind: ServiceKind, code: string, details: string) =>
    kind === 'learner' ? miapFaultXml({ code, furtherDetails: details }) : domainFaultXml(code);

  const dispatch = (kind: ServiceKind, req: IncomingMessage, body: string): OpResult => {
    const mediaProblem = contentTypeProblem(String(req.headers['content-type'] ?? ''));
    if (mediaProblem) return mediaProblem;
    let doc: XmlEl;
    try {
      doc = parseXml(body);
    } catch (e) {
      const msg = e instanceof XmlParseError ? e.message : String(e);
      if (kind === 'learner')
        return {
          status: 500,
          operation: 'unknown',
          code: 'WSEC0001',
          body: miapFaultXml({ code: 'WSEC0001', furtherDetails: msg }),
        };
      return { status: 400, operation: 'unknown', code: 'BadRequest', body: '' };
    }
    if (doc.local !== 'Envelope' || (doc.ns !== SOAP_ENV && doc.ns !== SOAP12_ENV)) {
      return {
        status: 500,
        operation: 'unknown',
        code: 'Client',
        body: wcfFaultXml('s:Client', 'The message is not a SOAP 1.1 envelope.'),
      };
    }
    if (doc.ns === SOAP12_ENV) {
      return {
        status: 500,
        operation: 'unknown',
        code: 'VersionMismatch',
        body: wcfFaultXml(
          's:VersionMismatch',
          `The envelope version of the incoming message (Soap12) does not match that of the encoder (Soap11). Make sure the binding is configured with the same version as the expected messages.`,
        ),
      };
    }
    const soapBody = doc.children.find((c) => c.local === 'Body' && c.ns === SOAP_ENV);
    const headerOk = doc.children.every(
      (c) => c.ns === SOAP_ENV && (c.local === 'Header' || c.local === 'Body'),
    );
    const payload = soapBody?.children;
    if (!soapBody || !headerOk || !payload || payload.length !== 1) {
      return {
        status: 500,
        operation: 'unknown',
        code: 'Client',
        body:
          kind === 'learner'
            ? miapFaultXml({
                code: 'WSEC0001',
                furtherDetails: 'The SOAP Body must contain exactly one request element.',
              })
            : wcfFaultXml('s:Client', 'The SOAP Body must contain exactly one request element.'),
      };
    }
    const request = payload[0] as XmlEl;
    const notUnderstood = mustUnderstandProblem(doc);
    if (notUnderstood) return notUnderstood;
    const route = routeByAction(kind, req.headers.soapaction, request);
    if ('fault' in route) return route.fault;
    if (kind === 'learner') return handleLearnerService(request, state);
    const op = route.op;
    const r = handleWcf(kind, op, request, state);
    if (/^Submit/.test(op) && r.status === 200) scheduleCompletion();
    return r;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const lower = path.toLowerCase();
    const record = (operation: string, status: number, code?: string) => {
      log.push({
        at: new Date(started).toISOString(),
        method: req.method ?? '',
        path,
        operation,
        status,
        ...(code ? { code } : {}),
        durationMs: Date.now() - started,
      });
      if (log.length > 10_000) log = log.slice(-5_000);
    };
    let body: string;
    try {
      body = await readBody(req);
    } catch {
      return;
    }
    if (lower.startsWith('/__admin/')) {
      await admin(req, res, lower, body);
      return;
    }
    const c = conditions;
    if (c.latencyMs > 0) await sleep(c.latencyMs);
    const resetNow = c.resetRate > 0 && rng.next() < c.resetRate;
    if (resetNow && c.resetPhase === 'before') {
      record('unknown', 0, 'RESET');
      abruptReset(req);
      return;
    }
    if (c.failureRate > 0 && rng.next() < c.failureRate) {
      failureCount++;
      if (failureCount % 2 === 1) {
        record('unknown', 500, 'INJECTED');
        send(res, 500, '', 'text/html');
      } else {
        record('unknown', 503, 'INJECTED');
        send(res, 503, '<html><body><h1>Service Unavailable</h1></body></html>', 'text/html', {
          'Retry-After': '1',
        });
      }
      return;
    }
    if (c.maintenance) {
      record('unknown', 500, 'UnsupportedHttpVerb');
      send(res, 500, unsupportedVerbXml('GET'));
      return;
    }
    const kind = SERVICES[lower as keyof typeof SERVICES];
    if (!kind) {
      record('unknown', 404);
      send(res, 404, '<html><body><h1>404 - File or directory not found.</h1></body></html>', 'text/html');
      return;
    }
    if (req.method !== 'POST') {
      record('unknown', 500, 'UnsupportedHttpVerb');
      send(res, 500, unsupportedVerbXml(req.method ?? 'GET'));
      return;
    }
    if (c.outOfHours) {
      record('unknown', 500, 'WSEC0004');
      send(res, 500, serviceFault(kind, 'WSEC0004', 'The service is closed at this time.'));
      return;
    }
    let r: OpResult;
    try {
      r = dispatch(kind, req, body);
    } catch {
      r = { status: 500, operation: 'unknown', code: 'InternalError', body: '' };
    }
    if (kind === 'learner' && r.status === 200 && /^submit/.test(r.operation)) scheduleCompletion();
    if (resetNow && c.resetPhase === 'after') {
      record(r.operation, 0, 'RESET');
      abruptReset(req);
      return;
    }
    record(r.operation, r.status, r.code);
    send(res, r.status, r.body, r.status === 415 ? 'text/plain' : r.status === 400 ? 'text/html' : XML_TYPE);
  };

  const server: Server = createServer(
    {
      key: certs.serverKey,
      cert: certs.serverCert,
      ca: certs.caCert,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    },
    (req, res) => {
      handle(req, res).catch(() => {
        if (!res.headersSent) send(res, 500, '', 'text/html');
        else res.destroy();
      });
    },
  );
  server.keepAliveTimeout = 5_000;
  server.on('tlsClientError', () => {
    /* refused at TLS: nothing to log */
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const host = opts.host ?? '127.0.0.1';

  return {
    url: `https://${host}:${port}`,
    port,
    certs,
    setConditions: (c) => {
      conditions = { ...conditions, ...validateConditions(c) };
    },
    resetConditions: () => {
      conditions = { ...DEFAULT_CONDITIONS };
    },
    get conditions() {
      return { ...conditions };
    },
    reset: () => {
      resetState();
      log = [];
    },
    setTiming,
    finishJobs,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    learner: (uln) => register.snapshot(uln),
    registeredUlns: () => [...register.registered],
    get learnerCount() {
      return register.size;
    },
    get notable() {
      return register.notable;
    },
    requests: () => [...log],
    clearRequests: () => {
      log = [];
    },
    requestCount: (operation) =>
      operation ? log.filter((e) => e.operation === operation).length : log.length,
  };
}
