/**
 * The SQS side of an operation function. Each message asks for one LRS request:
 * `{ requestId, operation, organisationId, caller?, userName?, request, jobId? }`.
 *
 * - A message that is not JSON or does not have that shape, or whose request fails validation, is
 *   recorded FAILED with the reason and acknowledged: a retry cannot fix it.
 * - A message for a request that already COMPLETED (or failed for good) is acknowledged without calling
 *   the LRS again (SQS delivers at least once).
 * - When the LRS is unavailable (or the LRS budget full, or the request in flight elsewhere) the failure
 *   is recorded and the message waits (shared/jobs/retry-policy.ts): a fresh delayed copy carrying
 *   `retry` is sent and the original acknowledged, so waiting never burns a receive; the request reads
 *   WAITING and its job item says why. Only a wait past the longest allowed, or an unexpected error, is
 *   hidden and reported failed, so SQS redelivers it and after maxReceiveCount parks it in the DLQ (noted
 *   on the request and its job on the last delivery).
 * - A record the invocation has no time left to start is re-sent as a fresh message, not reported failed.
 * - A submit queue of an LRS batch operation also carries the polls of its output operation (queued by
 *   the bulk jobs, see shared/jobs/job-hooks.ts).
 * - Once a message's request is settled, `onSettled` lets its bulk job (if any) take note; it is called
 *   too, with `deadLettered: true`, for a message given up to the DLQ (its job shows it as stuck).
 * - A message whose request is in flight elsewhere is reported failed without a record change.
 * Powertools BatchProcessor reports each failed record in `batchItemFailures`
 * (the event source has ReportBatchItemFailures), so one bad message never fails its neighbours.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { failureFromError } from '../app/failures.js';
import { type ProcessDependencies, processRequest, RequestInFlightError } from '../app/process-request.js';
import { ORGANISATION_ID_PATTERN } from '../config/runtime.js';
import { type FieldIssue, ForbiddenError, ValidationError } from '../domain/errors.js';
import { USER_NAME_PATTERN } from '../http/http-input.js';
import type { SettledEvent } from '../jobs/job-hooks.js';
import { followUpOperations } from '../jobs/lrs-batch.js';
import { DEFAULT_JOB_SETTINGS, type RetrySettings } from '../jobs/settings.js';
import type { OperationId } from '../lrs/contract/operations.js';
import { OPERATION_IDS } from '../lrs/contract/operations.js';
import type { OperationRequest } from '../lrs/contract/schemas.js';
import type { AppLog } from '../observability/logger.js';
import type { DeadLetterNote, StoredRequest } from '../ports/results-store.js';
import type { SenderCheck } from './queue-access.js';
import { backoffSeconds, decideRetry, deferral, type WaitReason } from './retry-policy.js';

/** Request ids: UUIDs or other opaque ids of safe characters. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
/** Caller recorded for messages that do not name one. */
export const QUEUE_CALLER = 'queue';
/** Organisation recorded for a message too broken to name a valid one. */
export const UNKNOWN_ORGANISATION = 'unknown';
/** Longest visibility timeout SQS accepts (12 hours). */
const MAX_VISIBILITY_SECONDS = 43_200;

export const queueMessageSchema = z
  .object({
    requestId: z.string().regex(REQUEST_ID_PATTERN).describe('Id the result is stored and read under'),
    operation: z.enum(OPERATION_IDS).describe('Must be the operation of the queue'),
    organisationId: z.string().regex(ORGANISATION_ID_PATTERN).describe('UKPRN or organisation reference'),
    caller: z
      .string()
      .min(1)
      .max(2048)
      .optional()
      .describe('Who asked (API key id, IAM principal, job owner)'),
    userName: z.string().regex(USER_NAME_PATTERN).optional().describe('LRS UserName (1-35 characters)'),
    request: z.unknown().describe("The operation's JSON request, as on the HTTP API"),
    jobId: z.string().min(1).max(128).optional().describe('The bulk job this request belongs to'),
    retry: z
      .object({
        resends: z.number().int().min(0).describe('Delayed copies re-sent so far'),
        notBefore: z
          .number()
          .int()
          .optional()
          .describe('Epoch ms before which the LRS is not expected to answer'),
        attempts: z
          .number()
          .int()
          .min(0)
          .optional()
          .describe('LRS attempts that failed for a transient reason'),
        since: z.number().int().optional().describe('Epoch ms of the first failed attempt of this wait'),
        reason: z.string().max(32).optional().describe('Why the message waits'),
      })
      .strict()
      .optional()
      .describe('Set by the gateway on a copy it re-sent to wait for the LRS'),
  })
  .strict();

export type QueueMessage = z.output<typeof queueMessageSchema>;

export interface QueueDependencies extends ProcessDependencies {
  /** Whether the message's SQS sender may ask for it (queue-access.ts); the caller to record. */
  readonly checkSender: (
    record: SQSRecord,
    message: QueueMessage,
    op: OperationId,
    fallbackCaller: string,
  ) => Promise<SenderCheck>;
  readonly validate: <K extends OperationId>(op: K, input: unknown) => OperationRequest<K>;
  readonly log: AppLog;
  /** Make a message invisible for a while (SQS ChangeMessageVisibility); absent when not wired. */
  readonly changeVisibility?: (record: SQSRecord, seconds: number) => Promise<void>;
  /** Send a copy of a message to the queue it came from, delayed (SQS SendMessage); absent when not wired. */
  readonly resend?: (record: SQSRecord, body: string, delaySeconds: number) => Promise<void>;
  /** Backoff and out-of-hours settings; default DEFAULT_JOB_SETTINGS.retry. */
  readonly retrySettings?: RetrySettings;
  /**
   * Called once a message's request is settled (COMPLETED, or FAILED for good), and when its message is
   * given up to the DLQ (`deadLettered`): bulk job bookkeeping.
   */
  readonly onSettled?: (event: SettledEvent) => Promise<void>;
  /**
   * Called before a bulk job's request goes to the LRS: true when its job was cancelled and the item was
   * settled CANCELLED instead (shared/jobs/cancel.ts); the message is then acknowledged.
   */
  readonly cancelGate?: (message: QueueMessage) => Promise<boolean>;
  /** Records of one event processed side by side (default: all of them). */
  readonly recordConcurrency?: number;
  /**
   * With limited record concurrency: a record that would start with less time left than this (ms) is not
   * started but made visible again at once, so the invocation ends before the function timeout.
   */
  readonly minRemainingMs?: number;
}

/** Thrown to report a record as failed so that SQS delivers it again. */
export class RetryLaterError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = 'RetryLaterError';
  }
}

const prefixed = (prefix: string, issues: readonly FieldIssue[]): FieldIssue[] =>
  issues.map((i) => ({
    field: i.field === '(request)' ? prefix : `${prefix}.${i.field}`,
    rule: i.rule,
    message: `${prefix}.${i.message}`,
  }));

const envelopeIssues = (error: z.ZodError): FieldIssue[] =>
  error.issues.map((i) => {
    const field = `message.${i.path.map(String).join('.') || '(root)'}`;
    const rule =
      i.code === 'invalid_type' ? 'required' : i.code === 'unrecognized_keys' ? 'unknownField' : 'pattern';
    return { field, rule, message: `${field} is missing or invalid (rule: ${rule})` };
  });

/** Handles one SQS record; resolves when the message can be deleted, throws to have it redelivered. */
export const handleQueueRecord = async (
  op: OperationId,
  deps: QueueDependencies,
  record: SQSRecord,
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
      ...(message.userName ? { userName: message.userName } : {}),
      ...(message.jobId ? { jobId: message.jobId } : {}),
    });
  } catch (e) {
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

/**
 * A message whose request could not be done now: a fresh delayed copy (receive count 1 again) and the
 * original acknowledged; only a message that waited longer than the policy allows is hidden and reported
 * failed, towards the DLQ. The copy is sent before the original is acknowledged, so a crash in between
 * leaves a duplicate (harmless: the request id's lease and stored answer), never a loss.
 */
const waitFor = async (
  deps: QueueDependencies,
  record: SQSRecord,
  message: QueueMessage,
  stored: StoredRequest | undefined,
  attempt: { reason?: WaitReason; retryAfterSeconds?: number; lrsAttempted: boolean },
): Promise<void> => {
  const now = (deps.now ?? (() => new Date()))();
  const settings = deps.retrySettings ?? DEFAULT_JOB_SETTINGS.retry;
  const receiveCount = receiveCountOf(record);
  const ids = {
    operation: message.operation,
    messageId: record.messageId,
    requestId: message.requestId,
    organisationId: message.organisationId,
    source: message.jobId ? 'job' : 'queue',
    jobId: message.jobId,
  };
  const decision = decideRetry(settings, {
    ...attempt,
    receiveCount,
    ...(message.retry ? { retry: message.retry } : {}),
    now: now.getTime(),
  });
  if (decision.kind === 'resend' && deps.resend) {
    try {
      await deps.resend(record, JSON.stringify({ ...message, retry: decision.retry }), decision.delaySeconds);
    } catch (e) {
      // Not sent: keep the original (its receive is charged, but nothing is lost).
      deps.log.warn('Could not re-send a waiting message; it comes back after a backoff', {
        ...ids,
        errorName: e instanceof Error ? e.name : typeof e,
      });
      const seconds = backoffSeconds(settings, receiveCount);
      await hide(deps, record, seconds);
      throw new RetryLaterError('Could not re-send a waiting message', seconds);
    }
    const note = {
      reason: attempt.reason ?? 'UNAVAILABLE',
      since: new Date(decision.retry.since ?? now.getTime()).toISOString(),
      nextAttemptAt: new Date(decision.nextAttemptAt).toISOString(),
    };
    if (stored) {
      try {
        await deps.store.noteWaiting?.(stored.requestId, stored.attempts, {
          ...note,
          attempts: decision.retry.attempts ?? 0,
        });
        await deps.onSettled?.({ message, record, stored, waiting: note });
      } catch (e) {
        // Progress only: the copy is on its way whatever happens here.
        deps.log.warn('Could not note the wait on the request or its job', {
          ...ids,
          errorName: e instanceof Error ? e.name : typeof e,
        });
      }
    }
    deps.log.info('Queue message re-sent to wait for the LRS', {
      ...ids,
      reason: attempt.reason,
      attempts: decision.retry.attempts,
      retryAfterSeconds: decision.delaySeconds,
    });
    return;
  }
  // Waited as long as the policy allows (or re-sending is not wired): hidden and reported failed, so SQS
  // delivers it again and, after maxReceiveCount deliveries, moves it to the DLQ.
  const seconds =
    decision.kind === 'give-up' ? decision.visibilitySeconds : backoffSeconds(settings, receiveCount);
  if (receiveCount >= settings.maxReceiveCount) {
    await noteGivenUp(deps, record, message, stored, {
      errorCode: stored?.error?.code ?? 'CONFLICT',
      ...(stored?.error?.reason ? { reason: stored.error.reason } : {}),
      message: `Gave up after ${receiveCount} deliveries: ${stored?.error?.message ?? 'still in flight elsewhere'}`,
    });
  }
  await hide(deps, record, seconds);
  throw new RetryLaterError(`LRS unavailable (${attempt.reason ?? 'unknown'})`, seconds);
};

const receiveCountOf = (record: SQSRecord): number =>
  Number(record.attributes?.ApproximateReceiveCount ?? '1') || 1;

/** The last delivery failed too: SQS moves the message to the DLQ. Say so on the record and the job. */
const noteGivenUp = async (
  deps: QueueDependencies,
  record: SQSRecord,
  message: QueueMessage,
  stored: StoredRequest | undefined,
  why: Pick<DeadLetterNote, 'errorCode' | 'reason' | 'message'>,
): Promise<void> => {
  const now = (deps.now ?? (() => new Date()))();
  const receiveCount = receiveCountOf(record);
  const note: DeadLetterNote = { at: now.toISOString(), receiveCount, ...why };
  const ids = {
    operation: message.operation,
    messageId: record.messageId,
    requestId: message.requestId,
    organisationId: message.organisationId,
    jobId: message.jobId,
  };
  try {
    await deps.store.noteDeadLetter?.(message.requestId, note);
    const current = stored ?? (await deps.store.get(message.requestId));
    if (current) {
      await deps.onSettled?.({
        message,
        record,
        stored: { ...current, deadLetter: note },
        deadLettered: true,
      });
    }
  } catch (e) {
    deps.log.warn('Could not note the dead-letter move on the request', {
      ...ids,
      errorName: e instanceof Error ? e.name : typeof e,
    });
  }
  deps.log.warn('Queue message goes to the dead-letter queue', {
    ...ids,
    errorCode: why.errorCode,
    reason: why.reason,
    attempts: receiveCount,
  });
};

const hide = async (deps: QueueDependencies, record: SQSRecord, seconds: number): Promise<void> => {
  if (!deps.changeVisibility) return;
  const s = Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, Math.ceil(seconds)));
  try {
    await deps.changeVisibility(record, s);
  } catch (e) {
    // Not fatal: the queue's own visibility timeout still spaces the retries.
    deps.log.warn('Could not change message visibility', {
      messageId: record.messageId,
      errorName: e instanceof Error ? e.name : typeof e,
    });
  }
};

/** `work` with at most `limit` calls running at once (the others wait their turn, in order). */
const limited = <A, R>(limit: number, work: (arg: A) => Promise<R>): ((arg: A) => Promise<R>) => {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (arg: A) => {
    // A finishing call hands its slot straight to the next waiting one.
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await work(arg);
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
};

/**
 * A record this invocation has no time left to start. SQS charged a receive when it delivered it, and so
 * would every redelivery: reported failed, a record of an invocation that keeps running out of time would
 * reach the DLQ without an LRS attempt. So it is re-sent as a fresh message (receive count 1, same body:
 * its wait state travels with it) and the original acknowledged. Only if that send fails is it made
 * visible again and reported failed.
 */
const handBack = async (deps: QueueDependencies, record: SQSRecord): Promise<void> => {
  if (deps.resend) {
    try {
      await deps.resend(record, record.body, 0);
      deps.log.info('Queue message not started (too little time left); re-sent for the next invocation', {
        messageId: record.messageId,
      });
      return;
    } catch (e) {
      deps.log.warn('Could not re-send an unstarted message; it is made visible again', {
        messageId: record.messageId,
        errorName: e instanceof Error ? e.name : typeof e,
      });
    }
  }
  await hide(deps, record, 0);
  throw new RetryLaterError('Not started: too little time left in this invocation', 0);
};

/**
 * One record; an unexpected error (a bug, a poison message) is rethrown so SQS delivers the message
 * again, and on its last delivery the DLQ move is noted on its request and job first.
 */
const handleWithGiveUp = async (
  op: OperationId,
  deps: QueueDependencies,
  record: SQSRecord,
): Promise<StoredRequest | undefined> => {
  try {
    return await handleQueueRecord(op, deps, record);
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

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
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
  const one = (record: SQSRecord) => handleWithGiveUp(op, deps, record);
  const run =
    limit >= event.Records.length
      ? one
      : limited(limit, async (record: SQSRecord) => {
          if (deps.minRemainingMs !== undefined && context.getRemainingTimeInMillis() < deps.minRemainingMs) {
            await handBack(deps, record);
            return undefined;
          }
          return one(record);
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
