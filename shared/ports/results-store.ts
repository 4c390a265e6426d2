/**
 * Where every accepted LRS request and its result are kept, readable again by request id, and where
 * idempotency keys are claimed. Records that hold learner data (the request and the result) always
 * carry an `expiresAt` TTL. No SDK here: the DynamoDB implementation is in shared/adapters.
 */
import type { AppErrorCode, FieldIssue, UnavailableReason } from '../domain/errors.js';
import type { Outcome } from '../domain/outcome.js';
import type { OperationId } from '../lrs/contract/operations.js';

/**
 * PENDING: accepted, waiting in a queue (written by whoever enqueued it, e.g. a bulk job).
 * IN_PROGRESS: a worker holds the lease and is talking to the LRS.
 * COMPLETED: the LRS answered; `outcome` and `result` are set (the outcome may be a business refusal).
 * WAITING: queued again to wait for the LRS (out of hours, maintenance, an outage...); `waiting` says why
 *   and when the next attempt is due, `error` holds the last transient failure. Nothing to do: it resumes.
 * FAILED: no LRS answer we can use; `error` says why and whether a retry can help.
 */
export type RequestStatus = 'PENDING' | 'IN_PROGRESS' | 'WAITING' | 'COMPLETED' | 'FAILED';

/** Why and until when a queued request waits for the LRS. */
export interface WaitingNote {
  /** The reason of the last failed attempt (OUT_OF_HOURS, MAINTENANCE, TIMEOUT, RATE_LIMITED...). */
  readonly reason: string;
  /** ISO timestamp: since when this request has been waiting. */
  readonly since: string;
  /** ISO timestamp: when the next LRS attempt is due. */
  readonly nextAttemptAt: string;
  /** LRS attempts that failed for a transient reason so far. */
  readonly attempts: number;
}

/** How the request reached the gateway. */
export type RequestSource = 'http' | 'queue' | 'job';

/** Why a request failed. Safe to show to the caller: never contains a submitted value or a secret. */
export interface FailureInfo {
  /** CANCELLED: a bulk job item its job's cancellation stopped before it reached the LRS. */
  readonly code: AppErrorCode | 'INTERNAL' | 'CANCELLED';
  readonly message: string;
  readonly retryable: boolean;
  readonly lrsCode?: string;
  /** LRS-provided detail for a rejected request (shown to the caller, never logged). */
  readonly detail?: string;
  readonly reason?: UnavailableReason;
  readonly retryAfterSeconds?: number;
  readonly issues?: readonly FieldIssue[];
}

export interface StoredRequest {
  readonly requestId: string;
  readonly operation: OperationId;
  readonly organisationId: string;
  /** API key id or IAM principal that sent the request (or the job's caller). */
  readonly caller: string;
  /** The LRS UserName the caller named, when it named one. */
  readonly userName?: string;
  readonly source: RequestSource;
  readonly jobId?: string;
  readonly idempotencyKey?: string;
  /** SHA-256 of the canonical request (operation, user name, body), to detect a reused idempotency key. */
  readonly requestHash?: string;
  readonly status: RequestStatus;
  /** How many times a worker has taken the lease (1 on the first attempt). */
  readonly attempts: number;
  readonly outcome?: Outcome;
  /** The operation's typed result (see shared/app/results.ts). */
  readonly result?: unknown;
  /** The validated request as sent to the use case. */
  readonly request?: unknown;
  readonly error?: FailureInfo;
  /** ISO timestamps. */
  readonly receivedAt: string;
  readonly startedAt?: string;
  readonly completedAt?: string;
  /** Time spent waiting on the LRS (sum over the calls the use case made). */
  readonly lrsDurationMs?: number;
  /** Epoch milliseconds until which the current worker owns an IN_PROGRESS record. */
  readonly leaseExpiresAt?: number;
  /** Epoch seconds: DynamoDB TTL. */
  readonly expiresAt: number;
  /** Set when the request's queue message ran out of deliveries and went to the DLQ (kept after a redrive). */
  readonly deadLetter?: DeadLetterNote;
  /** Set while the request is WAITING in its queue for the LRS. */
  readonly waiting?: WaitingNote;
  /**
   * A change the LRS may have made without our hearing the answer (the connection broke after the
   * request went out): the next attempt finds out what happened before sending anything again.
   */
  readonly unconfirmed?: UnconfirmedNote;
}

/** A mutating LRS call whose answer was lost (see StoredRequest.unconfirmed). */
export interface UnconfirmedNote {
  /** The LRS operation that may have taken effect (e.g. registerLearner). */
  readonly operation: OperationId;
  /** ISO timestamp of the call. */
  readonly at: string;
}

/** Why a queue message was given up and moved to its dead-letter queue. */
export interface DeadLetterNote {
  /** ISO timestamp of the last failed delivery. */
  readonly at: string;
  readonly receiveCount: number;
  readonly errorCode: FailureInfo['code'];
  readonly reason?: UnavailableReason;
  readonly message: string;
}

/** Who sent a request and what it is for: what every new record starts with. */
type RequestOrigin = Pick<
  StoredRequest,
  'requestId' | 'operation' | 'organisationId' | 'caller' | 'userName' | 'source' | 'jobId' | 'expiresAt'
>;

export interface BeginInput
  extends RequestOrigin,
    Pick<StoredRequest, 'idempotencyKey' | 'requestHash' | 'request'> {
  readonly now: Date;
  readonly leaseExpiresAt: number;
}

export type BeginResult =
  | { readonly acquired: true; readonly record: StoredRequest }
  | { readonly acquired: false; readonly existing: StoredRequest | undefined };

export interface CompleteInput {
  readonly outcome: Outcome;
  readonly result: unknown;
  readonly completedAt: Date;
  readonly lrsDurationMs: number;
}

export interface FailInput {
  readonly error: FailureInfo;
  /** A mutating call may have taken effect at the LRS (kept until a later attempt settles it). */
  readonly unconfirmed?: UnconfirmedNote;
  readonly outcome?: Outcome;
  readonly completedAt: Date;
  readonly lrsDurationMs?: number;
}

export interface RejectedInput extends Omit<RequestOrigin, 'userName'> {
  readonly error: FailureInfo;
  readonly now: Date;
}

export interface PendingInput extends RequestOrigin {
  readonly now: Date;
}

export type ClaimResult =
  | { readonly claimed: true }
  | { readonly claimed: false; readonly requestId: string; readonly requestHash: string };

export interface ResultsStore {
  /**
   * Take the lease on a request: creates it IN_PROGRESS, or takes over one that is PENDING, FAILED with a
   * retryable error, or IN_PROGRESS with an expired lease (same operation and organisation only).
   * Otherwise returns the existing record untouched (`existing` is undefined only when the id belongs to
   * another operation or organisation and the caller may not see it).
   */
  begin(input: BeginInput): Promise<BeginResult>;
  /** Record the LRS answer. Only the worker holding attempt `attempt` may do so; returns the stored record. */
  complete(requestId: string, attempt: number, input: CompleteInput): Promise<StoredRequest>;
  /** Record a failure. Same guard as complete(). */
  fail(requestId: string, attempt: number, input: FailInput): Promise<StoredRequest>;
  /**
   * Give back the lease of attempt `attempt` before it called the LRS (the worker cannot start the call
   * in time): the request reads PENDING again, the attempt is not counted, and the next worker may take it
   * at once. No-op when the record changed meanwhile.
   */
  giveBack(requestId: string, attempt: number): Promise<void>;
  /**
   * Record a request that was refused before any LRS call (an invalid queue message). Writes only when no
   * record with that id exists; returns false (and writes nothing) otherwise.
   */
  recordRejected(input: RejectedInput): Promise<boolean>;
  /**
   * Record a request accepted for later processing (e.g. a bulk job item about to be queued), so it reads
   * as PENDING until a worker takes it. Writes only when the id is new; returns false otherwise.
   */
  createPending(input: PendingInput): Promise<boolean>;
  /** Note on a record that its queue message goes to the DLQ, and why (optional: not every store has it). */
  noteDeadLetter?(requestId: string, note: DeadLetterNote): Promise<void>;
  /**
   * Mark a retryable FAILED record (attempt `attempt`) as WAITING in its queue for the LRS (optional: not
   * every store has it). No-op when the record changed meanwhile.
   */
  noteWaiting?(requestId: string, attempt: number, note: WaitingNote): Promise<void>;
  /** Read a record; expired records (past their TTL but not yet swept) read as absent. */
  get(requestId: string): Promise<StoredRequest | undefined>;
  /** Read many records (absent ones are missing from the map). */
  getMany(requestIds: readonly string[]): Promise<Map<string, StoredRequest>>;
  /**
   * Claim an idempotency key for a caller of an organisation (one caller's keys never meet another's);
   * on a clash returns who holds it.
   */
  claimIdempotencyKey(input: {
    readonly organisationId: string;
    /** The caller the key belongs to. */
    readonly caller: string;
    readonly key: string;
    readonly requestId: string;
    readonly requestHash: string;
    readonly now: Date;
    readonly expiresAt: number;
  }): Promise<ClaimResult>;
}
