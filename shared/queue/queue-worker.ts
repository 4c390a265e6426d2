/**
 * The SQS side of an operation function. Each message asks for one LRS request:
 * `{ requestId, operation, organisationId, caller?, userName?, request, jobId? }`.
 *
 * - A message that is not JSON or does not have that shape, or whose request fails validation, is
 *   recorded FAILED with the reason and acknowledged: a retry cannot fix it.
 * - A message for a request that already COMPLETED (or failed for good) is acknowledged without calling
 *   the LRS again (SQS delivers at least once).
 * - When the LRS is unavailable (or the LRS budget full, or the request in flight elsewhere) the failure
 *   is recorded and the message waits (retry-policy.ts): a fresh delayed copy carrying
 *   `retry` is sent and the original acknowledged, so waiting never burns a receive; the request reads
 *   WAITING and its job item says why. Only a wait past the longest allowed, or an unexpected error, is
 *   hidden and reported failed, so SQS redelivers it and after maxReceiveCount parks it in the DLQ (noted
 *   on the request and its job on the last delivery).
 * - A record the invocation has no time left to start is re-sent as a fresh message, not reported failed.
 * - A submit queue of an LRS batch operation also carries the polls of its output operation (queued by
 *   the bulk jobs, see shared/jobs/job-hooks.ts).
 * - Once a message's request is settled, `onSettled` lets its bulk job (if any) take note; it is called
 *   too, with `deadLettered: true`, for a message given up to the DLQ (its job shows it as stuck).
 * - A message whose request is in flight elsewhere is re-sent as a delayed copy (IN_FLIGHT) without a
 *   record change, and the original acknowledged.
 * - The lease is always written before the LRS call: a message can arrive twice, each copy on its first
 *   delivery, and the second must find the lease (or the stored answer) rather than ask the LRS again.
 * - Records line up for the LRS (QUEUE_RECORD_CONCURRENCY = n): n call it while up to n more get ready
 *   (envelope, sender, cancel check, lease), so a lease write is not on the line's path; a record gives up
 *   its turn once its LRS calls are over, so the next record's LRS call runs while this one's outcome is
 *   written. A record ready ahead holds its lease at most as long as the record ahead's LRS calls take
 *   (leases outlast any invocation). A record whose turn comes with too little time left gives its lease
 *   back and is re-sent unstarted. The invocation still answers only when every record's outcome is stored
 *   (or the record is reported failed), so no message is deleted before its outcome is durable.
 * - A record with the request id of an earlier record of the batch starts only once that one has ended
 *   (whatever the record concurrency), so it finds the stored answer instead of waiting out a lease.
 * The envelope is queue-message.ts; waiting, giving up and handing back are queue-wait.ts.
 * Powertools BatchProcessor reports each failed record in `batchItemFailures`
 * (the event source has ReportBatchItemFailures), so one bad message never fails its neighbours.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { failureFromError } from '../app/failures.js';
import {
  NotStartedError,
  type ProcessDependencies,
  processRequest,
  RequestInFlightError,
} from '../app/process-request.js';
import { ORGANISATION_ID_PATTERN } from '../config/runtime.js';
import { type FieldIssue, ForbiddenError, ValidationError } from '../domain/errors.js';
import { followUpOperations } from '../jobs/lrs-batch.js';
import { DEFAULT_JOB_SETTINGS } from '../jobs/settings.js';
import type { OperationId } from '../lrs/contract/operations.js';
import type { OperationRequest } from '../lrs/contract/schemas.js';
import type { StoredRequest } from '../ports/results-store.js';
import type { SenderCheck } from './queue-access.js';
import {
  envelopeIssues,
  prefixed,
  QUEUE_CALLER,
  type QueueMessage,
  queueMessageSchema,
  REQUEST_ID_PATTERN,
  safeJson,
  UNKNOWN_ORGANISATION,
} from './queue-message.js';
import {
  handBack,
  noteGivenUp,
  RetryLaterError,
  receiveCountOf,
  type WaitDependencies,
  waitFor,
} from './queue-wait.js';
import { deferral, type WaitReason } from './retry-policy.js';

export {
  QUEUE_CALLER,
  type QueueMessage,
  queueMessageSchema,
  REQUEST_ID_PATTERN,
  UNKNOWN_ORGANISATION,
} from './queue-message.js';
export { RetryLaterError } from './queue-wait.js';

export interface QueueDependencies extends ProcessDependencies, WaitDependencies {
  /** Whether the message's SQS sender may ask for it (queue-access.ts); the caller to record. */
  readonly checkSender: (
    record: SQSRecord,
    message: QueueMessage,
    op: OperationId,
    fallbackCaller: string,
  ) => Promise<SenderCheck>;
  readonly validate: <K extends OperationId>(op: K, input: unknown) => OperationRequest<K>;
  /**
   * Called before a bulk job's request goes to the LRS: true when its job was cancelled and the item was
   * settled CANCELLED instead (shared/jobs/cancel.ts); the message is then acknowledged.
   */
  readonly cancelGate?: (message: QueueMessage) => Promise<boolean>;
  /** Records of one event calling the LRS side by side (default here: all of them; deployed: 1). */
  readonly recordConcurrency?: number;
  /**
   * A record that would start, or call the LRS, with less time left than this (ms) does not: it is re-sent
   * as a fresh message (made visible again if the send fails), so the invocation ends before the function
   * timeout.
   */
  readonly minRemainingMs?: number;
}

/** Handles one SQS record; resolves when the message can be deleted, throws to have it redelivered. */
export const handleQueueRecord = async (
  op: OperationId,
  deps: QueueDependencies,
  record: SQSRecord,
  turn?: LrsTurn,
): Promise<StoredRequest | undefined> => {
  const now = deps.now ?? (() => new Date());
  const base = { operation: op, messageId: record.messageId, source: 'queue' };
  const expiresAt = () => Math.floor(now().getTime() / 1000) + deps.dataTtlDays * 86_400;

  // 1. The envelope.
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    body = undefined;
  }
  const envelope = body === undefined ? undefined : queueMessageSchema.safeParse(body);
  if (
    !envelope?.success ||
    (envelope.data.operation !== op && !followUpOperations(op).includes(envelope.data.operation))
  ) {
    const issues: FieldIssue[] =
      body === undefined
        ? [{ field: 'message', rule: 'json', message: 'message body must be a JSON document (rule: json)' }]
        : envelope && !envelope.success
          ? envelopeIssues(envelope.error)
          : [
              {
                field: 'message.operation',
                rule: 'operation',
                message: `message.operation must be ${op} on this queue (rule: operation)`,
              },
            ];
    // Keep the message's own ids when they are usable, so its sender can find the record.
    const raw = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const requestId =
      typeof raw.requestId === 'string' && REQUEST_ID_PATTERN.test(raw.requestId)
        ? raw.requestId
        : `sqs-${record.messageId}`;
    const organisationId =
      typeof raw.organisationId === 'string' && ORGANISATION_ID_PATTERN.test(raw.organisationId)
        ? raw.organisationId
        : UNKNOWN_ORGANISATION;
    const written = await deps.store.recordRejected({
      requestId,
      operation: op,
      organisationId,
      caller: QUEUE_CALLER,
      source: 'queue',
      error: failureFromError(new ValidationError(issues)),
      now: now(),
      expiresAt: expiresAt(),
    });
    deps.log.warn('Invalid queue message acknowledged', {
      ...base,
      requestId,
      organisationId,
      errorCode: 'VALIDATION_FAILED',
      invalidFields: issues.map((i) => i.field),
      status: written ? 'FAILED' : 'UNCHANGED',
    });
    return undefined;
  }
  const message = envelope.data;
  // The queue's operation, or a follow-up it carries (the poll of an LRS batch output).
  const msgOp: OperationId = message.operation;
  const source = message.jobId ? 'job' : 'queue';
  const ids = {
    ...base,
    operation: msgOp,
    source,
    requestId: message.requestId,
    organisationId: message.organisationId,
  };
  // Who sent it (SQS SenderId) and may they ask for it: refused ones are recorded and acknowledged.
  const sender = await deps.checkSender(record, message, msgOp, QUEUE_CALLER);
  if (!sender.ok) {
    const written = await deps.store.recordRejected({
      requestId: message.requestId,
      operation: msgOp,
      organisationId: message.organisationId,
      caller: sender.caller,
      source,
      error: failureFromError(new ForbiddenError(sender.reason)),
      now: now(),
      expiresAt: expiresAt(),
    });
    deps.log.warn('Queue message refused: sender may not ask for it', {
      ...ids,
      caller: sender.caller,
      senderId: record.attributes?.SenderId,
      errorCode: 'FORBIDDEN',
      status: written ? 'FAILED' : 'UNCHANGED',
    });
    return undefined;
  }
  const caller = sender.caller;
  const retrySettings = deps.retrySettings ?? DEFAULT_JOB_SETTINGS.retry;

  // A re-sent copy that arrived before the LRS is expected back: wait on, without calling it.
  const wait = deps.resend ? deferral(retrySettings, message.retry, now().getTime()) : undefined;
  if (wait && deps.resend) {
    await deps.resend(record, JSON.stringify({ ...message, retry: wait.retry }), wait.delaySeconds);
    deps.log.info('Queue message re-sent to wait for the LRS', {
      ...ids,
      attempts: wait.retry.resends,
      retryAfterSeconds: wait.delaySeconds,
    });
    return undefined;
  }

  // 2. The request itself, validated exactly like the HTTP body.
  let request: OperationRequest<typeof msgOp>;
  try {
    request = deps.validate(msgOp, message.request);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    const failure = failureFromError(new ValidationError(prefixed('request', e.issues)));
    const begun = await deps.store.begin({
      requestId: message.requestId,
      operation: msgOp,
      organisationId: message.organisationId,
      caller,
      source,
      now: now(),
      leaseExpiresAt: now().getTime() + 30_000,
      expiresAt: expiresAt(),
      ...(message.jobId ? { jobId: message.jobId } : {}),
    });
    if (begun.acquired) {
      const failed = await deps.store.fail(message.requestId, begun.record.attempts, {
        error: failure,
        completedAt: now(),
      });
      await deps.onSettled?.({ message, record, stored: failed });
    }
    deps.log.warn('Queue message with an invalid request acknowledged', {
      ...ids,
      errorCode: failure.code,
      invalidFields: failure.issues?.map((i) => i.field),
    });
    return undefined;
  }

  // 3. The use case (unless the request's job was cancelled before it was sent).
  if (message.jobId && (await deps.cancelGate?.(message))) return undefined;
  let out: Awaited<ReturnType<typeof processRequest>>;
  try {
    out = await processRequest(deps, {
      op: msgOp,
      request,
      organisationId: message.organisationId,
      caller,
      requestId: message.requestId,
      source,
      ...(turn ? { lrsTurn: turn.take, onLrsDone: turn.done } : {}),
      ...(message.userName ? { userName: message.userName } : {}),
      ...(message.jobId ? { jobId: message.jobId } : {}),
    });
  } catch (e) {
    if (e instanceof NotStartedError) {
      await handBack(deps, record);
      return undefined;
    }
    if (e instanceof RequestInFlightError) {
      // Another worker holds the lease (a duplicate delivery): come back once it has run out.
      await waitFor(deps, record, message, undefined, {
        reason: 'IN_FLIGHT',
        retryAfterSeconds: e.retryAfterSeconds,
        lrsAttempted: false,
      });
      return undefined;
    }
    throw e;
  }
  const stored = out.record;
  if (stored.status === 'FAILED' && stored.error?.retryable) {
    const rateLimited = stored.error.code === 'RATE_LIMITED';
    const reason: WaitReason | undefined = rateLimited ? 'RATE_LIMITED' : stored.error.reason;
    await waitFor(deps, record, message, stored, {
      ...(reason ? { reason } : {}),
      ...(stored.error.retryAfterSeconds !== undefined
        ? { retryAfterSeconds: stored.error.retryAfterSeconds }
        : {}),
      lrsAttempted: !rateLimited,
    });
    return stored;
  }
  await deps.onSettled?.({ message, record, stored });
  return stored;
};

/** A record's place in the invocation's line for the LRS. */
export interface LrsTurn {
  /** Resolves once the record may call the LRS: false when too little time is left to start it now. */
  readonly take: () => Promise<boolean>;
  /** The record's LRS calls are over: the next record in line may take its turn. */
  readonly done: () => void;
}

/** At most `limit` holders at once; the others wait their turn, in order. */
const slots = (limit: number) => {
  let free = limit;
  const waiting: Array<() => void> = [];
  return {
    take: async (): Promise<void> => {
      if (free > 0) free--;
      else await new Promise<void>((resolve) => waiting.push(resolve));
    },
    // A leaving holder hands its slot straight to the next waiting one.
    give: (): void => {
      const next = waiting.shift();
      if (next) next();
      else free++;
    },
  };
};

/**
 * `work` for each record with at most `limit` records calling the LRS and at most `limit` more getting
 * ready behind them. `work` gets no turn when `canStart` says the record may not start at all; `turn.take`
 * waits for an LRS slot and asks `canStart` again. A record with the request id of an earlier, unfinished
 * record of the invocation starts after that one has ended.
 */
const lineUp = <R>(
  limit: number,
  canStart: () => boolean,
  work: (record: SQSRecord, turn: LrsTurn | undefined) => Promise<R | undefined>,
): ((record: SQSRecord) => Promise<R | undefined>) => {
  const ready = slots(limit);
  const calling = slots(limit);
  const unfinished = new Map<string, Promise<void>>();
  return async (record) => {
    const raw = safeJson(record.body) as { requestId?: unknown } | undefined;
    const id = typeof raw?.requestId === 'string' ? raw.requestId : undefined;
    const earlier = id === undefined ? undefined : unfinished.get(id);
    let ended = () => {};
    const end = new Promise<void>((resolve) => {
      ended = resolve;
    });
    if (id !== undefined) unfinished.set(id, end);
    try {
      if (earlier) await earlier;
      await ready.take();
      let isReady = true;
      let isCalling = false;
      const leaveReady = () => {
        if (isReady) ready.give();
        isReady = false;
      };
      const turn: LrsTurn = {
        take: async () => {
          await calling.take();
          isCalling = true;
          leaveReady();
          if (canStart()) return true;
          turn.done();
          return false;
        },
        done: () => {
          if (isCalling) calling.give();
          isCalling = false;
        },
      };
      try {
        return await work(record, canStart() ? turn : undefined);
      } finally {
        turn.done();
        leaveReady();
      }
    } finally {
      ended();
      if (id !== undefined && unfinished.get(id) === end) unfinished.delete(id);
    }
  };
};

/**
 * One record; an unexpected error (a bug, a poison message) is rethrown so SQS delivers the message
 * again, and on its last delivery the DLQ move is noted on its request and job first.
 */
const handleWithGiveUp = async (
  op: OperationId,
  deps: QueueDependencies,
  record: SQSRecord,
  turn?: LrsTurn,
): Promise<StoredRequest | undefined> => {
  try {
    return await handleQueueRecord(op, deps, record, turn);
  } catch (e) {
    const settings = deps.retrySettings ?? DEFAULT_JOB_SETTINGS.retry;
    if (!(e instanceof RetryLaterError) && receiveCountOf(record) >= settings.maxReceiveCount) {
      const parsed = queueMessageSchema.safeParse(safeJson(record.body));
      if (parsed.success) {
        await noteGivenUp(deps, record, parsed.data, undefined, {
          errorCode: 'INTERNAL',
          message: `Gave up after ${receiveCountOf(record)} deliveries: the message could not be processed`,
        });
      }
    }
    throw e;
  }
};

/**
 * The SQS handler of an operation: partial batch responses via Powertools BatchProcessor, at most
 * `recordConcurrency` records at a time.
 */
export const handleQueueEvent = async (
  op: OperationId,
  deps: QueueDependencies,
  event: SQSEvent,
  context: Context,
): Promise<SQSBatchResponse> => {
  // A processor per invocation: it holds per-batch state.
  const processor = new BatchProcessor(EventType.SQS);
  const limit = deps.recordConcurrency ?? event.Records.length;
  const timeLeft = () =>
    deps.minRemainingMs === undefined || context.getRemainingTimeInMillis() >= deps.minRemainingMs;
  // Every record goes through the line, also when all of them may run at once: copies of one request in
  // the batch still run one after the other (the later one finds the stored answer).
  const run = lineUp(limit, timeLeft, async (record: SQSRecord, turn: LrsTurn | undefined) => {
    if (!turn) {
      await handBack(deps, record);
      return undefined;
    }
    return handleWithGiveUp(op, deps, record, turn);
  });
  return processPartialResponse(event, run, processor, {
    context,
    throwOnFullBatchFailure: false,
  });
};

/** The queue URL of an SQS record, when the configured URL of the operation's queue matches its ARN. */
export const queueUrlFor = (record: SQSRecord, configuredUrl: string | undefined): string | undefined => {
  if (!configuredUrl) return undefined;
  const queueName = record.eventSourceARN?.split(':').pop();
  const urlName = configuredUrl.split('/').pop();
  return queueName && queueName === urlName ? configuredUrl : undefined;
};
