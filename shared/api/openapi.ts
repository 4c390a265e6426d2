/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the same zod schemas that validate the
 * requests (shared/lrs/contract/schemas.ts) and type the results (shared/lrs/contract/responses.ts), and from the
 * operation table (routes, summaries, which operations need an Idempotency-Key).
 *
 * `npm run openapi` writes it to openapi.json; the requests function serves it at GET /v1/openapi.json.
 * Other route groups (bulk jobs) plug in through shared/api/extra-routes.ts.
 */
import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import { registerLearnerResultSchema } from '../app/register-learner.js';
import { ORGANISATION_ID_PATTERN } from '../config/runtime.js';
import { ORGANISATION_STATUS_PATH, routeScope } from '../config/scopes.js';
import {
  DOCS_PATH,
  ERROR_CODE_LIST,
  ERROR_CODES,
  ERRORS_DOC_PATH,
  type ErrorCode,
} from '../domain/error-codes.js';
import { HEADERS, IDEMPOTENCY_KEY_PATTERN, MAX_JSON_DEPTH, USER_NAME_PATTERN } from '../http/http-input.js';
import { OPERATION_LIST, type OperationDef, type OperationId } from '../lrs/contract/operations.js';
import { responseSchemas } from '../lrs/contract/responses.js';
import { requestSchemas } from '../lrs/contract/schemas.js';
import { EXTRA_ROUTES } from './extra-routes.js';

// registry.register() names a schema through `.openapi()`, which this adds to zod's prototype. It only
// reads `ZodType`: handing it the whole namespace would make esbuild keep every zod locale in the bundle.
extendZodWithOpenApi({ ZodType: z.ZodType } as unknown as Parameters<typeof extendZodWithOpenApi>[0]);

export const API_VERSION = '1.0.0';
/** The caller's OAuth 2.0 access token (the name routes list under `security`). */
export const API_KEY_SCHEME = 'CallerToken';

/**
 * A copy of a schema made after extendZodWithOpenApi: zod 4 copies prototype methods onto each instance
 * when it is built, so schemas built before the extension (at import of shared/lrs) lack `.openapi()`.
 */
const named = <T extends z.ZodType>(schema: T): T => {
  if (typeof (schema as { openapi?: unknown }).openapi === 'function') return schema;
  const Ctor = schema.constructor as new (def: unknown) => T;
  return new Ctor(schema._zod.def);
};

const pascal = (id: string) => id.charAt(0).toUpperCase() + id.slice(1);

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
const requestView = (common: CommonSchemas, operation: z.ZodType, result: z.ZodType) =>
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
  op === 'registerLearner' ? registerLearnerResultSchema : responseSchemas[op];

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

const retryAfter = {
  'Retry-After': {
    description: 'Seconds to wait before retrying',
    schema: { type: 'integer' as const, minimum: 1 },
  },
};
const requestIdHeader = {
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

/** One documented error response: the envelope, the codes the status can carry, Retry-After when retryable. */
export const errorResponse = (common: CommonSchemas, status: number, description?: string) => {
  const codes = codesForStatus(status);
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

const operationHeaders = (op: OperationDef) =>
  z.object({
    [HEADERS.organisation]: z
      .string()
      .regex(ORGANISATION_ID_PATTERN)
      .describe('The organisation to act for: its UKPRN (8 characters) or LRS organisation reference (6)'),
    [HEADERS.userName]: z
      .string()
      .regex(USER_NAME_PATTERN)
      .optional()
      .describe("The end user at the organisation, sent to the LRS as UserName; default: the organisation's"),
    [HEADERS.idempotencyKey]: op.mutating
      ? z
          .string()
          .regex(IDEMPOTENCY_KEY_PATTERN)
          .describe(
            'Required: this operation changes the LRS. A retry with the same key and body returns the first ' +
              'answer without calling the LRS again; the same key with another body is a 409. Scoped per ' +
              'organisation, kept as long as the result.',
          )
      : z
          .string()
          .regex(IDEMPOTENCY_KEY_PATTERN)
          .optional()
          .describe('Optional: a retry with the same key and body returns the first answer'),
  });

const registerOperation = (registry: OpenAPIRegistry, common: CommonSchemas, op: OperationDef) => {
  const name = pascal(op.id);
  const request = registry.register(`${name}Request`, named(requestSchemas[op.id] as unknown as z.ZodType));
  const result = registry.register(`${name}Result`, named(resultSchemaFor(op.id)));
  const view = registry.register(
    `${name}Response`,
    requestView(common, z.literal(op.id), result).describe(`The answer to ${op.id}`),
  );
  registry.registerPath({
    method: 'post',
    path: op.route.path,
    operationId: op.id,
    summary: op.summary,
    description:
      `LRS operation \`${op.lrsName}\` (${op.service}). ` +
      'Business outcomes (no match, possible matches, not shared, stale version...) are answered with 200 ' +
      'and the outcome; see the outcome code and class.' +
      (op.mutating ? ' Changes the LRS: send an Idempotency-Key.' : ''),
    tags: [op.service],
    security: [{ [API_KEY_SCHEME]: [] }],
    request: {
      headers: operationHeaders(op),
      body: { required: true, ...json(request) },
    },
    responses: {
      '200': {
        description: 'The LRS answered; `outcome` says how (the result is typed per operation)',
        headers: {
          ...requestIdHeader,
          [HEADERS.replayed]: {
            description:
              'true when this is the stored answer to an earlier call with the same Idempotency-Key',
            schema: { type: 'string', enum: ['true'] },
          },
        },
        ...json(view),
      },
      ...errorResponses(common, [...COMMON_ERROR_STATUSES, 409, 415, 422, 503]),
      '422': errorResponse(
        common,
        422,
        'The LRS rejected the request data (e.g. WSEC0001 invalid request, WSEC0136 invalid ULN)',
      ),
      '503': errorResponse(
        common,
        503,
        'The LRS is out of hours, in maintenance, slow or unreachable: retry after Retry-After',
      ),
      '429': errorResponse(
        common,
        429,
        "The stage's budget of LRS calls in flight (shared with bulk jobs) is full: nothing was sent to the LRS; retry after Retry-After",
      ),
    },
  });
};

const registerRequestsRoutes = (registry: OpenAPIRegistry, common: CommonSchemas) => {
  const storedView = registry.register(
    'StoredRequest',
    requestView(
      common,
      z.enum(OPERATION_LIST.map((o) => o.id) as [OperationId, ...OperationId[]]),
      z
        .object({})
        .loose()
        .describe('The typed result of the operation: see the <Operation>Result schema of `operation`'),
    ).describe('A request and its result, as stored'),
  );
  registry.registerPath({
    method: 'get',
    path: '/v1/requests/{requestId}',
    operationId: 'getRequest',
    summary: 'Read a request and its outcome again by request id',
    description:
      'Any request made through the API, a queue or a bulk job. Only callers allowed for the ' +
      "request's organisation can read it; for any other caller it does not exist (404).",
    tags: ['Requests'],
    security: [{ [API_KEY_SCHEME]: [] }],
    request: {
      params: z.object({
        requestId: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/)
          .describe('The gateway request id'),
      }),
    },
    responses: {
      '200': { description: 'The request as stored', ...json(storedView) },
      ...errorResponses(common),
      '404': errorResponse(common, 404, 'No such request (or not visible to this caller), or no such route'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: ORGANISATION_STATUS_PATH,
    operationId: 'getOrganisationStatus',
    summary:
      "An organisation's set-up at the gateway: active or suspended, its LRS certificate, its last LRS answers",
    tags: ['Requests'],
    security: [{ [API_KEY_SCHEME]: [] }],
    request: {
      params: z.object({
        organisationId: z.string().regex(ORGANISATION_ID_PATTERN).describe('UKPRN or organisation reference'),
      }),
    },
    responses: {
      '200': {
        description: 'The status',
        ...json(
          registry.register(
            'OrganisationStatus',
            z
              .object({
                organisationId: z.string(),
                configured: z.boolean().describe('The gateway holds LRS credentials for it'),
                status: z.enum(['active', 'suspended']).optional(),
                certificate: z
                  .object({
                    subject: z.string().optional(),
                    notAfter: z.string().optional(),
                    daysToExpiry: z.number().int().optional(),
                  })
                  .optional(),
                lrs: z.object({
                  lastSuccessAt: z.string().optional(),
                  lastFailureAt: z.string().optional(),
                  lastFailureCode: z.string().optional(),
                }),
              })
              .describe("An organisation's status"),
          ),
        ),
      },
      ...errorResponses(common),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This document (public: no credentials needed)',
    tags: ['Reference'],
    security: [],
    responses: {
      '200': {
        description: 'The OpenAPI 3.1 document of the API',
        content: { 'application/json': { schema: z.object({}).loose() } },
      },
    },
  });
  registry.registerPath({
    method: 'get',
    path: DOCS_PATH,
    operationId: 'getReference',
    summary: 'This reference as a web page (public: no credentials needed)',
    tags: ['Reference'],
    security: [],
    responses: {
      '200': { description: 'The browsable reference', content: { 'text/html': { schema: z.string() } } },
    },
  });
  registry.registerPath({
    method: 'get',
    path: ERRORS_DOC_PATH,
    operationId: 'getErrorCatalogue',
    summary: 'Every error code and LRS outcome, and what to do about each (public)',
    description: 'The page every `docUrl` points into: `#<error code>` and `#outcome-<outcome name>`.',
    tags: ['Reference'],
    security: [],
    responses: {
      '200': { description: 'The catalogue page', content: { 'text/html': { schema: z.string() } } },
    },
  });
};

type RouteConfig = Parameters<OpenAPIRegistry['registerPath']>[0];

/**
 * Every route, whichever module registers it, documents the errors any layer can answer with (the
 * gateway's own included) and the JSON depth limit of its body.
 */
class ApiRegistry extends OpenAPIRegistry {
  common?: CommonSchemas;
  override registerPath(route: RouteConfig): void {
    const common = this.common;
    if (!common) {
      super.registerPath(route);
      return;
    }
    const body = route.request?.body;
    const depthNote = `JSON bodies may nest objects and arrays at most ${MAX_JSON_DEPTH} levels deep (rule maxDepth, 400 otherwise).`;
    const statuses =
      route.security && route.security.length === 0
        ? COMMON_ERROR_STATUSES.filter((s) => s !== 401 && s !== 403)
        : COMMON_ERROR_STATUSES;
    // The scope each route needs, from the one table (shared/config/scopes.ts).
    const scope = routeScope(route.method, route.path);
    const security =
      route.security && route.security.length > 0 && scope && scope.scope !== 'public'
        ? [
            { [API_KEY_SCHEME]: [scope.scope] },
            ...(scope.orScope ? [{ [API_KEY_SCHEME]: [scope.orScope] }] : []),
          ]
        : route.security;
    super.registerPath({
      ...route,
      ...(security ? { security } : {}),
      ...(body
        ? {
            request: {
              ...route.request,
              body: { ...body, description: [body.description, depthNote].filter(Boolean).join(' ') },
            },
          }
        : {}),
      responses: { ...errorResponses(common, statuses), ...route.responses },
    });
  }
}

/** Drops properties that have a default from `required`, at every depth of a request schema. */
const optionalDefaults = (schema: unknown): void => {
  if (!schema || typeof schema !== 'object') return;
  const s = schema as { properties?: Record<string, { default?: unknown }>; required?: string[] };
  if (s.properties && Array.isArray(s.required)) {
    s.required = s.required.filter((k) => s.properties?.[k]?.default === undefined);
    if (s.required.length === 0) delete s.required;
  }
  for (const value of Object.values(schema)) optionalDefaults(value);
};

const generate = () => {
  const registry = new ApiRegistry();
  registry.registerComponent('securitySchemes', API_KEY_SCHEME, {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      "An OAuth 2.0 access token of the client credentials grant (RFC 6749 §4.4) from the stage's token " +
      'endpoint (Cognito: https://<domain>/oauth2/token; locally the URL npm start prints). Each route lists ' +
      'the scope it needs (lrs.read, lrs.write, jobs, admin; in the token prefixed, e.g. lrs-gateway/lrs.read). ' +
      'The organisations a caller may act for are granted in the gateway registry. API keys never identify a caller.',
  });
  const common = commonSchemas(registry);
  registry.common = common;
  for (const op of OPERATION_LIST) registerOperation(registry, common, op);
  registerRequestsRoutes(registry, common);
  for (const register of EXTRA_ROUTES) register(registry, common);

  const doc = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'lrs-gateway',
      version: API_VERSION,
      description:
        'JSON over HTTP in front of the DfE Learning Records Service (LRS). Every 2xx answer to an operation ' +
        'carries one outcome model: `{ requestId, operation, status, outcome: { code, name, lrsCode?, ' +
        'description, class, final, retryAfterSeconds? }, result }`. Every non-2xx answer, from every layer, ' +
        'is one envelope: `{ error: { code, message, retryable, requestId, docUrl, issues? } }`; a retryable ' +
        'error carries Retry-After. The organisation is named by the X-LRS-Organisation header; operations ' +
        `that change the LRS need an Idempotency-Key. JSON bodies nest at most ${MAX_JSON_DEPTH} levels.`,
    },
    tags: [
      { name: 'LearnerService', description: 'LRS LearnerService operations' },
      { name: 'LearnerServiceR9', description: 'LRS LearnerServiceR9 operations' },
      { name: 'ExternalService', description: 'LRS ExternalService (awarding organisation) operations' },
      { name: 'Requests', description: 'Stored requests' },
      { name: 'Reference', description: 'This reference, the error and outcome catalogue (public)' },
    ],
  });
  // A request field with a default may be left out: it is not required of the caller.
  for (const [name, schema] of Object.entries(doc.components?.schemas ?? {}))
    if (name.endsWith('Request') || name === 'JobSubmission') optionalDefaults(schema);
  return doc;
};

let built: ReturnType<typeof generate> | undefined;

/** The document, generated once per process. */
export const buildOpenApiDocument = (): ReturnType<typeof generate> => {
  built ??= generate();
  return built;
};
