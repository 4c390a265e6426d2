/**
 * Cancelling a bulk job. POST /v1/jobs/{jobId}/cancel turns a RUNNING job CANCELLING; from then on each
 * of its queue messages that comes up before its request was ever started is settled CANCELLED without an
 * LRS call (the cancel gate, run by the queue worker before an item's LRS call). What is already at the
 * LRS settles as usual: a request that may have reached the LRS is never reported as cancelled. When the
 * last item has settled the job ends CANCELLED, with its counts, and its callback is sent.
 *
 * The gate claims a request by writing its record only if none exists (the same conditional write a
 * worker's lease needs), so a request is either cancelled or sent, never both. A request that is WAITING
 * for the LRS (or failed retryably) is cancelled too, by taking its lease, unless a change of it may have
 * reached the LRS (`unconfirmed`): that one settles as usual. Polls of an LRS batch the LRS already holds
 * are never cancelled.
 */

import { JobFinishedError } from '../domain/errors.js';
import type { OperationId } from '../lrs/contract/operations.js';
import type { AppLog } from '../observability/logger.js';
import type { JobRecord, JobsStore } from '../ports/jobs-store.js';
import type { FailureInfo, ResultsStore } from '../ports/results-store.js';
import { parseJobRequestId } from './ids.js';
import type { JobEvents } from './job-events.js';

export const CANCELLED_FAILURE: FailureInfo = {
  code: 'CANCELLED',
  message: 'The job was cancelled before this item was sent to the LRS',
  retryable: false,
};

/** Requests the cancellation; finishes the job at once when nothing is pending. */
export const cancelJob = async (
  deps: {
    readonly jobs: JobsStore;
    readonly events: JobEvents;
    readonly log: AppLog;
    readonly now?: () => Date;
  },
  job: JobRecord,
): Promise<JobRecord> => {
  if (job.status === 'COMPLETED')
    throw new JobFinishedError('The job has completed already: nothing to cancel');
  const now = (deps.now ?? (() => new Date()))();
  const after = (await deps.jobs.requestCancel(job.jobId, now)) ?? job;
  if (after.status === 'COMPLETED')
    throw new JobFinishedError('The job has completed already: nothing to cancel');
  deps.log.info('Job cancellation requested', {
    jobId: job.jobId,
    operation: job.operation,
    status: after.status,
  });
  return (await deps.events.finishIfDone(job.jobId, after)) ?? after;
};

/** The parts of a queue message the gate reads. */
export interface GateMessage {
  readonly requestId: string;
  readonly operation: OperationId;
  readonly organisationId: string;
  readonly caller?: string;
  readonly jobId?: string;
}

export interface CancelGateDependencies {
  /** The store with job events (withJobEvents), so the last cancelled item finishes the job. */
  readonly jobs: JobsStore;
  readonly store: Pick<ResultsStore, 'recordRejected' | 'get' | 'begin' | 'fail'>;
  readonly dataTtlDays: number;
  readonly log: AppLog;
  readonly now?: () => Date;
  /** How long a RUNNING job is taken to be still running without reading it again (default 1 s). */
  readonly cacheMs?: number;
}

/** The stored request's identity fields for a job message. */
const requestOf = (message: GateMessage, jobId: string) => ({
  requestId: message.requestId,
  operation: message.operation,
  organisationId: message.organisationId,
  caller: message.caller ?? 'queue',
  source: 'job' as const,
  jobId,
});

/**
 * `(message) => true` when the message's job is cancelled and its item (or LRS batch) was settled
 * CANCELLED instead of being sent; false when the message is to be processed as usual.
 */
export const createCancelGate = (deps: CancelGateDependencies) => {
  const now = deps.now ?? (() => new Date());
  const cache = new Map<string, { at: number; cancelled: boolean }>();
  const cancelled = async (jobId: string): Promise<boolean> => {
    const hit = cache.get(jobId);
    if (hit && (hit.cancelled || now().getTime() - hit.at < (deps.cacheMs ?? 1000))) return hit.cancelled;
    const job = await deps.jobs.getJob(jobId);
    const value = job?.status === 'CANCELLING' || job?.status === 'CANCELLED';
    if (cache.size > 1000) cache.clear();
    cache.set(jobId, { at: now().getTime(), cancelled: value });
    return value;
  };

  /** Cancels a request that waits for the LRS and cannot have changed anything there; true when it did. */
  const takeWaiting = async (message: GateMessage, jobId: string, at: Date): Promise<boolean> => {
    const existing = await deps.store.get(message.requestId);
    const waiting =
      existing?.status === 'WAITING' || (existing?.status === 'FAILED' && existing.error?.retryable === true);
    // Started and not waiting (in flight, answered, cancelled already), or its change may have reached the LRS.
    if (!existing || !waiting || existing.unconfirmed) return false;
    const begun = await deps.store.begin({
      ...requestOf(message, jobId),
      now: at,
      leaseExpiresAt: at.getTime() + 30_000,
      expiresAt: existing.expiresAt,
    });
    if (!begun.acquired) return false;
    // Taken over between the read and the lease: leave it to the worker path once the lease lapses.
    if (begun.record.unconfirmed) return false;
    await deps.store.fail(message.requestId, begun.record.attempts, {
      error: CANCELLED_FAILURE,
      completedAt: at,
    });
    return true;
  };

  return async (message: GateMessage): Promise<boolean> => {
    const jobId = message.jobId;
    if (!jobId) return false;
    const ref = parseJobRequestId(jobId, message.requestId);
    if (!ref || ref.kind === 'poll') return false;
    if (!(await cancelled(jobId))) return false;
    const at = now();
    const claimed = await deps.store.recordRejected({
      ...requestOf(message, jobId),
      error: CANCELLED_FAILURE,
      now: at,
      expiresAt: Math.floor(at.getTime() / 1000) + deps.dataTtlDays * 86_400,
    });
    if (!claimed && !(await takeWaiting(message, jobId, at))) return false;
    const settle = (indexes: readonly number[]) =>
      deps.jobs.settleItems(
        jobId,
        indexes.map((index) => ({ index, status: 'CANCELLED', error: CANCELLED_FAILURE, settledAt: at })),
      );
    if (ref.kind === 'item') {
      await settle([ref.index]);
    } else {
      const batch = await deps.jobs.getBatch(jobId, ref.batch);
      if (batch) {
        await deps.jobs.updateBatch(jobId, ref.batch, { status: 'FAILED' });
        await settle(batch.indexes);
      }
    }
    deps.log.info('Job item cancelled before its LRS call', { jobId, requestId: message.requestId });
    return true;
  };
};

export type CancelGate = ReturnType<typeof createCancelGate>;
