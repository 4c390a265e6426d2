/**
 * The routes of the LRS operations (one POST per operation, from the operation table, with its request
 * and typed result schemas) and of the stored requests (GET /v1/requests/{requestId}).
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import { ORGANISATION_ID_PATTERN } from '../config/runtime.js';
import { ORGANISATION_STATUS_PATH } from '../config/scopes.js';
import { DOCS_PATH, ERRORS_DOC_PATH } from '../domain/error-codes.js';
import { HEADERS, IDEMPOTENCY_KEY_PATTERN } from '../http/http-input.js';
import { USER_NAME_PATTERN } from '../lrs/contract/fields.js';
import { OPERATION_LIST, type OperationDef, type OperationId } from '../lrs/contract/operations.js';
import { requestSchemas } from '../lrs/contract/schemas.js';
import {
  API_KEY_SCHEME,
  COMMON_ERROR_STATUSES,
  type CommonSchemas,
  errorResponse,
  errorResponses,
  json,
  named,
  pascal,
  requestIdHeader,
  requestView,
  resultSchemaFor,
} from './common.js';

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

export const registerOperation = (registry: OpenAPIRegistry, common: CommonSchemas, op: OperationDef) => {
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

export const registerRequestsRoutes = (registry: OpenAPIRegistry, common: CommonSchemas) => {
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
