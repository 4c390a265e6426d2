/**
 * The bodies the HTTP API answers with. A 2xx answer to an operation is a RequestView (the one outcome
 * model: requestId, operation, status, outcome, result, timings). Every non-2xx answer, from any layer, is
 * the one error envelope `{ error: { code, message, retryable, requestId, docUrl, issues? } }` (see
 * error-codes.ts). 5xx bodies never carry a stack or an internal message.
 */

import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { failureFromError, failureOutcome } from '../app/failures.js';
import { RequestInFlightError } from '../app/process-request.js';
import { docUrlFor, ERROR_CODES, type ErrorCode, retryAfterSeconds } from '../domain/error-codes.js';
import { type AppError, ConflictError, isAppError, ValidationError } from '../domain/errors.js';
import type { OutcomeView } from '../domain/outcome.js';
import type { OperationId } from '../lrs/contract/operations.js';
import { outcomeFor, outcomeView } from '../lrs/contract/outcomes.js';
import { rejectionKind } from '../lrs/contract/rejections.js';
import type { FailureInfo, RequestStatus, StoredRequest } from '../ports/results-store.js';
import { HEADERS } from './http-input.js';
import { httpStatusForFailure } from './http-status.js';

export interface RequestView {
  readonly requestId: string;
  readonly operation: OperationId;
  readonly organisationId: string;
  readonly status: RequestStatus;
  readonly outcome?: OutcomeView;
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
  readonly code: ErrorCode;
  readonly message: string;
  readonly retryable: boolean;
  readonly lrsCode?: string;
  readonly detail?: string;
  readonly reason?: string;
  readonly retryAfterSeconds?: number;
  readonly issues?: FailureInfo['issues'];
}

/** The one error envelope of every non-2xx answer. */
export interface ErrorEnvelope {
  readonly error: FailureView & {
    readonly requestId: string;
    readonly docUrl: string;
    readonly operation?: OperationId;
    /** The LRS outcome that goes with the failure (e.g. WSEC0004 out of hours), when there is one. */
    readonly outcome?: OutcomeView;
  };
}

/**
 * Retry-After for a duplicate of a call still in flight: the first call usually ends within seconds, so
 * the HTTP hint is short (the queue path waits for the whole lease instead, see queue-worker.ts).
 */
export const IN_FLIGHT_RETRY_SECONDS = 2;

const GENERIC_5XX: FailureView = { code: 'INTERNAL', message: 'Internal error', retryable: false };

/** The public error code of a stored or raised failure: distinct per cause. */
const publicCode = (failure: FailureInfo): ErrorCode => {
  switch (failure.code) {
    case 'CONFLICT':
      return 'IDEMPOTENCY_KEY_REUSED';
    case 'LRS_REJECTED': {
      const kind = failure.lrsCode ? rejectionKind(failure.lrsCode) : 'request';
      if (kind === 'access') return 'LRS_OPERATION_NOT_ALLOWED';
      if (kind === 'setup') return 'LRS_ACCESS_REFUSED';
      return kind === 'request' ? 'LRS_REJECTED' : 'LRS_BAD_EXCHANGE';
    }
    case 'CONFIGURATION':
      return 'INTERNAL';
    default:
      return failure.code;
  }
};

/** What the caller may see of a failure: 500s are generic whatever the stored message says. */
export const failureView = (failure: FailureInfo): FailureView => {
  const status = httpStatusForFailure(failure);
  if (status === 500) return GENERIC_5XX;
  const { message, retryable, lrsCode, detail, reason, retryAfterSeconds: after, issues } = failure;
  return {
    code: publicCode(failure),
    message,
    retryable,
    ...(lrsCode ? { lrsCode } : {}),
    // LRS detail explains a rejection of the caller's data; it is not shown for our own set-up problems.
    ...(detail && status === 422 ? { detail } : {}),
    ...(reason ? { reason } : {}),
    ...(after !== undefined ? { retryAfterSeconds: after } : {}),
    ...(issues ? { issues } : {}),
  };
};

export const toView = (record: StoredRequest): RequestView => ({
  requestId: record.requestId,
  operation: record.operation,
  organisationId: record.organisationId,
  status: record.status,
  ...(record.outcome ? { outcome: outcomeView(record.outcome) } : {}),
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

/**
 * The base URL the caller used (scheme, host and any stage or base path), from the proxy event, so
 * that `docUrl` points into the reference of the same API. Empty when the event does not say.
 */
export const apiBaseUrl = (
  event?: Pick<APIGatewayProxyEvent, 'headers' | 'path' | 'requestContext'>,
): string => {
  if (!event) return '';
  const headers = Object.fromEntries(
    Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v ?? '']),
  );
  const host = headers.host || event.requestContext?.domainName;
  if (!host || !/^[A-Za-z0-9.:[\]-]{1,253}$/.test(host)) return '';
  const proto = headers['x-forwarded-proto'] === 'http' ? 'http' : 'https';
  const full = event.requestContext?.path ?? '';
  const path = event.path ?? '';
  const prefix = path && full.endsWith(path) ? full.slice(0, full.length - path.length) : '';
  return `${proto}://${host}${/^[A-Za-z0-9/_.-]*$/.test(prefix) ? prefix : ''}`;
};

/** The envelope for a code with the fields of a failure view. */
export const errorEnvelope = (
  view: FailureView,
  context: { requestId: string; baseUrl?: string; operation?: OperationId; outcome?: OutcomeView },
): ErrorEnvelope => ({
  error: {
    ...view,
    requestId: context.requestId,
    docUrl: docUrlFor(view.code, context.baseUrl),
    ...(context.operation ? { operation: context.operation } : {}),
    ...(context.outcome ? { outcome: context.outcome } : {}),
  },
});

/** A retryable answer always says when (body and Retry-After agree); any other never does. */
const settleRetry = (view: FailureView): { view: FailureView; headers: Record<string, string> } => {
  const { retryAfterSeconds: after, ...rest } = view;
  if (!view.retryable) return { view: rest, headers: {} };
  const seconds = retryAfterSeconds(after ?? 1);
  return { view: { ...rest, retryAfterSeconds: seconds }, headers: { 'Retry-After': String(seconds) } };
};

/** The answer to an operation call, from the stored record: the RequestView, or the envelope when not 2xx. */
export const recordResponse = (
  record: StoredRequest,
  status: number,
  options: { replayed: boolean; baseUrl?: string },
): APIGatewayProxyResult => {
  const headers = {
    [HEADERS.requestId]: record.requestId,
    ...(options.replayed ? { [HEADERS.replayed]: 'true' } : {}),
  };
  if (status < 300 || !record.error) return json(status, toView(record), headers);
  const stored = failureView(record.error);
  const { view, headers: retry } = settleRetry({
    ...stored,
    retryable: ERROR_CODES[stored.code].retryable && stored.retryable,
  });
  return json(
    status,
    errorEnvelope(view, {
      requestId: record.requestId,
      operation: record.operation,
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      ...(record.outcome && status !== 500 ? { outcome: outcomeView(record.outcome) } : {}),
    }),
    { ...headers, ...retry },
  );
};

/** Errors raised at the edge: before anything was stored, or by the store itself. */
export const errorResponse = (
  error: unknown,
  context: { requestId: string; operation?: OperationId; baseUrl?: string },
): APIGatewayProxyResult => {
  const failure: FailureInfo = failureFromError(error);
  const status =
    error instanceof UnsupportedMediaTypeError
      ? 415
      : httpStatusForFailure({
          code: failure.code,
          ...(failure.lrsCode ? { lrsCode: failure.lrsCode } : {}),
        });
  let raw: FailureView;
  if (status === 500) raw = GENERIC_5XX;
  else if (error instanceof UnsupportedMediaTypeError)
    raw = { code: 'UNSUPPORTED_MEDIA_TYPE', message: error.message, retryable: false };
  else if (error instanceof RequestInFlightError)
    raw = {
      code: 'IDEMPOTENCY_KEY_IN_USE',
      message: error.message,
      retryable: true,
      retryAfterSeconds: Math.min(retryAfterSeconds(error.retryAfterSeconds), IN_FLIGHT_RETRY_SECONDS),
    };
  else if (error instanceof ConflictError) raw = { ...failureView(failure), code: 'IDEMPOTENCY_KEY_REUSED' };
  else raw = failureView(failure);
  const { view, headers: retry } = settleRetry(raw);
  const outcome = status === 500 ? undefined : failureOutcome(failure, outcomeFor);
  return json(
    status,
    errorEnvelope(view, {
      requestId: context.requestId,
      ...(context.operation ? { operation: context.operation } : {}),
      ...(context.baseUrl ? { baseUrl: context.baseUrl } : {}),
      ...(outcome ? { outcome: outcomeView(outcome) } : {}),
    }),
    {
      [HEADERS.requestId]: context.requestId,
      ...retry,
    },
  );
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
