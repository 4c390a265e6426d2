/**
 * Reading a bulk job: its progress (counts by item status, by outcome code and by error code, computed
 * from the items, so they are exact, and an ETA from the pace so far), its callback deliveries, and its
 * per-learner results, a page at a time behind an opaque cursor. A job whose items are all settled is
 * finished the first time it is read so (should its last settlement not have finished it).
 */
import * as z from 'zod';
import { registerLearnerResultSchema } from '../app/register-learner.js';
import { ValidationError } from '../domain/errors.js';
import { inParallel } from '../domain/parallel.js';
import { failureView } from '../http/http-response.js';
import type { OperationId } from '../lrs/contract/operations.js';
import { outcomeFor, outcomeView } from '../lrs/contract/outcomes.js';
import { responseSchemas } from '../lrs/contract/responses.js';
import {
  type CallbackDelivery,
  FINAL_JOB_STATUSES,
  type JobCounts,
  type JobItem,
  type JobItemStatus,
  type JobRecord,
  type JobsStore,
} from '../ports/jobs-store.js';
import type { ResultsStore } from '../ports/results-store.js';
import { elementOf, resultColumns } from './csv.js';
import { isLrsBatchOperation, LRS_BATCH_OPERATIONS } from './lrs-batch.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
/** Jobs per page of GET /v1/jobs. */
export const DEFAULT_LIST_SIZE = 25;
export const MAX_LIST_SIZE = 100;

/** What a job is, the same in its full view and in a list of jobs. */
type JobHeading = Pick<JobRecord, 'jobId' | 'kind' | 'operation' | 'organisationId' | 'status' | 'total'>;

const jobHeading = (job: JobRecord): JobHeading => ({
  jobId: job.jobId,
  kind: job.kind,
  operation: job.operation,
  organisationId: job.organisationId,
  status: job.status,
  total: job.total,
});

export interface JobView extends JobHeading {
  readonly counts: {
    readonly pending: number;
    readonly completed: number;
    readonly failed: number;
    /** Items a cancellation stopped before they were sent to the LRS. */
    readonly cancelled: number;
    /** Of the pending items: those whose message is in a dead-letter queue (redrive it to finish the job). */
    readonly deadLettered: number;
  };
  readonly progress: JobProgress;
  /** Present while pending items wait for the LRS: why, since when, and when the next attempt is due. */
  readonly waiting?: JobCounts['waiting'];
  readonly outcomes: Readonly<Record<string, number>>;
  readonly errors: Readonly<Record<string, number>>;
  readonly invalid: number;
  readonly batches?: number;
  readonly createdAt: string;
  readonly queuedAt?: string;
  readonly cancelRequestedAt?: string;
  readonly completedAt?: string;
  readonly expiresAt: string;
  readonly callback?: {
    readonly url: string;
    readonly deliveries: readonly Omit<CallbackDelivery, 'jobId'>[];
  };
}

export interface JobProgress {
  /** Settled items (completed, failed or cancelled) as a share of all items, 0-100. */
  readonly percent: number;
  /** Items settled per minute since the job was queued (absent before the first one). */
  readonly itemsPerMinute?: number;
  /** At that pace, the seconds until the last pending item settles (absent when unknown or done). */
  readonly etaSeconds?: number;
  readonly estimatedCompletionAt?: string;
}

/** Progress from the counts: the observed pace since the job was queued, projected over what is left. */
export const jobProgress = (job: JobRecord, counts: JobCounts, now: Date): JobProgress => {
  const pending = counts.byStatus.PENDING;
  const percent = job.total === 0 ? 100 : Math.floor(((job.total - pending) / job.total) * 1000) / 10;
  const start = Date.parse(job.queuedAt ?? job.createdAt);
  const last = counts.lastSettledAt ? Date.parse(counts.lastSettledAt) : undefined;
  if (counts.settledByWorkers === 0 || last === undefined || last <= start) return { percent };
  const perMs = counts.settledByWorkers / (last - start);
  const itemsPerMinute = Math.round(perMs * 60_000 * 10) / 10;
  if (pending === 0 || job.status === 'CANCELLING') return { percent, itemsPerMinute };
  // The pace counts from the last settlement: a stalled job's ETA moves out as time passes.
  const etaMs = Math.max(0, last + pending / perMs - now.getTime());
  const etaSeconds = Math.ceil(etaMs / 1000);
  return {
    percent,
    itemsPerMinute,
    etaSeconds,
    estimatedCompletionAt: new Date(now.getTime() + etaSeconds * 1000).toISOString(),
  };
};

export const jobView = (
  job: JobRecord,
  counts: JobCounts,
  now: Date = new Date(),
  deliveries: readonly CallbackDelivery[] = [],
): JobView => ({
  ...jobHeading(job),
  counts: {
    pending: counts.byStatus.PENDING,
    completed: counts.byStatus.COMPLETED,
    failed: counts.byStatus.FAILED,
    cancelled: counts.byStatus.CANCELLED,
    deadLettered: counts.deadLettered,
  },
  progress: jobProgress(job, counts, now),
  ...(counts.waiting && !FINAL_JOB_STATUSES.includes(job.status) ? { waiting: counts.waiting } : {}),
  outcomes: counts.byOutcome,
  errors: counts.byError,
  invalid: job.invalid,
  ...(job.batches !== undefined ? { batches: job.batches } : {}),
  createdAt: job.createdAt,
  ...(job.queuedAt ? { queuedAt: job.queuedAt } : {}),
  ...(job.cancelRequestedAt ? { cancelRequestedAt: job.cancelRequestedAt } : {}),
  ...(job.completedAt ? { completedAt: job.completedAt } : {}),
  expiresAt: new Date(job.expiresAt * 1000).toISOString(),
  ...(job.callbackUrl
    ? {
        callback: {
          url: job.callbackUrl,
          deliveries: deliveries.map(({ jobId: _j, ...d }) => d),
        },
      }
    : {}),
});

/**
 * The job with exact counts and its callback deliveries; finishes it (through `finish`, which also hands
 * off its callback) when nothing is pending any more.
 */
export const readJob = async (
  jobs: JobsStore,
  job: JobRecord,
  now: Date = new Date(),
  finish?: (jobId: string, job: JobRecord) => Promise<JobRecord | undefined>,
): Promise<JobView> => {
  const counts = await jobs.countItems(job.jobId);
  let current = job;
  if ((job.status === 'RUNNING' || job.status === 'CANCELLING') && counts.byStatus.PENDING === 0 && finish) {
    current = (await finish(job.jobId, { ...job, openItems: 0 })) ?? job;
  }
  const deliveries = job.callbackUrl ? await jobs.listCallbacks(job.jobId) : [];
  return jobView(current, counts, now, deliveries);
};

/** A job in a list: no counts (they are one query per job), its links instead. */
export interface JobSummary extends JobHeading {
  readonly invalid: number;
  readonly createdAt: string;
  readonly completedAt?: string;
  readonly callbackUrl?: string;
  readonly links: { readonly self: string; readonly results: string };
}

export const jobSummary = (job: JobRecord): JobSummary => ({
  ...jobHeading(job),
  invalid: job.invalid,
  createdAt: job.createdAt,
  ...(job.completedAt ? { completedAt: job.completedAt } : {}),
  ...(job.callbackUrl ? { callbackUrl: job.callbackUrl } : {}),
  links: { self: `/v1/jobs/${job.jobId}`, results: `/v1/jobs/${job.jobId}/results` },
});

const listCursorSchema = z
  .object({ c: z.iso.datetime(), j: z.string().regex(/^job-[0-9a-f]{32}$/) })
  .strict();

export const encodeListCursor = (at: { createdAt: string; jobId: string }): string =>
  Buffer.from(JSON.stringify({ c: at.createdAt, j: at.jobId }), 'utf8').toString('base64url');

export const decodeListCursor = (cursor: string): { createdAt: string; jobId: string } => {
  try {
    const c = listCursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { createdAt: c.c, jobId: c.j };
  } catch {
    throw new ValidationError([
      {
        field: 'query.cursor',
        rule: 'cursor',
        message: 'query.cursor must be a nextCursor returned by GET /v1/jobs (rule: cursor)',
      },
    ]);
  }
};

// ------------------------------------------------------------------------------------------ results

const cursorSchema = z.object({ after: z.number().int().min(0).max(99_999) }).strict();

export const encodeCursor = (afterIndex: number): string =>
  Buffer.from(JSON.stringify({ after: afterIndex }), 'utf8').toString('base64url');

export const decodeCursor = (cursor: string): number => {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))).after;
  } catch {
    throw new ValidationError([
      {
        field: 'query.cursor',
        rule: 'cursor',
        message: 'query.cursor must be a nextCursor returned by this endpoint (rule: cursor)',
      },
    ]);
  }
};

export interface ResultItemView {
  readonly index: number;
  readonly status: JobItemStatus;
  readonly requestId?: string;
  readonly misIdentifier?: string;
  readonly outcome?: unknown;
  readonly result?: unknown;
  readonly error?: unknown;
  readonly settledAt?: string;
  readonly deadLetteredAt?: string;
}

export interface ResultsPage {
  readonly jobId: string;
  readonly operation: OperationId;
  readonly items: readonly ResultItemView[];
  readonly nextCursor?: string;
}

/** One page of per-learner results; `requests` items are read from their stored requests. */
export const readResults = async (
  deps: { readonly jobs: JobsStore; readonly results: Pick<ResultsStore, 'get'> },
  job: JobRecord,
  options: { readonly cursor?: string; readonly limit: number; readonly status?: JobItemStatus },
): Promise<ResultsPage> => {
  const afterIndex = options.cursor ? decodeCursor(options.cursor) : undefined;
  const page = await deps.jobs.listItems(job.jobId, {
    limit: options.limit,
    ...(afterIndex !== undefined ? { afterIndex } : {}),
    ...(options.status ? { status: options.status } : {}),
  });
  const items = await inParallel(page.items, 16, async (item) => itemView(deps.results, item));
  return {
    jobId: job.jobId,
    operation: job.operation,
    items,
    ...(page.more && page.lastIndex !== undefined ? { nextCursor: encodeCursor(page.lastIndex) } : {}),
  };
};

const itemView = async (results: Pick<ResultsStore, 'get'>, item: JobItem): Promise<ResultItemView> => {
  const base = {
    index: item.index,
    ...(item.requestId ? { requestId: item.requestId } : {}),
    ...(item.misIdentifier ? { misIdentifier: item.misIdentifier } : {}),
    ...(item.settledAt ? { settledAt: item.settledAt } : {}),
    ...(item.deadLetteredAt && item.status === 'PENDING' ? { deadLetteredAt: item.deadLetteredAt } : {}),
  };
  if (item.requestId && item.status !== 'PENDING') {
    const stored = await results.get(item.requestId);
    if (stored) {
      return {
        ...base,
        status: item.status,
        ...(stored.outcome ? { outcome: outcomeView(stored.outcome) } : {}),
        ...(stored.status === 'COMPLETED' ? { result: stored.result } : {}),
        ...(stored.error && stored.status === 'FAILED' ? { error: failureView(stored.error) } : {}),
      };
    }
  }
  return {
    ...base,
    status: item.status,
    ...(item.outcome ? { outcome: outcomeView({ ...outcomeFor(item.outcome.code), ...item.outcome }) } : {}),
    ...(item.result !== undefined ? { result: item.result } : {}),
    ...(item.error ? { error: failureView(item.error) } : {}),
  };
};

const achievementSummary = z.object({
  status: z.string().optional(),
  numberOfRecords: z.number().optional(),
  rejectionReason: z.string().optional(),
  achievementBatchErrorFile: z.string().optional(),
});

/** The schema of one item's result, for CSV columns. */
export const itemResultSchema = (op: OperationId): z.ZodType | undefined => {
  if (isLrsBatchOperation(op)) {
    const output = LRS_BATCH_OPERATIONS[op].output;
    if (output === 'getBatchRegistrationOutput')
      return elementOf(responseSchemas.getBatchRegistrationOutput, 'learners');
    if (output === 'getVerifyBatchOutput')
      return elementOf(responseSchemas.getVerifyBatchOutput, 'verifiedLearners');
    return achievementSummary;
  }
  return op === 'registerLearner' ? registerLearnerResultSchema() : responseSchemas[op];
};

export const CSV_META_COLUMNS = [
  'index',
  'status',
  'requestId',
  'misIdentifier',
  'outcome.code',
  'outcome.name',
  'outcome.class',
  'error.code',
  'error.message',
  'error.lrsCode',
  'error.issues',
] as const;

export const resultsCsvColumns = (op: OperationId): string[] => [
  ...CSV_META_COLUMNS,
  ...resultColumns(itemResultSchema(op)),
];
