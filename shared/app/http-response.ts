/**
 * The bodies the HTTP API answers with. A stored request is shown as a RequestView (the one outcome
 * model: requestId, operation, status, outcome, result or error, timings); an error that happened before
 * anything was stored is an ErrorBody. 5xx bodies never carry a stack or an internal message.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { type AppError, isAppError, ValidationError } from '../domain/errors.js';
import type { Outcome } from '../domain/outcome.js';
import type { OperationId } from '../lrs/operations.js';
import type { FailureInfo, RequestStatus, StoredRequest } from '../ports/results-store.js';
import { failureFromError } from './failures.js';
import { HEADERS } from './http-input.js';
import { type EdgeErrorCode, httpStatusForFailure } from './http-status.js';
import { RequestInFlightError } from './process-request.js';

export interface RequestView {
  readonly requestId: string;
  readonly operation: OperationId;
  readonly organisationId: string;
  readonly status: RequestStatus;
  readonly outcome?: Outcome;
  readonly result?: unknown;
  readonly error?: FailureView;
  readonly jobId?: string;
  readonly attempts: number;
  readonly receivedAt: string;
  readonly completedAt?: string;
  readonly lrsDurationMs?: number;
  /** WAITING only: why the request waits for the LRS and when the next attempt is due. */
  readonly waiting?: StoredRequest['waiting'];
}

export interface FailureView {
  readonly code: EdgeErrorCode;
  readonly message: string;
  readonly retryable: boolean;
  readonly lrsCode?: string;
  readonly detail?: string;
  readonly reason?: string;
  readonly retryAfterSeconds?: number;
  readonly issues?: FailureInfo['issues'];
}

export interface ErrorBody {
  readonly requestId: string;
  readonly operation?: OperationId;
  readonly status: 'REJECTED' | 'FAILED';
  readonly outcome?: Outcome;
  readonly error: FailureView;
}

/**
 * Retry-After for a duplicate of a call still in flight: the first call usually ends within seconds, so
 * the HTTP hint is short (the queue path waits for the whole lease instead, see queue-worker.ts).
 */
export const IN_FLIGHT_RETRY_SECONDS = 2;

const GENERIC_5XX: FailureView = { code: 'INTERNAL', message: 'Internal error', retryable: false };

/** What the caller may see of a failure: 500s are generic whatever the stored message says. */
export const failureView = (failure: FailureInfo): FailureView => {
  const status = httpStatusForFailure(failure);
  if (status === 500) return GENERIC_5XX;
  const { code, message, retryable, lrsCode, detail, reason, retryAfterSeconds, issues } = failure;
  return {
    code,
    message,
    retryable,
    ...(lrsCode ? { lrsCode } : {}),
    // LRS detail explains a rejection of the caller's data; it is not shown for our own set-up problems.
    ...(detail && status === 422 ? { detail } : {}),
    ...(reason ? { reason } : {}),
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    ...(issues ? { issues } : {}),
  };
};

export const toView = (record: StoredRequest): RequestView => ({
  requestId: record.requestId,
  operation: record.operation,
  organisationId: record.organisationId,
  status: record.status,
  ...(record.outcome ? { outcome: record.outcome } : {}),
  ...(record.status === 'COMPLETED' ? { result: record.result } : {}),
  ...(record.error ? { error: failureView(record.error) } : {}),
  ...(record.jobId ? { jobId: record.jobId } : {}),
  attempts: record.attempts,
  receivedAt: record.receivedAt,
  ...(record.completedAt ? { completedAt: record.completedAt } : {}),
  ...(record.lrsDurationMs !== undefined ? { lrsDurationMs: record.lrsDurationMs } : {}),
  ...(record.status === 'WAITING' && record.waiting ? { waiting: record.waiting } : {}),
});

export const json = (
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult => ({
  statusCode,
  headers: {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  },
  body: JSON.stringify(body),
});

const retryAfterHeader = (seconds: number | undefined): Record<string, string> =>
  seconds === undefined ? {} : { 'Retry-After': String(Math.max(1, Math.ceil(seconds))) };

/** The answer to an operation call, from the stored record. */
export const recordResponse = (
  record: StoredRequest,
  status: number,
  options: { replayed: boolean },
): APIGatewayProxyResult =>
  json(status, toView(record), {
    [HEADERS.requestId]: record.requestId,
    ...(options.replayed ? { [HEADERS.replayed]: 'true' } : {}),
    ...(status === 503 || status === 429 ? retryAfterHeader(record.error?.retryAfterSeconds) : {}),
  });

/** Errors raised at the edge: before anything was stored, or by the store itself. */
export const errorResponse = (
  error: unknown,
  context: { requestId: string; operation?: OperationId },
): APIGatewayProxyResult => {
  const failure: FailureInfo =
    error instanceof UnsupportedMediaTypeError
      ? { code: 'VALIDATION_FAILED', message: error.message, retryable: false }
      : failureFromError(error);
  const code: EdgeErrorCode =
    error instanceof UnsupportedMediaTypeError ? 'UNSUPPORTED_MEDIA_TYPE' : failure.code;
  const status = httpStatusForFailure({ code, ...(failure.lrsCode ? { lrsCode: failure.lrsCode } : {}) });
  const view = status === 500 ? GENERIC_5XX : { ...failureView(failure), code };
  const retryAfter =
    error instanceof RequestInFlightError
      ? Math.min(error.retryAfterSeconds, IN_FLIGHT_RETRY_SECONDS)
      : failure.retryAfterSeconds;
  const body: ErrorBody = {
    requestId: context.requestId,
    ...(context.operation ? { operation: context.operation } : {}),
    status: status >= 500 ? 'FAILED' : 'REJECTED',
    error:
      retryAfter !== undefined && view !== GENERIC_5XX ? { ...view, retryAfterSeconds: retryAfter } : view,
  };
  return json(status, body, {
    [HEADERS.requestId]: context.requestId,
    ...(status === 503 || status === 429 || status === 409 ? retryAfterHeader(retryAfter) : {}),
  });
};

/** The body is not JSON (wrong or missing Content-Type). */
export class UnsupportedMediaTypeError extends Error {
  constructor() {
    super('The request body must be JSON: send Content-Type: application/json');
    this.name = 'UnsupportedMediaTypeError';
  }
}

/** Middy's body parser errors, turned into ours: 415 for the media type, 400 naming the body otherwise. */
export const fromBodyParserError = (e: unknown): unknown => {
  if (isAppError(e) || !(e instanceof Error)) return e;
  const status = (e as { statusCode?: number }).statusCode;
  if (status !== 415) return e;
  if (e.message === 'Unsupported Media Type') return new UnsupportedMediaTypeError();
  return new ValidationError([
    { field: 'body', rule: 'json', message: 'body must be a well-formed JSON document (rule: json)' },
  ]);
};

export type { AppError };
