/**
 * What happens when a job's items settle: the job finishes (COMPLETED, or CANCELLED after a cancel)
 * the moment its last item settles, and its callback (if it named one) is handed to the callback queue.
 * The first dead-lettered item is reported to the callback too.
 *
 * Nothing is lost between those steps: the outbox entry of a callback is written before the job's status
 * changes, and removed only once the callback message is on its queue; a sweeper (sweepOutbox) hands off
 * whatever a crash or a queue failure left behind. A callback may therefore reach the receiver twice; its
 * event id is the same both times.
 *
 * `withJobEvents` puts this around a JobsStore, so the queue workers' job bookkeeping (job-hooks.ts) and the
 * cancellation gate trigger it without knowing about it.
 */
import type { AppLog } from '../observability/logger.js';
import {
  type CallbackEventType,
  FINAL_JOB_STATUSES,
  type ItemSettlement,
  type JobRecord,
  type JobsStore,
  type OutboxEntry,
} from '../ports/jobs-store.js';
import type { CallbackMessage } from './callback-delivery.js';
import type { CallbackSettings } from './callback-settings.js';
import { callbackBody, callbackEventId } from './callbacks.js';
import { jobView } from './read-job.js';

export interface JobEventsDependencies {
  readonly jobs: JobsStore;
  /** Put a callback message on the callback queue; absent where callbacks are not configured. */
  readonly enqueueCallback?: (body: string) => Promise<void>;
  readonly settings: Pick<CallbackSettings, 'outboxGraceSeconds'>;
  readonly log: AppLog;
  readonly now?: () => Date;
}

const finalEvent = (job: JobRecord): CallbackEventType =>
  job.status === 'CANCELLED' || job.status === 'CANCELLING' ? 'job.cancelled' : 'job.completed';

export const createJobEvents = (deps: JobEventsDependencies) => {
  const now = deps.now ?? (() => new Date());
  const due = (seconds: number) => new Date(now().getTime() + seconds * 1000).toISOString();

  /** Queue the callback of `event` and clear its outbox entry. */
  const handOff = async (job: JobRecord, event: CallbackEventType): Promise<void> => {
    if (!job.callbackUrl) return;
    const at = now();
    const counts = await deps.jobs.countItems(job.jobId);
    const eventId = callbackEventId(job.jobId, event);
    await deps.jobs.createCallback(
      { jobId: job.jobId, eventId, event, state: 'PENDING', createdAt: at.toISOString(), attempts: [] },
      job.expiresAt,
    );
    if (!deps.enqueueCallback) {
      deps.log.warn('Job callback not sent: no callback queue is configured', {
        jobId: job.jobId,
        callbackEvent: event,
      });
      return;
    }
    const message: CallbackMessage = {
      jobId: job.jobId,
      eventId,
      event,
      url: job.callbackUrl,
      caller: job.caller,
      body: callbackBody(job, jobView(job, counts), event, at),
      attempt: 0,
    };
    await deps.enqueueCallback(JSON.stringify(message));
    await deps.jobs.deleteOutbox(job.jobId, { kind: 'callback', event });
    deps.log.info('Job callback queued', { jobId: job.jobId, callbackEvent: event });
  };

  /** A hand-off that fails is left to the sweeper (its outbox entry is written already). */
  const handOffOrLeave = async (job: JobRecord, event: CallbackEventType): Promise<void> => {
    try {
      await handOff(job, event);
    } catch (e) {
      deps.log.warn('Job callback not queued yet; the outbox sweeper will', {
        jobId: job.jobId,
        callbackEvent: event,
        errorName: e instanceof Error ? e.name : typeof e,
      });
    }
  };

  /** Finishes the job when nothing is pending any more (cheap unless its open items reached 0). */
  const finishIfDone = async (jobId: string, known?: JobRecord): Promise<JobRecord | undefined> => {
    const job = known ?? (await deps.jobs.getJob(jobId));
    if (!job || FINAL_JOB_STATUSES.includes(job.status)) return job;
    if ((job.openItems ?? 0) > 0) return job;
    const counts = await deps.jobs.countItems(jobId);
    if (counts.byStatus.PENDING > 0) return job;
    const event = finalEvent(job);
    // First the outbox entry, then the status: a crash in between still gets the callback out.
    if (job.callbackUrl) {
      await deps.jobs.putOutbox({
        jobId,
        task: { kind: 'callback', event },
        dueAt: due(deps.settings.outboxGraceSeconds),
        attempts: 0,
      });
    }
    if (!(await deps.jobs.finishJob(jobId, now()))) return deps.jobs.getJob(jobId);
    const finished = await deps.jobs.getJob(jobId);
    deps.log.info('Job finished', { jobId, status: finished?.status, operation: job.operation });
    if (finished) await handOffOrLeave(finished, event);
    return finished;
  };

  /** Reports the job's first dead-lettered item to its callback. */
  const deadLettered = async (jobId: string): Promise<void> => {
    const job = await deps.jobs.getJob(jobId);
    if (!job?.callbackUrl || job.deadLetterNotifiedAt) return;
    const event: CallbackEventType = 'job.items_dead_lettered';
    await deps.jobs.putOutbox({
      jobId,
      task: { kind: 'callback', event },
      dueAt: due(deps.settings.outboxGraceSeconds),
      attempts: 0,
    });
    // Raced by another worker: it hands the event off (the entry is the same one).
    if (!(await deps.jobs.markDeadLetterNotified(jobId, now()))) return;
    await handOffOrLeave(job, event);
  };

  return { handOff, finishIfDone, deadLettered, finalEvent };
};

export type JobEvents = ReturnType<typeof createJobEvents>;

/** A store that says, with each settlement, how many of the job's items are still open. */
export interface CountingJobsStore extends JobsStore {
  settleItemsCounted(
    jobId: string,
    settlements: readonly ItemSettlement[],
  ): Promise<{ changed: number; open?: number }>;
}

/** The store, with every settlement checked for the job's end and every dead-letter reported. */
export const withJobEvents = (store: CountingJobsStore, events: JobEvents): JobsStore => {
  const wrapped = Object.create(store) as JobsStore & Record<string, unknown>;
  wrapped.settleItems = async (jobId, settlements) => {
    const { changed, open } = await store.settleItemsCounted(jobId, settlements);
    // Also when nothing changed: a redelivery after a crash must still get the job finished.
    if (changed === 0 || open === undefined || open <= 0) await events.finishIfDone(jobId);
    return changed;
  };
  wrapped.markDeadLettered = async (jobId, indexes, at) => {
    await store.markDeadLettered(jobId, indexes, at);
    await events.deadLettered(jobId);
  };
  return wrapped;
};

export interface SweepDependencies {
  readonly jobs: JobsStore;
  readonly events: JobEvents;
  /** Re-queue the job's messages that may not have reached their queue. */
  readonly resumeFanOut: (job: JobRecord) => Promise<void>;
  readonly log: AppLog;
  readonly now?: () => Date;
  /** Entries handled per sweep (default 50). */
  readonly limit?: number;
}

/**
 * One pass over the overdue outbox entries: resume fan-outs, hand off callbacks. An entry that fails
 * again is due again after a backoff (1, 2, 4… minutes, at most 15).
 */
export const sweepOutbox = async (deps: SweepDependencies): Promise<{ handled: number; failed: number }> => {
  const now = deps.now ?? (() => new Date());
  const entries = await deps.jobs.dueOutbox(now(), deps.limit ?? 50);
  let failed = 0;
  for (const entry of entries) {
    try {
      await sweepEntry(deps, entry);
    } catch (e) {
      failed++;
      const wait = Math.min(900, 60 * 2 ** Math.min(4, entry.attempts));
      await deps.jobs.putOutbox({
        ...entry,
        attempts: entry.attempts + 1,
        dueAt: new Date(now().getTime() + wait * 1000).toISOString(),
      });
      deps.log.warn('Outbox entry failed again; retried later', {
        jobId: entry.jobId,
        attempts: entry.attempts + 1,
        retryAfterSeconds: wait,
        errorName: e instanceof Error ? e.name : typeof e,
      });
    }
  }
  return { handled: entries.length - failed, failed };
};

const sweepEntry = async (deps: SweepDependencies, entry: OutboxEntry): Promise<void> => {
  const job = await deps.jobs.getJob(entry.jobId);
  if (!job) {
    // The job was never stored (its creation failed after the entry) or has expired.
    await deps.jobs.deleteOutbox(entry.jobId, entry.task);
    return;
  }
  if (entry.task.kind === 'fan-out') {
    deps.log.info('Resuming the fan-out of a job', { jobId: job.jobId, attempts: entry.attempts });
    await deps.resumeFanOut(job);
    return;
  }
  if (entry.task.event === 'job.items_dead_lettered') {
    await deps.events.handOff(job, entry.task.event);
    return;
  }
  if (!FINAL_JOB_STATUSES.includes(job.status)) {
    // Not finished after all (the entry is written just before the status changes): check again.
    await deps.jobs.deleteOutbox(job.jobId, entry.task);
    await deps.events.finishIfDone(job.jobId, job);
    return;
  }
  const event = deps.events.finalEvent(job);
  if (event !== entry.task.event) await deps.jobs.deleteOutbox(job.jobId, entry.task);
  await deps.events.handOff(job, event);
};
