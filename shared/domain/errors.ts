/**
 * The closed error model. Each error has a stable `code`, carries its `cause`, and says whether a
 * retry can help. HTTP status is decided only at the API edge (one table, see functions/ http edge).
 * Business outcomes of the LRS (no match, possible matches, not shared, ...) are results, not errors.
 */

export interface FieldIssue {
  /** Dotted JSON path of the offending field, e.g. `learner.dateOfBirth`. */
  readonly field: string;
  /** Short rule name, e.g. `pattern`, `maxLength`, `required`, `ulnCheckDigit`. */
  readonly rule: string;
  /** Human message naming the field and the rule. Never contains the offending value. */
  readonly message: string;
}

export type AppErrorCode =
  | 'VALIDATION_FAILED'
  | 'LRS_REJECTED'
  | 'LRS_UNAVAILABLE'
  | 'CONFIGURATION'
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'CONFLICT'
  | 'JOB_FINISHED'
  | 'RATE_LIMITED';

export abstract class AppError extends Error {
  abstract readonly code: AppErrorCode;
  abstract readonly retryable: boolean;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The base of an error that no retry can help and that carries nothing but its message and cause:
 * each such error is a named subclass of this, so `instanceof` and `name` stay per error.
 */
const finalError = <C extends AppErrorCode>(code: C) => {
  abstract class FinalError extends AppError {
    readonly code: C = code;
    readonly retryable = false as const;
  }
  return FinalError;
};

/** The caller's input breaks a rule. Never retryable. */
export class ValidationError extends AppError {
  readonly code = 'VALIDATION_FAILED' as const;
  readonly retryable = false;
  constructor(
    readonly issues: readonly FieldIssue[],
    message = `Invalid request: ${issues.map((i) => i.message).join('; ')}`,
  ) {
    super(message);
  }
}

/**
 * The LRS refused the request: invalid request (WSEC0001), unknown request (WSEC0002), unknown
 * organisation (WSEC0003), wrong password (WSEC0005), insufficient access (WSEC0006), invalid ULN (WSEC0136),
 * or a DomainFault. Not retryable without a change by the caller or operator.
 */
export class LrsRejectedError extends AppError {
  readonly code = 'LRS_REJECTED' as const;
  readonly retryable = false;
  constructor(
    readonly lrsCode: string,
    message: string,
    /** Detail from the LRS that is safe to show (e.g. the Xerces validation message). */
    readonly detail?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type UnavailableReason =
  | 'OUT_OF_HOURS'
  | 'MAINTENANCE'
  | 'TIMEOUT'
  | 'CONNECTION'
  | 'TLS'
  | 'HTTP_ERROR'
  | 'THROTTLED';

/** The LRS could not answer now. Retryable; `retryAfterSeconds` is a hint for the caller and the queue. */
export class LrsUnavailableError extends AppError {
  readonly code = 'LRS_UNAVAILABLE' as const;
  readonly retryable = true;
  /**
   * False only when the LRS cannot have acted on the request: it never left the gateway (connection
   * refused, DNS, TLS handshake, a request not fully written) or the LRS answered that it did not
   * process it (out of hours, maintenance). True otherwise (a timeout or reset after the request was
   * sent, an HTTP error): the LRS may have done the work, so reconcile before sending it again.
   */
  readonly mayHaveReached: boolean;
  constructor(
    readonly reason: UnavailableReason,
    message: string,
    readonly retryAfterSeconds: number,
    readonly lrsCode?: string,
    options?: { cause?: unknown; mayHaveReached?: boolean },
  ) {
    super(message, options);
    this.mayHaveReached = options?.mayHaveReached ?? true;
  }
}

/** Deployment or secret shape is wrong. Not retryable; fails at init and alarms. */
export class ConfigurationError extends finalError('CONFIGURATION') {}

export class NotFoundError extends finalError('NOT_FOUND') {}

/** No credentials, or credentials that do not verify (expired, forged, wrong issuer or audience). */
export class UnauthenticatedError extends finalError('UNAUTHENTICATED') {}

/** The caller may not act for the organisation it named. */
export class ForbiddenError extends finalError('FORBIDDEN') {}

/** An idempotency key is being processed or was used with a different request body. */
export class ConflictError extends finalError('CONFLICT') {}

/** A bulk job cannot be cancelled: it has completed already. */
export class JobFinishedError extends finalError('JOB_FINISHED') {}

/** A limit is full for now (for example the stage's budget of LRS calls in flight). Retry after the hint. */
export class RateLimitedError extends AppError {
  readonly code = 'RATE_LIMITED' as const;
  readonly retryable = true;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
