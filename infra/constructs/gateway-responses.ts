/**
 * API Gateway's own answers (no route, no or bad token, throttling, too large a body, a function that
 * failed or timed out, ...) in the one error envelope of every other answer:
 * `{"error":{"code","message","retryable","requestId","docUrl"[,"retryAfterSeconds"]}}`, with the code
 * from the one table of error codes (shared/domain/error-codes.ts), a status that matches it, and
 * Retry-After on exactly the retryable ones. The local API stand-in answers the same.
 */
import { ResponseType, type RestApi } from 'aws-cdk-lib/aws-apigateway';
import { ERROR_CODES, ERRORS_DOC_PATH, type ErrorCode } from '../../shared/domain/error-codes.js';

export interface GatewayAnswer {
  readonly type: ResponseType;
  readonly code: ErrorCode;
  /** The status to answer with; undefined keeps API Gateway's (the DEFAULT_* types). */
  readonly status?: number;
  readonly message: string;
  /** Retry-After (seconds) of the retryable ones. */
  readonly retryAfterSeconds?: number;
}

export const GATEWAY_ANSWERS: readonly GatewayAnswer[] = [
  {
    type: ResponseType.UNAUTHORIZED,
    code: 'UNAUTHENTICATED',
    status: 401,
    message: 'Send a valid access token: Authorization: Bearer <token>',
  },
  {
    type: ResponseType.EXPIRED_TOKEN,
    code: 'UNAUTHENTICATED',
    status: 401,
    message: 'The access token has expired: get a new one',
  },
  {
    type: ResponseType.ACCESS_DENIED,
    code: 'FORBIDDEN',
    status: 403,
    message: 'The access token does not allow this call',
  },
  {
    type: ResponseType.WAF_FILTERED,
    code: 'FORBIDDEN',
    status: 403,
    message: 'The request was refused by the web application firewall',
  },
  {
    type: ResponseType.INVALID_API_KEY,
    code: 'INVALID_API_KEY',
    status: 403,
    message: 'Send a valid API key in the x-api-key header',
  },
  // API Gateway answers an unknown path or method as a missing authentication token.
  {
    type: ResponseType.MISSING_AUTHENTICATION_TOKEN,
    code: 'ROUTE_NOT_FOUND',
    status: 404,
    message: 'No route with this path and method',
  },
  {
    type: ResponseType.RESOURCE_NOT_FOUND,
    code: 'ROUTE_NOT_FOUND',
    status: 404,
    message: 'No route with this path and method',
  },
  {
    type: ResponseType.BAD_REQUEST_BODY,
    code: 'BAD_REQUEST_BODY',
    status: 400,
    message: 'The body must be a JSON object',
  },
  {
    type: ResponseType.BAD_REQUEST_PARAMETERS,
    code: 'BAD_REQUEST_PARAMETERS',
    status: 400,
    message: 'A required parameter is missing',
  },
  {
    type: ResponseType.REQUEST_TOO_LARGE,
    code: 'REQUEST_TOO_LARGE',
    status: 413,
    message: 'The body is larger than the API accepts',
  },
  {
    type: ResponseType.UNSUPPORTED_MEDIA_TYPE,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    status: 415,
    message: 'Send Content-Type: application/json',
  },
  {
    type: ResponseType.THROTTLED,
    code: 'RATE_LIMITED',
    status: 429,
    message: 'Too many requests: retry after Retry-After',
    retryAfterSeconds: 1,
  },
  {
    type: ResponseType.QUOTA_EXCEEDED,
    code: 'RATE_LIMITED',
    status: 429,
    message: 'The usage quota is used up for now',
    retryAfterSeconds: 60,
  },
  { type: ResponseType.AUTHORIZER_FAILURE, code: 'INTERNAL', status: 500, message: 'Internal error' },
  {
    type: ResponseType.AUTHORIZER_CONFIGURATION_ERROR,
    code: 'INTERNAL',
    status: 500,
    message: 'Internal error',
  },
  { type: ResponseType.API_CONFIGURATION_ERROR, code: 'INTERNAL', status: 500, message: 'Internal error' },
  {
    type: ResponseType.INTEGRATION_FAILURE,
    code: 'BAD_GATEWAY',
    status: 502,
    message: 'The function failed to answer',
    retryAfterSeconds: 1,
  },
  {
    type: ResponseType.INTEGRATION_TIMEOUT,
    code: 'GATEWAY_TIMEOUT',
    status: 504,
    message: 'The function did not answer in time',
    retryAfterSeconds: 5,
  },
  { type: ResponseType.DEFAULT_4XX, code: 'REQUEST_REFUSED', message: 'The request was refused' },
  { type: ResponseType.DEFAULT_5XX, code: 'INTERNAL', message: 'Internal error' },
];

/** The body template of an answer ($context variables filled in by API Gateway). */
export const gatewayAnswerTemplate = (answer: GatewayAnswer): string => {
  const retryable = ERROR_CODES[answer.code].retryable && answer.retryAfterSeconds !== undefined;
  return JSON.stringify({
    error: {
      code: answer.code,
      message: answer.message,
      retryable,
      requestId: '$context.requestId',
      docUrl: `https://$context.domainName/$context.stage${ERRORS_DOC_PATH}#${answer.code}`,
      ...(retryable ? { retryAfterSeconds: answer.retryAfterSeconds } : {}),
    },
  });
};

/** Every answer of API Gateway's own in the envelope (called once per REST API). */
export const addGatewayResponses = (api: RestApi): void => {
  for (const answer of GATEWAY_ANSWERS) {
    const retryable = ERROR_CODES[answer.code].retryable && answer.retryAfterSeconds !== undefined;
    api.addGatewayResponse(`Response-${answer.type.responseType}`, {
      type: answer.type,
      ...(answer.status !== undefined ? { statusCode: String(answer.status) } : {}),
      responseHeaders: {
        'Content-Type': "'application/json'",
        'Cache-Control': "'no-store'",
        ...(retryable ? { 'Retry-After': `'${answer.retryAfterSeconds}'` } : {}),
        ...(answer.code === 'UNAUTHENTICATED' ? { 'WWW-Authenticate': "'Bearer'" } : {}),
      },
      templates: { 'application/json': gatewayAnswerTemplate(answer) },
    });
  }
};
