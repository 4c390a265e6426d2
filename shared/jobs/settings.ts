/**
 * Settings of the queue retry policy and of bulk jobs, read from the environment once per cold start.
 * Dependency-free (the CDK app imports the names and defaults at synth time). Every value has a
 * production default; tests and `npm start` shorten the waits through the same variables, never by
 * sleeping in the code.
 */
import { MAX_RECEIVE_COUNT } from '../config/resources.js';
import { ConfigurationError } from '../domain/errors.js';

export const JOBS_ENV = {
  /** First backoff of a transient failure (timeout, reset, 5xx, maintenance), in seconds. */
  retryBaseSeconds: 'QUEUE_RETRY_BASE_SECONDS',
  /** Cap of the backoff (it doubles with each receive of the message), in seconds. */
  retryMaxSeconds: 'QUEUE_RETRY_MAX_SECONDS',
  /** Longest single wait of an out-of-hours message (SQS DelaySeconds, at most 900). */
  outOfHoursMaxDelaySeconds: 'OUT_OF_HOURS_MAX_DELAY_SECONDS',
  /** Longest total wait for the LRS to open after WSEC0004 before trying again, in seconds. */
  outOfHoursMaxWaitSeconds: 'OUT_OF_HOURS_MAX_WAIT_SECONDS',
  /**
   * Longest time a message waits for the LRS (maintenance, out of hours, outages) before it is given up
   * to the DLQ, in seconds. Waiting never uses up the queue's receives.
   */
  maxWaitSeconds: 'QUEUE_RETRY_MAX_WAIT_SECONDS',
  /** The queue's maxReceiveCount, so the worker knows which receive is the last before the DLQ. */
  maxReceiveCount: 'QUEUE_MAX_RECEIVE_COUNT',
  /** Wait between two polls of an LRS batch job's output, in seconds (SQS DelaySeconds, at most 900). */
  batchPollSeconds: 'LRS_BATCH_POLL_SECONDS',
  /** Polls of one LRS batch job before its learners are recorded as failed. */
  batchMaxPolls: 'LRS_BATCH_MAX_POLLS',
  /**
   * Records of one SQS event processed side by side (1-10). LRS calls in flight per operation are at most
   * the event source's maximum concurrency times this. The default, 1, makes the stage's configured LRS
   * concurrency limit the real bound on calls in flight; raise it only knowing the LRS will see more.
   */
  recordConcurrency: 'QUEUE_RECORD_CONCURRENCY',
} as const;

/** SQS DelaySeconds maximum. */
export const MAX_DELAY_SECONDS = 900;
/** SQS visibility timeout maximum (12 hours). */
export const MAX_VISIBILITY_SECONDS = 43_200;

export interface RetrySettings {
  readonly baseSeconds: number;
  readonly maxSeconds: number;
  readonly outOfHoursMaxDelaySeconds: number;
  readonly outOfHoursMaxWaitSeconds: number;
  readonly maxWaitSeconds: number;
  readonly maxReceiveCount: number;
}

export interface BatchPollSettings {
  readonly pollSeconds: number;
  readonly maxPolls: number;
}

export interface QueueSettings {
  readonly recordConcurrency: number;
}

export interface JobSettings {
  readonly retry: RetrySettings;
  readonly batch: BatchPollSettings;
  readonly queue: QueueSettings;
}

export const DEFAULT_JOB_SETTINGS: JobSettings = {
  retry: {
    baseSeconds: 30,
    maxSeconds: 900,
    outOfHoursMaxDelaySeconds: MAX_DELAY_SECONDS,
    // The adapter's estimate of the opening time is used up to a day; then the LRS is asked again.
    outOfHoursMaxWaitSeconds: 24 * 3600,
    // A week: longer than any plausible closure (a bank-holiday weekend, a long outage), within the
    // data TTL and SQS retention (each copy is a new message).
    maxWaitSeconds: 7 * 24 * 3600,
    maxReceiveCount: MAX_RECEIVE_COUNT,
  },
  batch: { pollSeconds: 60, maxPolls: 1440 },
  queue: { recordConcurrency: 1 },
};

/** Reads whole-number settings from env (empty = unset), noting each one out of range in `problems`. */
export const envInt =
  (env: Record<string, string | undefined>, problems: string[]) =>
  (name: string, fallback: number, min: number, max: number): number => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };

export const loadJobSettings = (env: Record<string, string | undefined> = process.env): JobSettings => {
  const problems: string[] = [];
  const int = envInt(env, problems);
  const d = DEFAULT_JOB_SETTINGS;
  const settings: JobSettings = {
    retry: {
      baseSeconds: int(JOBS_ENV.retryBaseSeconds, d.retry.baseSeconds, 0, MAX_VISIBILITY_SECONDS),
      maxSeconds: int(JOBS_ENV.retryMaxSeconds, d.retry.maxSeconds, 0, MAX_VISIBILITY_SECONDS),
      outOfHoursMaxDelaySeconds: int(
        JOBS_ENV.outOfHoursMaxDelaySeconds,
        d.retry.outOfHoursMaxDelaySeconds,
        0,
        MAX_DELAY_SECONDS,
      ),
      outOfHoursMaxWaitSeconds: int(
        JOBS_ENV.outOfHoursMaxWaitSeconds,
        d.retry.outOfHoursMaxWaitSeconds,
        1,
        7 * 24 * 3600,
      ),
      maxWaitSeconds: int(JOBS_ENV.maxWaitSeconds, d.retry.maxWaitSeconds, 0, 14 * 24 * 3600),
      maxReceiveCount: int(JOBS_ENV.maxReceiveCount, d.retry.maxReceiveCount, 1, 1000),
    },
    batch: {
      pollSeconds: int(JOBS_ENV.batchPollSeconds, d.batch.pollSeconds, 0, MAX_DELAY_SECONDS),
      maxPolls: int(JOBS_ENV.batchMaxPolls, d.batch.maxPolls, 1, 100_000),
    },
    queue: { recordConcurrency: int(JOBS_ENV.recordConcurrency, d.queue.recordConcurrency, 1, 10) },
  };
  if (problems.length > 0)
    throw new ConfigurationError(`Invalid function configuration: ${problems.join('; ')}`);
  return settings;
};
