/**
 * The base of the OpenAPI document: the schemas every route group shares (outcome, failure, error
 * envelope, request view), the documented error responses, and the security scheme's name. Route
 * modules (operation-routes.ts, jobs-routes.ts, organisation-routes.ts) import it; openapi.ts
 * assembles them (and extends zod with `.openapi()` once every schema module is loaded).
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import { registerLearnerResultSchema } from '../app/register-learner.js';
import { ERROR_CODE_LIST, ERROR_CODES, type ErrorCode } from '../domain/error-codes.js';
import { HEADERS } from '../http/http-input.js';
import type { OperationId } from '../lrs/contract/operations.js';
import { responseSchemas } from '../lrs/contract/responses.js';

export const API_VERSION = '1.0.0';
/** The caller's OAuth 2.0 access token (the name routes list under `security`). */
export const API_KEY_SCHEME = 'CallerToken';

/**
 * A copy of a schema made after extendZodWithOpenApi: zod 4 copies prototype methods onto each instance
 * when it is built, so schemas built before the extension (at import of shared/lrs) lack `.openapi()`.
 */
export const named = <T extends z.ZodType>(schema: T): T => {
  if (typeof (schema as { openapi?: unknown }).openapi === 'function') return schema;
  const Ctor = schema.constructor as new (def: unknown) => T;
  return new Ctor(schema._zod.def);
};

export const pascal = (id: string) => id.charAt(0).toUpperCase() + id.slice(1);

/** Schemas shared by every route group (also handed to extra route registrars). */
export const commonSchemas = (registry: OpenAPIRegistry) => {
  const outcome = registry.register(
    'Outcome',
    z
      .object({
        code: z
          .string()
          .describe(
            "The gateway's own stable outcome code, e.g. EXACT_MATCH, LRS_MAINTENANCE (same as name)",
          ),
        name: z.string().describe('Stable machine name, e.g. EXACT_MATCH: switch on this'),
        lrsCode: z
          .string()
          .optional()
          .describe(
            'The LRS code exactly as the LRS sent it, e.g. WSRC0004, WSEC0208, WSVRC003; absent when the LRS sent none',
          ),
        description: z.string(),
        class: z
          .enum(['match-result', 'success', 'business-refusal', 'caller-error', 'retry-later'])
          .describe('What kind of outcome this is'),
        final: z
          .boolean()
          .describe('True when repeating the same request later cannot give a different answer'),
        retryAfterSeconds: z.number().int().optional().describe('Seconds after which a retry makes sense'),
      })
      .describe('The outcome of an LRS request: see /v1/docs/errors#outcomes for every code and what to do'),
  );

  const fieldIssue = registry.register(
    'FieldIssue',
    z
      .object({
        field: z
          .string()
          .describe('Path of the offending field, e.g. learner.dateOfBirth or headers.Idempotency-Key'),
        rule: z.string().describe('The rule broken, e.g. required, pattern, maxLength, ulnCheckDigit'),
        message: z.string().describe('Names the field and the rule; never contains the submitted value'),
      })
      .describe('One invalid field'),
  );

  const failure = registry.register(
    'Failure',
    z
      .object({
        code: z
          .enum(ERROR_CODE_LIST)
          .describe('Stable error code, distinct per cause: see /v1/docs/errors for each one and what to do'),
        message: z.string().describe('For people; never contains a submitted value'),
        retryable: z
          .boolean()
          .describe(
            'True when the same request may succeed later; then Retry-After and retryAfterSeconds say when',
          ),
        lrsCode: z.string().optional().describe('The LRS error code, e.g. WSEC0001'),
        detail: z.string().optional().describe("The LRS's explanation of a rejected request (422 only)"),
        reason: z
          .enum(['OUT_OF_HOURS', 'MAINTENANCE', 'TIMEOUT', 'CONNECTION', 'TLS', 'HTTP_ERROR', 'THROTTLED'])
          .optional()
          .describe('Why the LRS is unavailable (503 only)'),
        retryAfterSeconds: z
          .number()
          .int()
          .min(1)
          .optional()
          .describe('Present exactly when retryable: the same value as the Retry-After header'),
        issues: z.array(fieldIssue).optional().describe('Every invalid field (400 VALIDATION_FAILED only)'),
      })
      .describe('Why a request failed'),
  );

  const status = registry.register(
    'RequestStatus',
    z
      .enum(['PENDING', 'IN_PROGRESS', 'WAITING', 'COMPLETED', 'FAILED'])
      .describe(
        'PENDING queued, IN_PROGRESS at the LRS, WAITING queued again for the LRS (see waiting; it resumes by itself), COMPLETED answered (see outcome), FAILED (see error)',
      ),
  );

  const errorBody = registry.register(
    'ErrorEnvelope',
    z
      .object({
        error: failure.extend({
          requestId: z.string().describe('Quote it when asking about this call'),
          docUrl: z.string().describe("The code's entry in the reference"),
          operation: z.string().optional().describe('The LRS operation of the route, when there is one'),
          outcome: outcome
            .optional()
            .describe('The LRS outcome that goes with the failure (e.g. out of hours)'),
        }),
      })
      .describe('Every non-2xx answer, from every layer (API Gateway, the authorizer, the functions)'),
  );

  return { outcome, fieldIssue, failure, status, errorBody };
};

export type CommonSchemas = ReturnType<typeof commonSchemas>;

/** The view of a stored request, with the result typed for the operation. */
export const requestView = (common: CommonSchemas, operation: z.ZodType, result: z.ZodType) =>
  z.object({
    requestId: z.string().describe('Gateway request id; GET /v1/requests/{requestId} reads it again'),
    operation,
    organisationId: z.string(),
    status: common.status,
    outcome: common.outcome
      .optional()
      .describe('The LRS outcome (also set for some failures, e.g. WSEC0004)'),
    result: result.optional().describe('The typed LRS result (status COMPLETED only)'),
    error: common.failure.optional().describe('Why the request failed (status FAILED only)'),
    jobId: z.string().optional().describe('The bulk job the request belongs to'),
    attempts: z.number().int().describe('How many times the gateway sent the request to the LRS'),
    receivedAt: z.string().describe('ISO 8601'),
    completedAt: z.string().optional().describe('ISO 8601'),
    lrsDurationMs: z.number().int().optional().describe('Time spent waiting on the LRS'),
    waiting: z
      .object({
        reason: z
          .string()
          .describe('OUT_OF_HOURS, MAINTENANCE, TIMEOUT, CONNECTION, HTTP_ERROR, THROTTLED, RATE_LIMITED…'),
        since: z.string().describe('ISO 8601: since when the request waits'),
        nextAttemptAt: z.string().describe('ISO 8601: when the next LRS attempt is due'),
        attempts: z.number().int().describe('LRS attempts that failed for a transient reason so far'),
      })
      .optional()
      .describe('Status WAITING only: the request is queued again and resumes by itself'),
  });

export const resultSchemaFor = (op: OperationId): z.ZodType =>
  op === 'registerLearner' ? registerLearnerResultSchema() : responseSchemas[op];

export const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

export const retryAfter = {
  'Retry-After': {
    description: 'Seconds to wait before retrying',
    schema: { type: 'integer' as const, minimum: 1 },
  },
};
export const requestIdHeader = {
  [HEADERS.requestId]: { description: 'The gateway request id', schema: { type: 'string' as const } },
};

/** Which error codes each status can carry (from the one table of codes). */
export const codesForStatus = (status: number): string[] =>
  ERROR_CODE_LIST.filter((code) => ERROR_CODES[code].status === status);

const STATUS_TEXT: Record<number, string> = {
  400: 'Invalid request',
  401: 'No or invalid credentials',
  403: 'Not allowed',
  404: 'Not found',
  405: 'Method not allowed (local runtime only)',
  409: 'Idempotency-Key conflict',
  413: 'Body too large',
  415: 'Unsupported media type',
  422: 'The LRS rejected the request data',
  429: 'Rate limited: retry after Retry-After',
  500: 'Internal error (generic body)',
  502: 'Bad gateway',
  503: 'The LRS is unavailable: retry after Retry-After',
  504: 'Gateway timeout',
};

/**
 * One documented error response: the envelope, the codes it can carry (by default every code of the
 * status), Retry-After when one of them is retryable.
 */
export const errorResponse = (
  common: CommonSchemas,
  status: number,
  description?: string,
  codes: readonly string[] = codesForStatus(status),
) => {
  const retryable = codes.some((c) => ERROR_CODES[c as ErrorCode].retryable);
  return {
    description: `${description ?? STATUS_TEXT[status] ?? 'Error'}. Codes: ${codes.map((c) => `\`${c}\``).join(', ')}`,
    headers: { ...requestIdHeader, ...(retryable ? retryAfter : {}) },
    ...json(common.errorBody),
  };
};

/** The error statuses every route can answer with, whichever layer answers. */
export const COMMON_ERROR_STATUSES = [400, 401, 403, 404, 413, 429, 500, 502, 504] as const;

export const errorResponses = (common: CommonSchemas, statuses: readonly number[] = COMMON_ERROR_STATUSES) =>
  Object.fromEntries(statuses.map((s) => [String(s), errorResponse(common, s)]));
