/**
 * What happens in an operation function once a queue message of a bulk job is settled (its request
 * COMPLETED, or FAILED for good): the queue worker calls `onSettled` (shared/queue/queue-worker.ts).
 *
 * - A `requests` job item: the item takes the request's status and outcome.
 * - An LRS batch submitted (`<jobId>:b<k>`): the LRS job id is kept on the batch and the first poll of
 *   the output operation is queued on the same queue with DelaySeconds; a refused submit fails the batch's
 *   learners.
 * - A poll (`<jobId>:b<k>:p<n>`): while the LRS says the batch is still running (WSRC0008, Waiting,
 *   InProgress) the next poll is queued; when it is done, each learner's row is stored on its item.
 *
 * - A message given up to the DLQ: its items are flagged `deadLettered` (still PENDING, so a redrive
 *   settles them as usual) and the job's progress counts them.
 *
 * Everything here is idempotent: a redelivered message runs it again and changes nothing twice (items
 * settle only from PENDING, the next poll has a fixed request id).
 */
import type { SQSRecord } from 'aws-lambda';
import type { Outcome, OutcomeInfo } from '../domain/outcome.js';
import { UNKNOWN_OUTCOME } from '../lrs/contract/outcome-catalogue.js';
import type { AppLog } from '../observability/logger.js';
import type { ItemOutcome, ItemSettlement, JobsStore, JobWaiting } from '../ports/jobs-store.js';
import type { FailureInfo, StoredRequest } from '../ports/results-store.js';
import { parseJobRequestId, pollRequestId } from './ids.js';
import {
  isLrsBatchOperation,
  LRS_BATCH_OPERATIONS,
  learnerResults,
  pollRequest,
  submitOperationOf,
} from './lrs-batch.js';
import type { BatchPollSettings } from './settings.js';

/** The parts of a queue message the hook reads. */
export interface SettledMessage {
  readonly requestId: string;
  readonly organisationId: string;
  readonly caller?: string;
  readonly userName?: string;
  readonly jobId?: string;
}

export interface SettledEvent {
  readonly message: SettledMessage;
  readonly record: SQSRecord;
  readonly stored: StoredRequest;
  /** Not settled: the message ran out of deliveries and goes to the DLQ (a redrive may settle it later). */
  readonly deadLettered?: boolean;
  /** Not settled: the message was queued again to wait for the LRS (the job shows why and until when). */
  readonly waiting?: JobWaiting;
}

export interface JobHookDependencies {
  readonly jobs: JobsStore;
  /** Send a message to the queue `record` came from, delivered after `delaySeconds`. */
  readonly sendToQueue: (record: SQSRecord, body: string, delaySeconds: number) => Promise<void>;
  readonly outcomeFor: (code: string) => OutcomeInfo;
  readonly settings: BatchPollSettings;
  readonly log: AppLog;
  readonly now?: () => Date;
}

export const itemOutcome = (o: Outcome | OutcomeInfo | undefined): ItemOutcome | undefined =>
  o ? { code: o.code, name: o.name, class: o.class } : undefined;

/** How a settled request reads on its job item. */
export const settlementOf = (index: number, stored: StoredRequest, at: Date): ItemSettlement => {
  const outcome = itemOutcome(stored.outcome);
  if (stored.status === 'COMPLETED') {
    return { index, status: 'COMPLETED', settledAt: at, ...(outcome ? { outcome } : {}) };
  }
  return {
    index,
    status: 'FAILED',
    settledAt: at,
    ...(outcome ? { outcome } : {}),
    ...(stored.error ? { error: stored.error } : {}),
  };
};

const failureOf = (stored: StoredRequest, message: string): FailureInfo =>
  stored.error ?? {
    code: 'LRS_REJECTED',
    message,
    retryable: false,
    ...(stored.outcome ? { lrsCode: stored.outcome.code } : {}),
  };

export const createJobHook = (deps: JobHookDependencies) => {
  const now = deps.now ?? (() => new Date());

  const failBatch = async (
    jobId: string,
    batch: number,
    indexes: readonly number[],
    stored: StoredRequest,
    why: string,
  ) => {
    const at = now();
    const error = failureOf(stored, why);
    const outcome = itemOutcome(stored.outcome);
    await deps.jobs.settleItems(
      jobId,
      indexes.map((index) => ({
        index,
        status: 'FAILED',
        error,
        settledAt: at,
        ...(outcome ? { outcome } : {}),
      })),
    );
    await deps.jobs.updateBatch(jobId, batch, { status: 'FAILED' });
  };

  const queuePoll = async (
    event: SettledEvent,
    jobId: string,
    batch: number,
    poll: number,
    request: unknown,
  ) => {
    const outputOp = event.stored.operation;
    const m = event.message;
    const body = JSON.stringify({
      requestId: pollRequestId(jobId, batch, poll),
      operation: outputOp,
      organisationId: m.organisationId,
      ...(m.caller ? { caller: m.caller } : {}),
      ...(m.userName ? { userName: m.userName } : {}),
      request,
      jobId,
    });
    await deps.sendToQueue(event.record, body, deps.settings.pollSeconds);
  };

  return async (event: SettledEvent): Promise<void> => {
    const { stored, message } = event;
    const jobId = message.jobId;
    if (!jobId) return;
    const ref = parseJobRequestId(jobId, stored.requestId);
    if (!ref) return;
    const log = { jobId, requestId: stored.requestId, operation: stored.operation };

    if (ref.kind === 'item') {
      if (event.waiting) await deps.jobs.markWaiting(jobId, [ref.index], event.waiting);
      else if (event.deadLettered) await deps.jobs.markDeadLettered(jobId, [ref.index], now());
      else await deps.jobs.settleItems(jobId, [settlementOf(ref.index, stored, now())]);
      return;
    }

    const batch = await deps.jobs.getBatch(jobId, ref.batch);
    if (!batch) {
      deps.log.warn('Batch of a job not found; nothing to update', log);
      return;
    }

    // Done already, or a duplicate delivery another worker has taken further: nothing to do.
    if (batch.status === 'DONE' || batch.status === 'FAILED') return;
    if (event.waiting) {
      await deps.jobs.markWaiting(jobId, batch.indexes, event.waiting);
      return;
    }
    if (event.deadLettered) {
      // The batch's learners wait on the DLQ: the job shows them as stuck until a redrive.
      await deps.jobs.markDeadLettered(jobId, batch.indexes, now());
      deps.log.warn('LRS batch message went to the DLQ; its learners are pending until a redrive', log);
      return;
    }

    if (ref.kind === 'submit') {
      const op = stored.operation;
      if (!isLrsBatchOperation(op) || batch.status !== 'SUBMITTING') return;
      const poll =
        stored.status === 'COMPLETED' && stored.outcome?.class === 'success'
          ? pollRequest(op, stored.result)
          : undefined;
      if (!poll) {
        // An answer lost after the batch reached the LRS cannot be checked: say so, not "refused".
        const why =
          stored.outcome?.code === UNKNOWN_OUTCOME ? stored.outcome.description : 'The LRS refused the batch';
        await failBatch(jobId, ref.batch, batch.indexes, stored, why);
        deps.log.warn('LRS batch refused; its learners are recorded as failed', {
          ...log,
          status: stored.status,
          outcomeCode: stored.outcome?.code,
          errorCode: stored.error?.code,
        });
        return;
      }
      // Queue first, then record: a crash in between re-queues the same poll id on redelivery.
      await queuePoll(
        { ...event, stored: { ...stored, operation: LRS_BATCH_OPERATIONS[op].output } },
        jobId,
        ref.batch,
        1,
        poll,
      );
      await deps.jobs.updateBatch(jobId, ref.batch, {
        status: 'POLLING',
        lrsJobId: String(poll.jobId),
        polls: 0,
      });
      deps.log.info('LRS batch submitted; first poll queued', { ...log, outcomeCode: stored.outcome?.code });
      return;
    }

    // A poll of the batch's output.
    if (!submitOperationOf(stored.operation) || batch.polls >= ref.poll) return;
    if (stored.status === 'COMPLETED' && stored.outcome?.class === 'retry-later') {
      if (ref.poll >= deps.settings.maxPolls) {
        await failBatch(
          jobId,
          ref.batch,
          batch.indexes,
          { ...stored, outcome: undefined },
          'The LRS batch job did not finish in time',
        );
        deps.log.warn('LRS batch did not finish; its learners are recorded as failed', {
          ...log,
          attempts: ref.poll,
        });
        return;
      }
      await queuePoll(event, jobId, ref.batch, ref.poll + 1, stored.request);
      await deps.jobs.updateBatch(jobId, ref.batch, { status: 'POLLING', polls: ref.poll });
      return;
    }
    if (stored.status !== 'COMPLETED' || !stored.outcome) {
      await failBatch(jobId, ref.batch, batch.indexes, stored, 'The LRS batch output could not be read');
      return;
    }
    const at = now();
    const results = learnerResults(
      stored.operation,
      stored.result,
      stored.outcome,
      batch.indexes.length,
      deps.outcomeFor,
    );
    const settlements: ItemSettlement[] = batch.indexes.map((index, i) => {
      const r = results[i];
      const outcome = itemOutcome(r?.outcome);
      return {
        index,
        status: r?.status ?? 'FAILED',
        settledAt: at,
        ...(outcome ? { outcome } : {}),
        ...(r?.error ? { error: r.error } : {}),
        ...(r?.result !== undefined ? { result: r.result } : {}),
      };
    });
    await deps.jobs.settleItems(jobId, settlements);
    await deps.jobs.updateBatch(jobId, ref.batch, { status: 'DONE', polls: ref.poll });
    deps.log.info('LRS batch finished; learner results stored', {
      ...log,
      outcomeCode: stored.outcome.code,
      attempts: ref.poll,
    });
  };
};

export type JobHook = ReturnType<typeof createJobHook>;
