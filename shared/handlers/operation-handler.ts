/**
 * One Lambda handler per LRS operation, for both of its event sources:
 * - API Gateway REST proxy events (v1): caller, scope and organisation check (access.ts; before the body
 *   is even parsed) → header normaliser → JSON body parser → validation of the body (every bad field
 *   named) → processRequest → the stored record as the answer, its status from the one table in
 *   http-status.ts;
 * - SQS events from the operation's queue: see queue-worker.ts.
 * Config is parsed and clients are made once, when the function module is loaded (cold start); a bad
 * configuration throws a ConfigurationError there.
 */
import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context, SQSEvent } from 'aws-lambda';
import {
  accessOf,
  authenticate,
  authorizeOrganisation,
  type CallAccess,
  callerIdentity,
  rememberAccess,
} from '../app/access.js';
import { failureFromError } from '../app/failures.js';
import { processRequest } from '../app/process-request.js';
import { loadRuntimeConfig } from '../config/runtime.js';
import { routeScope } from '../config/scopes.js';
import { ConfigurationError, type FieldIssue, ValidationError } from '../domain/errors.js';
import {
  depthIssue,
  jsonDepth,
  MAX_JSON_DEPTH,
  readCallHeaders,
  readOrganisationHeader,
} from '../http/http-input.js';
import { apiBaseUrl, errorResponse, fromBodyParserError, recordResponse } from '../http/http-response.js';
import { httpStatusForFailure, httpStatusForRecord } from '../http/http-status.js';
import { OPERATIONS, type OperationId } from '../lrs/contract/operations.js';
import type { OperationRequest } from '../lrs/contract/schemas.js';
import { withInvocationLogs } from '../observability/logger.js';
import type { RegistryReader } from '../ports/registry.js';
import { handleQueueEvent } from '../queue/queue-worker.js';
import { createOperationDependencies, type OperationDependencies } from '../wiring/dependencies.js';

export type OperationHandler = (event: APIGatewayProxyEvent | SQSEvent, context: Context) => Promise<unknown>;

export const isSqsEvent = (event: unknown): event is SQSEvent =>
  typeof event === 'object' &&
  event !== null &&
  Array.isArray((event as SQSEvent).Records) &&
  (event as SQSEvent).Records.every((r) => r?.eventSource === 'aws:sqs');

export const isApiGatewayEvent = (event: unknown): event is APIGatewayProxyEvent =>
  typeof event === 'object' &&
  event !== null &&
  typeof (event as APIGatewayProxyEvent).httpMethod === 'string' &&
  typeof (event as APIGatewayProxyEvent).requestContext === 'object';

/** Our request id of each HTTP event, made before anything can fail so that errors carry it too. */
const httpRequestIds = new WeakMap<object, { requestId: string; started: number }>();

const requestIdOf = (event: object) =>
  httpRequestIds.get(event) ?? { requestId: randomUUID(), started: Date.now() };

/**
 * The access step of an operation call: caller, scope, then the headers (the organisation must be named
 * well to be checked) and the organisation's grant. Runs before the body is parsed or validated.
 */
export const authorizeOperationCall = async (
  op: OperationId,
  registry: RegistryReader,
  event: APIGatewayProxyEvent,
): Promise<CallAccess> => {
  const route = routeScope(OPERATIONS[op].route.method, OPERATIONS[op].route.path);
  if (!route) throw new ConfigurationError(`No scope is defined for the route of ${op}`);
  const caller = await authenticate(registry, event, route);
  // Only the organisation must be named well to be checked; other header issues are listed with the body's.
  const organisation = readOrganisationHeader(event.headers);
  if (!organisation.organisationId) throw new ValidationError(organisation.issues);
  return authorizeOrganisation(registry, caller, organisation.organisationId);
};

/** The HTTP call of an operation, after the access step, the header normaliser and the body parser. */
export const handleOperationCall = async (
  op: OperationId,
  deps: OperationDependencies,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> => {
  const { requestId, started } = requestIdOf(event);
  const access = accessOf<CallAccess>(event) ?? (await authorizeOperationCall(op, deps.registry, event));
  const issues: FieldIssue[] = [];
  const headers = readCallHeaders(event.headers, { idempotencyKeyRequired: OPERATIONS[op].mutating });
  issues.push(...headers.issues);
  let request: OperationRequest<typeof op> | undefined;
  try {
    request = deps.validate(op, event.body as unknown);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    issues.push(...e.issues);
  }
  if (issues.length > 0 || !headers.value || request === undefined) throw new ValidationError(issues);

  const { organisationId, userName, idempotencyKey } = headers.value;
  const caller = access.callerId;
  const out = await processRequest(deps, {
    op,
    request,
    organisationId,
    caller,
    requestId,
    source: 'http',
    // Made by httpErrorResponder for this event; without an Idempotency-Key no one else can know it yet.
    freshRequestId: true,
    ...(userName ? { userName } : {}),
    ...(idempotencyKey ? { idempotencyKey } : {}),
  });
  const status = httpStatusForRecord(out.record);
  deps.log.info('HTTP call answered', {
    requestId: out.record.requestId,
    operation: op,
    organisationId,
    caller,
    httpStatus: status,
    status: out.record.status,
    outcomeCode: out.record.outcome?.code,
    replayed: out.replayed,
    totalDurationMs: Date.now() - started,
  });
  return recordResponse(out.record, status, { replayed: out.replayed, baseUrl: apiBaseUrl(event) });
};

/** Answers any error of the HTTP chain from the one status table; registered first so it runs last. */
const httpErrorResponder = (
  op: OperationId | undefined,
  deps: Pick<OperationDependencies, 'log'>,
): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> => ({
  before: (request) => {
    httpRequestIds.set(request.event, { requestId: randomUUID(), started: Date.now() });
  },
  onError: (request) => {
    const { requestId, started } = requestIdOf(request.event);
    const error = fromBodyParserError(request.error);
    request.response = errorResponse(error, {
      requestId,
      baseUrl: apiBaseUrl(request.event),
      ...(op ? { operation: op } : {}),
    });
    const failure = failureFromError(error);
    const fields = {
      requestId,
      operation: op,
      caller: callerIdentity(request.event),
      httpStatus: request.response.statusCode,
      errorCode: failure.code,
      errorName: error instanceof Error ? error.name : typeof error,
      invalidFields: failure.issues?.map((i) => i.field),
      totalDurationMs: Date.now() - started,
    };
    if (httpStatusForFailure(failure) >= 500 && request.response.statusCode >= 500) {
      deps.log.error('HTTP call failed', fields);
    } else {
      deps.log.warn('HTTP call refused', fields);
    }
  },
});

/** A JSON body (or one without a type) nested deeper than MAX_JSON_DEPTH is refused before any parsing. */
const jsonDepthGuard = (): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> => ({
  before: ({ event }) => {
    if (typeof event.body !== 'string' || event.body === '') return;
    const type = Object.entries(event.headers ?? {})
      .find(([k]) => k.toLowerCase() === 'content-type')?.[1]
      ?.split(';')[0]
      ?.trim()
      .toLowerCase();
    if (type !== undefined && type !== 'application/json' && !type.endsWith('+json')) return;
    const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw new ValidationError([depthIssue]);
  },
});

/**
 * The HTTP middy chain shared by the operation, requests and jobs functions. `authorize` (the access step)
 * runs first, before the body is parsed: its result is kept for the handler (accessOf(event)).
 */
export const httpChain = (
  op: OperationId | undefined,
  deps: Pick<OperationDependencies, 'log'>,
  handler: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>,
  options: { parseJsonBody: boolean; authorize?: (event: APIGatewayProxyEvent) => Promise<unknown> },
) => {
  const chain = middy<APIGatewayProxyEvent, APIGatewayProxyResult>().use(httpErrorResponder(op, deps));
  const authorize = options.authorize;
  if (authorize) {
    chain.use({
      before: async (request) => {
        rememberAccess(request.event, await authorize(request.event));
      },
    });
  }
  chain.use(httpHeaderNormalizer()).use(jsonDepthGuard());
  if (options.parseJsonBody) chain.use(httpJsonBodyParser());
  return chain.handler((event) => handler(event));
};

/**
 * The handler of operation `op`. `deps` is for tests; functions pass nothing and get the real
 * dependencies, built once from the environment.
 */
export const createOperationHandler = (op: OperationId, deps?: OperationDependencies): OperationHandler => {
  const d = deps ?? createOperationDependencies(op, loadRuntimeConfig());
  const http = httpChain(op, d, (event) => handleOperationCall(op, d, event), {
    parseJsonBody: true,
    authorize: (event) => authorizeOperationCall(op, d.registry, event),
  });
  return withInvocationLogs<APIGatewayProxyEvent | SQSEvent, unknown>(async (event, context) => {
    if (isSqsEvent(event)) return handleQueueEvent(op, d, event, context);
    if (isApiGatewayEvent(event)) return http(event, context);
    throw new ConfigurationError(`The ${op} function received an event that is neither API Gateway nor SQS`);
  });
};
