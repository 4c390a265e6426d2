/**
 * What becomes of a queue message whose request cannot be done now (shared/queue/retry-policy.ts decides
 * when): a fresh delayed copy and the original acknowledged, or, once it has waited as long as allowed,
 * hidden and reported failed towards the DLQ, with the move noted on its request and job on the last
 * delivery. Also the hand-back of a record an invocation has no time left to start.
 */
import type { SQSRecord } from 'aws-lambda';
import type { SettledEvent } from '../jobs/job-hooks.js';
import { DEFAULT_JOB_SETTINGS, type RetrySettings } from '../jobs/settings.js';
import type { AppLog } from '../observability/logger.js';
import type { DeadLetterNote, ResultsStore, StoredRequest } from '../ports/results-store.js';
import type { QueueMessage } from './queue-message.js';
import { backoffSeconds, decideRetry, type WaitReason } from './retry-policy.js';

/** Longest visibility timeout SQS accepts (12 hours). */
const MAX_VISIBILITY_SECONDS = 43_200;

/** What waiting, giving up and handing back need of the queue worker's dependencies. */
export interface WaitDependencies {
  readonly store: ResultsStore;
  readonly log: AppLog;
  readonly now?: () => Date;
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
}

/** A note that is progress only: should it fail, that is logged (the error's name only), not thrown. */
const bestEffort = async (
  deps: WaitDependencies,
  warning: string,
  ids: Record<string, unknown>,
  note: () => Promise<void>,
): Promise<void> => {
  try {
    await note();
  } catch (e) {
    deps.log.warn(warning, { ...ids, errorName: e instanceof Error ? e.name : typeof e });
  }
};

/** The ids of a message that its log lines carry (never its request). */
const messageIds = (record: SQSRecord, message: QueueMessage) => ({
  operation: message.operation,
  messageId: record.messageId,
  requestId: message.requestId,
  organisationId: message.organisationId,
  jobId: message.jobId,
});

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

/**
 * A message whose request could not be done now: a fresh delayed copy (receive count 1 again) and the
 * original acknowledged; only a message that waited longer than the policy allows is hidden and reported
 * failed, towards the DLQ. The copy is sent before the original is acknowledged, so a crash in between
 * leaves a duplicate (harmless: the request id's lease and stored answer), never a loss.
 */
export const waitFor = async (
  deps: WaitDependencies,
  record: SQSRecord,
  message: QueueMessage,
  stored: StoredRequest | undefined,
  attempt: { reason?: WaitReason; retryAfterSeconds?: number; lrsAttempted: boolean },
): Promise<void> => {
  const now = (deps.now ?? (() => new Date()))();
  const settings = deps.retrySettings ?? DEFAULT_JOB_SETTINGS.retry;
  const receiveCount = receiveCountOf(record);
  const ids = { ...messageIds(record, message), source: message.jobId ? 'job' : 'queue' };
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
      // Progress only: the copy is on its way whatever happens here.
      await bestEffort(deps, 'Could not note the wait on the request or its job', ids, async () => {
        await deps.store.noteWaiting?.(stored.requestId, stored.attempts, {
          ...note,
          attempts: decision.retry.attempts ?? 0,
        });
        await deps.onSettled?.({ message, record, stored, waiting: note });
      });
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

export const receiveCountOf = (record: SQSRecord): number =>
  Number(record.attributes?.ApproximateReceiveCount ?? '1') || 1;

/** The last delivery failed too: SQS moves the message to the DLQ. Say so on the record and the job. */
export const noteGivenUp = async (
  deps: WaitDependencies,
  record: SQSRecord,
  message: QueueMessage,
  stored: StoredRequest | undefined,
  why: Pick<DeadLetterNote, 'errorCode' | 'reason' | 'message'>,
): Promise<void> => {
  const now = (deps.now ?? (() => new Date()))();
  const receiveCount = receiveCountOf(record);
  const note: DeadLetterNote = { at: now.toISOString(), receiveCount, ...why };
  const ids = messageIds(record, message);
  await bestEffort(deps, 'Could not note the dead-letter move on the request', ids, async () => {
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
  });
  deps.log.warn('Queue message goes to the dead-letter queue', {
    ...ids,
    errorCode: why.errorCode,
    reason: why.reason,
    attempts: receiveCount,
  });
};

export const hide = async (deps: WaitDependencies, record: SQSRecord, seconds: number): Promise<void> => {
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

/**
 * A record this invocation has no time left to start. SQS charged a receive when it delivered it, and so
 * would every redelivery: reported failed, a record of an invocation that keeps running out of time would
 * reach the DLQ without an LRS attempt. So it is re-sent as a fresh message (receive count 1, same body:
 * its wait state travels with it) and the original acknowledged. Only if that send fails is it made
 * visible again and reported failed.
 */
export const handBack = async (deps: WaitDependencies, record: SQSRecord): Promise<void> => {
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
