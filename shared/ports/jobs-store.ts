/**
 * Where bulk jobs are kept: the job itself, one item per learner (its status, outcome and, for LRS batch
 * jobs, its result row) and, for LRS batch jobs, one record per LRS batch of at most 200 learners.
 * Every record carries the job's `expiresAt` TTL (items hold learner data). No SDK here: the DynamoDB
 * implementation is in shared/adapters/dynamodb-jobs-store.ts.
 */
import type { OutcomeClass } from '../domain/outcome.js';
import type { OperationId } from '../lrs/contract/operations.js';
import type { FailureInfo } from './results-store.js';

/**
 * `requests`: one gateway request per item, fanned out through the operation's queue; each item's result
 * is the stored request `<jobId>:<index>` (read it with GET /v1/requests/{requestId} too).
 * `lrs-batch`: the items go to the LRS in batches of at most 200 through its own batch operations; each
 * item's result is its row of the batch output.
 */
export type JobKind = 'requests' | 'lrs-batch';
/**
 * RUNNING until every item is settled, then COMPLETED (whatever the items' outcomes). A cancelled job is
 * CANCELLING while its items in flight settle, then CANCELLED.
 */
export type JobStatus = 'RUNNING' | 'CANCELLING' | 'COMPLETED' | 'CANCELLED';
/**
 * PENDING: waiting or at the LRS. COMPLETED: the LRS answered for it. FAILED: no usable answer.
 * CANCELLED: the job was cancelled before the item was sent to the LRS.
 */
export type JobItemStatus = 'PENDING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
/** The statuses a job ends in. */
export const FINAL_JOB_STATUSES: readonly JobStatus[] = ['COMPLETED', 'CANCELLED'];

export interface JobRecord {
  readonly jobId: string;
  readonly kind: JobKind;
  /** The operation the caller asked for (for lrs-batch jobs: the submit operation). */
  readonly operation: OperationId;
  readonly organisationId: string;
  readonly caller: string;
  readonly userName?: string;
  /** Batch-level fields of an LRS batch job (e.g. jobType, orgEmail), sent with every batch. */
  readonly options?: Readonly<Record<string, unknown>>;
  /** SHA-256 of the submitted job (operation, options, items), to recognise a repeated submission. */
  readonly requestHash: string;
  readonly idempotencyKey?: string;
  readonly total: number;
  /** Items refused by validation (recorded FAILED, never sent). */
  readonly invalid: number;
  /** Number of LRS batches (lrs-batch jobs only). */
  readonly batches?: number;
  readonly status: JobStatus;
  /** https URL POSTed (signed) when the job completes, is cancelled or gets dead-lettered items. */
  readonly callbackUrl?: string;
  /**
   * Items not yet known to be settled. Decremented before each item settles, so it never exceeds the real
   * number: at 0 (or below) the items are counted exactly to confirm the job is finished.
   */
  readonly openItems?: number;
  /** ISO timestamps. */
  readonly createdAt: string;
  /** Every message of the job reached its queue (absent while the fan-out is pending or being resumed). */
  readonly queuedAt?: string;
  readonly cancelRequestedAt?: string;
  /** When the job finished (COMPLETED or CANCELLED). */
  readonly completedAt?: string;
  /** The first dead-lettered item was reported to the callback. */
  readonly deadLetterNotifiedAt?: string;
  /** Epoch seconds: DynamoDB TTL of the job and everything under it. */
  readonly expiresAt: number;
}

/** The part of an outcome kept with an item (the full outcome is on the stored request). */
export interface ItemOutcome {
  readonly code: string;
  readonly name: string;
  readonly class: OutcomeClass;
}

export interface JobItem {
  readonly jobId: string;
  readonly index: number;
  /** The gateway request of a `requests` job item. */
  readonly requestId?: string;
  /** The caller's own key for the learner, when the item carried one. */
  readonly misIdentifier?: string;
  /** The validated request (one learner of an LRS batch), kept so that an interrupted fan-out can resume. */
  readonly request?: unknown;
  /** Which LRS batch the item went in (lrs-batch jobs). */
  readonly batch?: number;
  readonly status: JobItemStatus;
  readonly outcome?: ItemOutcome;
  readonly error?: FailureInfo;
  /** The item's row of an LRS batch output (lrs-batch jobs only; `requests` items keep theirs on the request). */
  readonly result?: unknown;
  readonly settledAt?: string;
  /** ISO timestamp: the item's message went to the DLQ (the item stays PENDING until a redrive settles it). */
  readonly deadLetteredAt?: string;
  /** Set while the item's message waits in its queue for the LRS (cleared when the item settles). */
  readonly waiting?: JobWaiting;
}

/** Why and until when work waits for the LRS (on an item, and summed up on its job). */
export interface JobWaiting {
  /** OUT_OF_HOURS, MAINTENANCE, TIMEOUT, CONNECTION, HTTP_ERROR, THROTTLED, RATE_LIMITED... */
  readonly reason: string;
  /** ISO timestamp: since when (the earliest of the waiting items, on the job). */
  readonly since: string;
  /** ISO timestamp: the next LRS attempt due (the earliest of the waiting items, on the job). */
  readonly nextAttemptAt: string;
}

export interface ItemSettlement {
  readonly index: number;
  readonly status: Exclude<JobItemStatus, 'PENDING'>;
  readonly outcome?: ItemOutcome;
  readonly error?: FailureInfo;
  readonly result?: unknown;
  readonly settledAt: Date;
}

/** One LRS batch of an lrs-batch job: which items it holds and where the LRS job is. */
export interface JobBatch {
  readonly jobId: string;
  readonly batch: number;
  readonly indexes: readonly number[];
  /** The LRS job id the submit returned. */
  readonly lrsJobId?: string;
  readonly polls: number;
  readonly status: 'SUBMITTING' | 'POLLING' | 'DONE' | 'FAILED';
}

export interface JobCounts {
  readonly byStatus: Readonly<Record<JobItemStatus, number>>;
  /** PENDING items whose message is in a dead-letter queue. */
  readonly deadLettered: number;
  /** PENDING items waiting for the LRS, with the most common reason (absent when none waits). */
  readonly waiting?: JobWaiting & { readonly items: number };
  /** Settled items by outcome code (COMPLETED items, and FAILED items that carry an LRS code). */
  readonly byOutcome: Readonly<Record<string, number>>;
  /** FAILED items by error code. */
  readonly byError: Readonly<Record<string, number>>;
  /** Items settled by a worker (not refused at submission), and the first and last such settlement. */
  readonly settledByWorkers: number;
  readonly firstSettledAt?: string;
  readonly lastSettledAt?: string;
}

/** Work a job still owes, kept until done (the outbox index): a sweeper picks up what is overdue. */
export type OutboxTask =
  | { readonly kind: 'fan-out' }
  | { readonly kind: 'callback'; readonly event: CallbackEventType };

export type CallbackEventType = 'job.completed' | 'job.cancelled' | 'job.items_dead_lettered';

export interface OutboxEntry {
  readonly jobId: string;
  readonly task: OutboxTask;
  /** ISO timestamp: when the sweeper should do it if nobody has. */
  readonly dueAt: string;
  readonly attempts: number;
}

/** One attempt to deliver a callback. */
export interface CallbackAttempt {
  readonly at: string;
  readonly statusCode?: number;
  /** Why the attempt failed without an HTTP status (timeout, refused, TLS...), never a body. */
  readonly error?: string;
  readonly durationMs: number;
  /** When the next attempt is due; absent once delivered or given up. */
  readonly nextAttemptAt?: string;
}

/** A callback event of a job and how its delivery went. */
export interface CallbackDelivery {
  readonly jobId: string;
  readonly eventId: string;
  readonly event: CallbackEventType;
  readonly state: 'PENDING' | 'DELIVERED' | 'FAILED';
  readonly createdAt: string;
  readonly deliveredAt?: string;
  readonly attempts: readonly CallbackAttempt[];
}

export interface JobListQuery {
  readonly organisationId: string;
  /** Only the jobs this caller submitted. */
  readonly caller?: string;
  readonly status?: JobStatus;
  /** ISO timestamp: only jobs created strictly after it. */
  readonly createdAfter?: string;
  readonly limit: number;
  /** Where the previous page stopped (from `next`). */
  readonly after?: { readonly createdAt: string; readonly jobId: string };
}

export interface JobsStore {
  /**
   * Create the job, its items and batches. Writes nothing and returns the existing job when a job with
   * this id exists already (a repeated submission with the same Idempotency-Key).
   */
  createJob(
    job: JobRecord,
    items: readonly JobItem[],
    batches?: readonly JobBatch[],
  ): Promise<{ created: boolean; job: JobRecord }>;
  getJob(jobId: string): Promise<JobRecord | undefined>;
  /** Every message of the job is on its queue: sets `queuedAt` and clears the fan-out outbox entry. */
  markQueued(jobId: string, at: Date): Promise<void>;
  /**
   * Settle PENDING items; an item that is settled already is left as it is (redeliveries are harmless).
   * Takes the items that are still PENDING off the job's `openItems` first. Returns how many items changed.
   */
  settleItems(jobId: string, settlements: readonly ItemSettlement[]): Promise<number>;
  /** Flag PENDING items whose message went to the DLQ; settling them later clears the flag. */
  markDeadLettered(jobId: string, indexes: readonly number[], at: Date): Promise<void>;
  /** Note on PENDING items that their message waits for the LRS; settling them clears it. */
  markWaiting(jobId: string, indexes: readonly number[], waiting: JobWaiting): Promise<void>;
  countItems(jobId: string): Promise<JobCounts>;
  /** Items in index order, starting after `afterIndex` (exclusive). */
  listItems(
    jobId: string,
    options: { readonly afterIndex?: number; readonly limit: number; readonly status?: JobItemStatus },
  ): Promise<{ items: JobItem[]; lastIndex?: number; more: boolean }>;
  getBatch(jobId: string, batch: number): Promise<JobBatch | undefined>;
  /** The organisation's jobs, newest first (an index query, never a scan). */
  listJobs(query: JobListQuery): Promise<{
    jobs: JobRecord[];
    next?: { readonly createdAt: string; readonly jobId: string };
  }>;
  /** RUNNING → CANCELLING; returns the job as it is afterwards (undefined when there is no such job). */
  requestCancel(jobId: string, at: Date): Promise<JobRecord | undefined>;
  /** RUNNING → COMPLETED or CANCELLING → CANCELLED, once; true for the call that made the change. */
  finishJob(jobId: string, at: Date): Promise<boolean>;
  /** Set the dead-letter notice flag once; true for the call that set it. */
  markDeadLetterNotified(jobId: string, at: Date): Promise<boolean>;
  /** Add or replace an outbox entry (keyed by job and task). */
  putOutbox(entry: OutboxEntry): Promise<void>;
  deleteOutbox(jobId: string, task: OutboxTask): Promise<void>;
  /** Entries due at or before `now`, oldest first. */
  dueOutbox(now: Date, limit: number): Promise<OutboxEntry[]>;
  /** Record a callback event (once: an existing event is left as it is). */
  createCallback(delivery: CallbackDelivery, expiresAt: number): Promise<void>;
  /** Append an attempt and set the state. */
  recordCallbackAttempt(
    jobId: string,
    eventId: string,
    attempt: CallbackAttempt,
    state: CallbackDelivery['state'],
  ): Promise<void>;
  listCallbacks(jobId: string): Promise<CallbackDelivery[]>;
  updateBatch(
    jobId: string,
    batch: number,
    change: { readonly status: JobBatch['status']; readonly lrsJobId?: string; readonly polls?: number },
  ): Promise<void>;
}
