/**
 * Every error code the API answers with, from any layer (API Gateway, the authorizer, the functions),
 * with its HTTP status, whether a retry can help, and what the caller should do. Every non-2xx body is
 * the one envelope `{ error: { code, message, retryable, requestId, docUrl, issues? } }`; `docUrl` points
 * at the code's entry in the reference (`/v1/docs/errors#<code>`).
 */

export interface ErrorCodeInfo {
  readonly status: number;
  /** True when the same request may succeed later (then the answer carries Retry-After). */
  readonly retryable: boolean;
  /** Which layer answers with it. */
  readonly source: 'gateway' | 'function';
  readonly meaning: string;
  /** What the calling system should do. */
  readonly action: string;
}

const c = (
  status: number,
  retryable: boolean,
  source: ErrorCodeInfo['source'],
  meaning: string,
  action: string,
): ErrorCodeInfo => ({ status, retryable, source, meaning, action });

export const ERROR_CODES = {
  VALIDATION_FAILED: c(
    400,
    false,
    'function',
    'A header, path parameter, query parameter or body field breaks a rule; `issues` names each one',
    'Fix every field listed in `issues` (field, rule and expected form); do not retry unchanged',
  ),
  BAD_REQUEST_BODY: c(
    400,
    false,
    'gateway',
    'The body is not a JSON object (API Gateway request validator)',
    'Send a JSON object with Content-Type: application/json',
  ),
  BAD_REQUEST_PARAMETERS: c(
    400,
    false,
    'gateway',
    'A required path or query parameter is missing (API Gateway request validator)',
    'Send every required parameter',
  ),
  UNAUTHENTICATED: c(
    401,
    false,
    'gateway',
    'No credentials, or credentials that do not verify (expired, forged, wrong issuer or audience)',
    'Get a new access token from the token endpoint and send it as Authorization: Bearer <token>',
  ),
  INVALID_API_KEY: c(
    403,
    false,
    'gateway',
    'The x-api-key header is missing or names no enabled key',
    'Send the API key issued to your system in the x-api-key header',
  ),
  FORBIDDEN: c(
    403,
    false,
    'function',
    'The caller may not act for the organisation it named, or the gateway holds no LRS credentials for it',
    'Check X-LRS-Organisation; ask the gateway operator to grant your system that organisation',
  ),
  NOT_FOUND: c(
    404,
    false,
    'function',
    'No request or job with this id, or not one this caller may see',
    'Check the id; ids are only visible to callers allowed for their organisation',
  ),
  ROUTE_NOT_FOUND: c(
    404,
    false,
    'gateway',
    'No route with this path and method',
    'Check the path and method against the reference',
  ),
  METHOD_NOT_ALLOWED: c(
    405,
    false,
    'gateway',
    'The path exists but not with this method (local runtime; the deployed API answers ROUTE_NOT_FOUND)',
    'Use a method listed in the Allow header',
  ),
  IDEMPOTENCY_KEY_IN_USE: c(
    409,
    true,
    'function',
    'The first call with this Idempotency-Key is still being processed',
    'Retry the same request after Retry-After seconds: it then returns the first call’s answer',
  ),
  CANCELLED: c(
    409,
    false,
    'function',
    'The bulk job of this request was cancelled before the request was sent to the LRS: nothing was sent',
    'Submit the learner again (in a new job) if the work is still needed',
  ),
  JOB_FINISHED: c(
    409,
    false,
    'function',
    'The bulk job has completed already: there is nothing left to cancel',
    'Read the job and its results; nothing needs cancelling',
  ),
  IDEMPOTENCY_KEY_REUSED: c(
    409,
    false,
    'function',
    'This Idempotency-Key was already used with a different request (or for a different job)',
    'Use a new Idempotency-Key for a new request; reuse a key only to retry the very same request',
  ),
  REQUEST_REFUSED: c(
    400,
    false,
    'gateway',
    'API Gateway refused the request for a reason without a code of its own (the status says which)',
    'Check the request against the reference; quote the requestId if it persists',
  ),
  REQUEST_TOO_LARGE: c(
    413,
    false,
    'gateway',
    'The body is larger than the API accepts (6 MiB)',
    'Send fewer items per call, or use a bulk job',
  ),
  UNSUPPORTED_MEDIA_TYPE: c(
    415,
    false,
    'function',
    'The body is not in a media type the route accepts',
    'Send Content-Type: application/json (or text/csv where the route says so)',
  ),
  LRS_REJECTED: c(
    422,
    false,
    'function',
    'The LRS rejected the data of the request (for example WSEC0001, WSEC0136); `lrsCode` and `detail` say why',
    'Correct the data the LRS names; see the outcome catalogue for the LRS code',
  ),
  RATE_LIMITED: c(
    429,
    true,
    'gateway',
    'A limit is full for now: your usage plan’s rate or quota, or the gateway’s budget of LRS calls in flight',
    'Wait Retry-After seconds, then retry; spread bulk work with a job',
  ),
  INTERNAL: c(
    500,
    false,
    'function',
    'An error inside the gateway (the body is generic on purpose)',
    'Quote the requestId to the gateway operator; retrying an unchanged request rarely helps',
  ),
  LRS_OPERATION_NOT_ALLOWED: c(
    403,
    false,
    'function',
    'The LRS does not let the organisation use this operation (WSEC0006 insufficient access)',
    'Ask the LRS service desk to grant the organisation this operation, or act for an organisation that has it',
  ),
  LRS_ACCESS_REFUSED: c(
    502,
    false,
    'function',
    "The LRS refused the gateway's credentials or certificates for the organisation (WSEC0002/3/5, TLS)",
    'Tell the gateway operator: the organisation’s LRS account or certificate needs attention',
  ),
  LRS_BAD_EXCHANGE: c(
    502,
    false,
    'function',
    "The LRS could not accept the gateway's message (a WCF contract fault), or its answer broke a limit (size, decompressed size, parse time, charset)",
    'Tell the gateway operator, quoting the requestId; retrying the same request will not help',
  ),
  BAD_GATEWAY: c(
    502,
    true,
    'gateway',
    'A gateway function failed to answer',
    'Retry later with the same Idempotency-Key; quote the requestId if it persists',
  ),
  LRS_UNAVAILABLE: c(
    503,
    true,
    'function',
    'The LRS is out of hours, in maintenance, slow or unreachable; `reason` and `outcome` say which',
    'Retry after Retry-After seconds (out of hours: when the LRS opens), or submit a job, which waits by itself',
  ),
  GATEWAY_TIMEOUT: c(
    504,
    true,
    'gateway',
    'A gateway function did not answer within 29 seconds',
    'Retry later with the same Idempotency-Key: a repeat returns the first answer when it has finished',
  ),
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

/** Where the reference documents the error codes (relative to the API's base URL). */
export const ERRORS_DOC_PATH = '/v1/docs/errors';
/** The browsable API reference (relative to the API's base URL). */
export const DOCS_PATH = '/v1/docs';

/** The `docUrl` of a code: its entry in the reference, under the API's base URL. */
export const docUrlFor = (code: string, baseUrl = ''): string =>
  `${baseUrl.replace(/\/+$/, '')}${ERRORS_DOC_PATH}#${code}`;

/** Seconds for Retry-After: a whole number, at least 1. */
export const retryAfterSeconds = (seconds: number): number => Math.max(1, Math.ceil(seconds));
