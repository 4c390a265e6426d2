/**
 * Turning an error into what we store and show: a FailureInfo whose message we wrote ourselves (so no
 * host name, stack, submitted value or secret leaks from a lower layer), and the outcome of the LRS code
 * when there is one.
 */
import {
  ConfigurationError,
  isAppError,
  LrsRejectedError,
  LrsUnavailableError,
  RateLimitedError,
  type UnavailableReason,
  ValidationError,
} from '../domain/errors.js';
import type { Outcome, OutcomeInfo } from '../domain/outcome.js';
import { type RejectionKind, rejectionKind } from '../lrs/contract/rejections.js';
import type { FailureInfo } from '../ports/results-store.js';

/** What we tell the caller about a rejection that is not about its data (see rejectionKind). */
const REJECTION_MESSAGES: Record<Exclude<RejectionKind, 'request'>, string> = {
  access: 'The LRS does not allow this organisation to use this operation',
  setup: "The LRS refused the gateway's credentials or access for this organisation",
  contract: 'The LRS could not accept the message the gateway sent',
  answer: 'The LRS answer could not be accepted',
};

/**
 * True when an LRS rejection says the gateway's own access for the organisation is at fault
 * (credentials, certificates, or an operation the organisation may not use), not the caller's data.
 */
export const isGatewaySideLrsCode = (lrsCode: string | undefined): boolean => {
  if (lrsCode === undefined) return false;
  const kind = rejectionKind(lrsCode);
  return kind === 'access' || kind === 'setup';
};

const UNAVAILABLE_MESSAGES: Record<UnavailableReason, string> = {
  OUT_OF_HOURS: 'The LRS is outside its service hours; try again later',
  MAINTENANCE: 'The LRS is down for maintenance; try again later',
  TIMEOUT: 'The LRS did not answer in time; try again later',
  CONNECTION: 'The LRS could not be reached; try again later',
  TLS: 'A secure connection to the LRS could not be made; try again later',
  HTTP_ERROR: 'The LRS answered with an error; try again later',
  THROTTLED: 'The LRS is busy; try again later',
};

export const failureFromError = (e: unknown): FailureInfo => {
  if (e instanceof ValidationError) {
    return {
      code: e.code,
      message: 'The request is invalid: see issues',
      retryable: false,
      issues: e.issues.map(({ field, rule, message }) => ({ field, rule, message })),
    };
  }
  if (e instanceof LrsRejectedError) {
    const kind = rejectionKind(e.lrsCode);
    if (kind !== 'request') {
      return { code: e.code, lrsCode: e.lrsCode, message: REJECTION_MESSAGES[kind], retryable: false };
    }
    return {
      code: e.code,
      lrsCode: e.lrsCode,
      message: 'The LRS rejected the request',
      retryable: false,
      ...(e.detail ? { detail: e.detail } : {}),
    };
  }
  if (e instanceof LrsUnavailableError) {
    return {
      code: e.code,
      reason: e.reason,
      message: UNAVAILABLE_MESSAGES[e.reason] ?? 'The LRS is unavailable; try again later',
      retryable: true,
      retryAfterSeconds: Math.max(1, Math.ceil(e.retryAfterSeconds)),
      ...(e.lrsCode ? { lrsCode: e.lrsCode } : {}),
    };
  }
  if (e instanceof RateLimitedError) {
    return {
      code: e.code,
      message: e.message,
      retryable: true,
      retryAfterSeconds: Math.max(1, Math.ceil(e.retryAfterSeconds)),
    };
  }
  if (
    e instanceof ConfigurationError &&
    (e.cause as { name?: string } | undefined)?.name === 'ResourceNotFoundException'
  ) {
    // No secret for the organisation: the gateway does not serve it (a caller may still be allowed '*').
    return {
      code: 'FORBIDDEN',
      message: 'The gateway holds no LRS credentials for this organisation',
      retryable: false,
    };
  }
  if (e instanceof ConfigurationError) {
    return { code: e.code, message: 'The gateway is not configured for this request', retryable: false };
  }
  if (isAppError(e)) {
    // Forbidden / NotFound / Conflict: messages written in shared/app, safe to show.
    return { code: e.code, message: e.message, retryable: e.retryable };
  }
  return { code: 'INTERNAL', message: 'Internal error', retryable: false };
};

/**
 * The outcome that goes with a failure: the LRS code's catalogue entry for a rejection (e.g. WSEC0001),
 * and for an unavailable LRS always a `retry-later` outcome: the code's entry when it is one (WSEC0004
 * out of hours), otherwise one named after the reason (the maintenance fault reuses WSEC0001, which must
 * not read as "your request is invalid").
 */
export const failureOutcome = (
  failure: FailureInfo,
  outcomeFor: (code: string) => OutcomeInfo,
): Outcome | undefined => {
  if (failure.code === 'LRS_UNAVAILABLE') {
    const info = failure.lrsCode ? outcomeFor(failure.lrsCode) : undefined;
    const base: OutcomeInfo =
      info && info.class === 'retry-later'
        ? info
        : {
            code: failure.reason ?? 'UNAVAILABLE',
            name: `LRS_${failure.reason ?? 'UNAVAILABLE'}`,
            description: failure.message,
            class: 'retry-later',
            final: false,
          };
    return {
      ...base,
      ...(failure.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: failure.retryAfterSeconds }),
    };
  }
  if (!failure.lrsCode) return undefined;
  return { ...outcomeFor(failure.lrsCode) };
};
