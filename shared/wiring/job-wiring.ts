/**
 * How the functions that touch bulk jobs get the job events: the jobs store wrapped so that a job finishes
 * (and its callback is queued) when its last item settles, the cancel gate, and the callback queue sender.
 * The SQS client is loaded on first use: most settlements never send a callback.
 */
import { type CallbackSettings, loadCallbackSettings } from '../jobs/callback-settings.js';
import { createCancelGate } from '../jobs/cancel.js';
import { type CountingJobsStore, createJobEvents, withJobEvents } from '../jobs/job-events.js';
import { appLog } from '../observability/logger.js';
import type { ResultsStore } from '../ports/results-store.js';
import { lazySqs } from './lazy-sqs.js';

export interface JobWiringOptions {
  readonly store: CountingJobsStore;
  readonly results: Pick<ResultsStore, 'recordRejected' | 'get' | 'begin' | 'fail'>;
  readonly dataTtlDays: number;
  readonly settings?: CallbackSettings;
  /** Replaces the SQS sender of callback messages (tests). */
  readonly enqueueCallback?: (body: string) => Promise<void>;
  readonly now?: () => Date;
}

/** Sends callback messages to the callback queue with a lazily loaded SQS client. */
export const callbackQueueSender = (queueUrl: string) => {
  const loadSqs = lazySqs();
  return async (body: string, delaySeconds = 0): Promise<void> => {
    const { api, sqs } = await loadSqs();
    await sqs.send(
      new api.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, DelaySeconds: delaySeconds }),
    );
  };
};

export const createJobWiring = (options: JobWiringOptions) => {
  const settings = options.settings ?? loadCallbackSettings();
  const enqueueCallback =
    options.enqueueCallback ?? (settings.queueUrl ? callbackQueueSender(settings.queueUrl) : undefined);
  const events = createJobEvents({
    jobs: options.store,
    ...(enqueueCallback ? { enqueueCallback } : {}),
    settings,
    log: appLog,
    ...(options.now ? { now: options.now } : {}),
  });
  const jobs = withJobEvents(options.store, events);
  const cancelGate = createCancelGate({
    jobs,
    store: options.results,
    dataTtlDays: options.dataTtlDays,
    log: appLog,
    ...(options.now ? { now: options.now } : {}),
  });
  return { jobs, events, cancelGate, settings };
};
