/**
 * THE table from results and errors to HTTP status codes. Nothing else in the gateway picks a status.
 *
 * | what                                                        | status |
 * |-------------------------------------------------------------|--------|
 * | the LRS answered (any outcome, business refusals included)  | 200    |
 * | invalid headers or body                                     | 400    |
 * | no or invalid credentials                                   | 401    |
 * | caller may not act for the organisation                     | 403    |
 * | unknown request id                                          | 404    |
 * | idempotency key reused with another body, or still in flight| 409    |
 * | body is not JSON (Content-Type)                             | 415    |
 * | LRS rejected the caller's data (WSEC0001, WSEC0136, ...)    | 422    |
 * | LRS does not let the organisation use the operation (WSEC0006) | 403 |
 * | LRS rejected the gateway's credentials/set-up (WSEC0002/3/5, TLS), our message (contract) or its answer broke a limit | 502 |
 * | a limit is full for now (LRS calls in flight)               | 429 + Retry-After |
 * | LRS out of hours, maintenance, timeout, unreachable         | 503 + Retry-After |
 * | anything else                                               | 500 (generic body) |
 */

import { rejectionKind } from '../lrs/contract/rejections.js';
import type { FailureInfo, StoredRequest } from '../ports/results-store.js';

export type EdgeErrorCode = FailureInfo['code'] | 'UNSUPPORTED_MEDIA_TYPE';

export const httpStatusForFailure = (failure: { code: EdgeErrorCode; lrsCode?: string }): number => {
  switch (failure.code) {
    case 'VALIDATION_FAILED':
      return 400;
    case 'UNAUTHENTICATED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'CONFLICT':
    case 'CANCELLED':
    case 'JOB_FINISHED':
      return 409;
    case 'UNSUPPORTED_MEDIA_TYPE':
      return 415;
    case 'LRS_REJECTED':
      if (!failure.lrsCode) return 422;
      return { request: 422, access: 403, setup: 502, contract: 502, answer: 502 }[
        rejectionKind(failure.lrsCode)
      ];
    case 'RATE_LIMITED':
      return 429;
    case 'LRS_UNAVAILABLE':
      return 503;
    default:
      return 500;
  }
};

/** Status of the answer to an operation call (POST) for a stored request. */
export const httpStatusForRecord = (record: StoredRequest): number => {
  if (record.status === 'COMPLETED') return 200;
  if (record.status === 'FAILED' && record.error) return httpStatusForFailure(record.error);
  // PENDING / IN_PROGRESS are only ever read back through GET /v1/requests/{id}.
  return 202;
};
