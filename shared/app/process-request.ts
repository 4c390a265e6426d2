/**
 * The one use case behind every path (HTTP, queue, bulk job): take the lease on the request id, call
 * the LRS (registerLearner searches first, see register-learner.ts), store the outcome and result (or
 * the failure), and return the stored record. Business outcomes are results; failures are recorded and
 * returned too, so each edge maps the same record to its own answer (an HTTP status, an SQS retry).
 *
 * Guarantees:
 * - At most one LRS call sequence per request id at a time (a lease in the results store); a request
 *   that COMPLETED, or FAILED for a reason a retry cannot fix, is returned as stored and never re-sent.
 * - With an idempotency key (scoped per caller and organisation) a repeat of the same request maps to the first
 *   request id; the same key with a different request is a ConflictError.
 */
import { createHash } from 'node:crypto';
import { ConflictError } from '../domain/errors.js';
import type { Outcome, OutcomeInfo } from '../domain/outcome.js';
import { OPERATIONS, type OperationId } from '../lrs/contract/operations.js';
import type { OperationRequest } from '../lrs/contract/schemas.js';
import type { AppLog } from '../observability/logger.js';
import type { AppMetrics } from '../observability/metrics.js';
import type { LrsPort } from '../ports/lrs.js';
import type { RequestSource, ResultsStore, StoredRequest, UnconfirmedNote } from '../ports/results-store.js';
import { canonicalJson } from './canonical-json.js';
import { failureFromError, failureOutcome } from './failures.js';
import { isAmbiguous, reconcileUpdate, uncheckable, unknownOutcome, updatedOutcome } from './reconcile.js';
import { registerTheLrsWay } from './register-learner.js';

/** Lease on an IN_PROGRESS request: longer than a function can run (30 s), so only a crashed worker loses it. */
export const DEFAULT_LEASE_SECONDS = 90;

export interface ProcessDependencies {
  readonly lrs: Pick<LrsPort, 'call'>;
  readonly store: ResultsStore;
  readonly outcomeFor: (code: string) => OutcomeInfo;
  readonly log: AppLog;
  readonly metrics: AppMetrics;
  readonly dataTtlDays: number;
  readonly leaseSeconds?: number;
  readonly now?: () => Date;
  /** Notes what the LRS said for the organisation (its status; see lrs-status.ts). Must not throw. */
  readonly noteLrsResult?: (organisationId: string, record: StoredRequest) => void;
}

export interface ProcessInput<K extends OperationId = OperationId> {
  readonly op: K;
  readonly request: OperationRequest<K>;
  readonly organisationId: string;
  readonly caller: string;
  readonly userName?: string;
  readonly requestId: string;
  readonly idempotencyKey?: string;
  readonly jobId?: string;
  readonly source: RequestSource;
  /**
   * The request id was made for this call and given to no one yet (an HTTP call without Idempotency-Key),
   * so no other worker can hold it. For an operation that changes nothing at the LRS, the lease is then
   * written while the LRS answers rather than before: one store round trip less on the caller's wait.
   */
  readonly freshRequestId?: boolean;
  /**
   * Called once this attempt's LRS calls are over (answered or failed), before the outcome is stored: a
   * caller that limits LRS calls in flight may start the next one while this one is written.
   */
  readonly onLrsDone?: () => void;
  /**
   * Awaited with the lease held, just before the first LRS call: a caller that limits LRS calls in flight
   * takes the lease of its next request while the current one's LRS call runs, and lets it call once its
   * turn comes. Resolving false means the call cannot start in time: the lease is given back (the request
   * reads PENDING again) and processRequest throws NotStartedError.
   */
  readonly lrsTurn?: () => Promise<boolean>;
}

export interface ProcessOutput {
  readonly record: StoredRequest;
  /** True when the record is the stored answer of an earlier attempt (no LRS call was made now). */
  readonly replayed: boolean;
}

/** The request id (or idempotency key) is being processed by another worker right now. */
export class RequestInFlightError extends ConflictError {
  constructor(
    readonly requestId: string,
    readonly retryAfterSeconds: number,
  ) {
    super('A request with this id or Idempotency-Key is still being processed; retry shortly');
  }
}

/** The lease was taken but the LRS call could not start in time; the lease was given back. */
export class NotStartedError extends Error {
  constructor(readonly requestId: string) {
    super('The LRS call was not started: too little time left; the request waits for another attempt');
    this.name = 'NotStartedError';
  }
}

export const requestHash = (op: OperationId, userName: string | undefined, request: unknown): string =>
  createHash('sha256')
    .update(canonicalJson({ op, userName: userName ?? null, request }))
    .digest('hex');

/** A stored record that a retry cannot change: COMPLETED, or FAILED for a non-retryable reason. */
export const isSettled = (r: StoredRequest): boolean =>
  r.status === 'COMPLETED' || (r.status === 'FAILED' && r.error?.retryable === false);

export async function processRequest<K extends OperationId>(
  deps: ProcessDependencies,
  input: ProcessInput<K>,
): Promise<ProcessOutput> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  const leaseSeconds = deps.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  const expiresAt = Math.floor(started.getTime() / 1000) + deps.dataTtlDays * 86_400;
  const hash = requestHash(input.op, input.userName, input.request);
  const logFields = {
    operation: input.op,
    organisationId: input.organisationId,
    caller: input.caller,
    source: input.source,
    jobId: input.jobId,
  };

  let requestId = input.requestId;
  if (input.idempotencyKey !== undefined) {
    const claim = await deps.store.claimIdempotencyKey({
      organisationId: input.organisationId,
      caller: input.caller,
      key: input.idempotencyKey,
      requestId,
      requestHash: hash,
      now: started,
      expiresAt,
    });
    if (!claim.claimed) {
      if (claim.requestHash !== hash) {
        deps.log.warn('Idempotency-Key reused with a different request', { ...logFields, requestId });
        throw new ConflictError('This Idempotency-Key was already used with a different request');
      }
      requestId = claim.requestId;
    }
  }

  const ctx = {
    organisationId: input.organisationId,
    requestId,
    ...(input.userName ? { userName: input.userName } : {}),
  };
  let lrsDurationMs = 0;
  // Set once a mutating call of this attempt may have reached the LRS without our hearing the answer.
  let unconfirmed: UnconfirmedNote | undefined;
  const call: LrsPort['call'] = async (op, req, c) => {
    try {
      const r = await deps.lrs.call(op, req, c);
      lrsDurationMs += Math.round(r.durationMs);
      return r;
    } catch (e) {
      if (OPERATIONS[op].mutating && isAmbiguous(e)) unconfirmed = { operation: op, at: now().toISOString() };
      throw e;
    }
  };
  const callLrs = async (
    previous: UnconfirmedNote | undefined,
  ): Promise<{ outcome: Outcome; result: unknown }> => {
    if (input.op === 'registerLearner') {
      return registerTheLrsWay(
        input.request as OperationRequest<'registerLearner'>,
        (op, req) => call(op, req, ctx),
        {
          unconfirmed: previous !== undefined,
          isAmbiguous,
        },
      );
    }
    if (input.op === 'updateLearner') {
      const update = input.request as OperationRequest<'updateLearner'>;
      const check = async () => {
        const state = await reconcileUpdate(update, (op, req) => call(op, req, ctx));
        return state === 'applied' ? updatedOutcome() : state === 'unknown' ? unknownOutcome() : undefined;
      };
      if (previous) {
        const known = await check();
        if (known) return known;
      }
      try {
        const r = await call('updateLearner', update, ctx);
        return { outcome: r.outcome, result: r.response };
      } catch (e) {
        if (!isAmbiguous(e)) throw e;
        const known = await check().catch(() => undefined);
        if (known) return known;
        throw e;
      }
    }
    if (previous && uncheckable(input.op, input.request)) return unknownOutcome();
    try {
      const r = await call(input.op, input.request, ctx);
      return { outcome: r.outcome, result: r.response };
    } catch (e) {
      if (isAmbiguous(e) && uncheckable(input.op, input.request)) return unknownOutcome();
      throw e;
    }
  };
  const overlap =
    input.freshRequestId &&
    input.idempotencyKey === undefined &&
    input.lrsTurn === undefined &&
    !OPERATIONS[input.op].mutating;
  const early = overlap
    ? callLrs(undefined).then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      )
    : undefined;

  const begun = await deps.store.begin({
    requestId,
    operation: input.op,
    organisationId: input.organisationId,
    caller: input.caller,
    source: input.source,
    request: input.request,
    requestHash: hash,
    now: started,
    leaseExpiresAt: started.getTime() + leaseSeconds * 1000,
    expiresAt,
    ...(input.userName ? { userName: input.userName } : {}),
    ...(input.jobId ? { jobId: input.jobId } : {}),
    ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
  });
  if (!begun.acquired) {
    // A lookup started alongside is not needed: let it end, so LRS calls in flight stay as counted.
    if (early) await early;
    const existing = begun.existing;
    if (!existing) {
      // The id is taken by a request of another operation or organisation.
      throw new ConflictError('This request id is already used by another request');
    }
    if (isSettled(existing)) {
      deps.log.info('Returning the stored answer', {
        ...logFields,
        requestId,
        status: existing.status,
        outcomeCode: existing.outcome?.code,
        replayed: true,
      });
      return { record: existing, replayed: true };
    }
    const leaseLeftMs = (existing.leaseExpiresAt ?? started.getTime()) - started.getTime();
    throw new RequestInFlightError(requestId, Math.max(1, Math.ceil(leaseLeftMs / 1000)));
  }

  const attempt = begun.record.attempts;
  if (input.lrsTurn && !(await input.lrsTurn())) {
    await deps.store.giveBack(requestId, attempt);
    deps.log.info('Lease given back: the LRS call could not start in time', {
      ...logFields,
      requestId,
      attempts: attempt,
    });
    throw new NotStartedError(requestId);
  }
  try {
    let answer: { outcome: Outcome; result: unknown };
    if (early) {
      const settled = await early;
      if (!settled.ok) throw settled.error;
      answer = settled.value;
    } else {
      answer = await callLrs(begun.record.unconfirmed);
    }
    input.onLrsDone?.();
    const { outcome, result } = answer;
    const record = await deps.store.complete(requestId, attempt, {
      outcome,
      result,
      completedAt: now(),
      lrsDurationMs,
    });
    deps.metrics.outcome(input.op, outcome.code, lrsDurationMs, outcome.class);
    deps.noteLrsResult?.(input.organisationId, record);
    deps.log.info('LRS request completed', {
      ...logFields,
      requestId,
      status: record.status,
      outcomeCode: outcome.code,
      outcomeClass: outcome.class,
      attempts: attempt,
      lrsDurationMs,
      totalDurationMs: now().getTime() - started.getTime(),
    });
    return { record, replayed: false };
  } catch (e) {
    input.onLrsDone?.();
    const error = failureFromError(e);
    const outcome = failureOutcome(error, deps.outcomeFor);
    const record = await deps.store.fail(requestId, attempt, {
      error,
      completedAt: now(),
      ...(unconfirmed ? { unconfirmed } : {}),
      ...(outcome ? { outcome } : {}),
      ...(lrsDurationMs > 0 ? { lrsDurationMs } : {}),
    });
    deps.metrics.failure(input.op, error.code, error.reason);
    deps.noteLrsResult?.(input.organisationId, record);
    const fields = {
      ...logFields,
      requestId,
      status: record.status,
      errorCode: error.code,
      errorName: e instanceof Error ? e.name : typeof e,
      lrsCode: error.lrsCode,
      reason: error.reason,
      retryable: error.retryable,
      retryAfterSeconds: error.retryAfterSeconds,
      invalidFields: error.issues?.map((i) => i.field),
      attempts: attempt,
      totalDurationMs: now().getTime() - started.getTime(),
    };
    if (error.code === 'INTERNAL' || error.code === 'CONFIGURATION') {
      deps.log.error('LRS request failed', fields);
    } else {
      deps.log.warn('LRS request failed', fields);
    }
    return { record, replayed: false };
  }
}
