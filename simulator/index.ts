/**
 * The LRS simulator: a SOAP 1.1 server over mutual TLS serving LearnerService.svc,
 * LearnerServiceR9.svc and ExternalService.svc, with a stateful, deterministically seeded learner
 * register, background batch jobs and switchable operating conditions (out of hours, maintenance,
 * latency, failures, connection resets). Independent of the gateway's SOAP adapter on purpose.
 * This module starts the server and applies the operating conditions in order; the SOAP checks are in
 * soap-dispatch.ts, the admin endpoint in admin.ts, the conditions in conditions.ts.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { type AdminControl, admin } from './admin.js';
import { type CertificateSet, ensureCertificates } from './certs.js';
import {
  type Conditions,
  DEFAULT_CONDITIONS,
  type Timing,
  validateConditions,
  validateTiming,
} from './conditions.js';
import type { Job, OpResult, SimState } from './context.js';
import { domainFaultXml, miapFaultXml, unsupportedVerbXml } from './faults.js';
import { abruptReset, readBody, send, sleep, XML_TYPE } from './http.js';
import { completeDueJobs } from './learner-service.js';
import type { LearnerRecord } from './model.js';
import { createPrng, type Prng } from './prng.js';
import { LearnerRegister } from './register.js';
import { DEFAULT_SEED, type NotableLearner } from './seed.js';
import { dispatchSoap } from './soap-dispatch.js';
import { completeDueAchievementJobs } from './wcf.js';
import type { ServiceKind } from './wcf-transport.js';

export type { CertificateSet } from './certs.js';
export { type Conditions, DEFAULT_CONDITIONS, type Timing } from './conditions.js';
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

const SERVICES: Readonly<Record<string, ServiceKind>> = {
  '/learnerservice.svc': 'learner',
  '/learnerservicer9.svc': 'r9',
  '/externalservice.svc': 'external',
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

  const serviceFault = (kind: ServiceKind, code: string, details: string) =>
    kind === 'learner' ? miapFaultXml({ code, furtherDetails: details }) : domainFaultXml(code);

  const control: AdminControl = {
    get conditions() {
      return conditions;
    },
    set conditions(c: Conditions) {
      conditions = c;
    },
    resetConditions: () => {
      conditions = { ...DEFAULT_CONDITIONS };
    },
    reset: () => {
      resetState();
      log = [];
    },
    finishJobs,
    timing,
    setTiming,
    requests: () => log,
    health: () => ({ learners: register.size, jobs: state.jobs.size }),
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
      admin(control, req, res, lower, body);
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
    const kind = SERVICES[lower];
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
      r = dispatchSoap(kind, req.headers, body, state);
    } catch {
      r = { status: 500, operation: 'unknown', code: 'InternalError', body: '' };
    }
    // A submitted batch job is completed by a timer when its time is up.
    if (r.status === 200 && /^submit/i.test(r.operation)) scheduleCompletion();
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
