/**
 * The requests function: GET /v1/requests/{requestId} reads a stored request and its outcome again (its
 * own caller with a grant of the organisation, or a caller whose grant has readAll: anyone else gets 404,
 * so ids cannot be probed), GET /v1/organisations/{organisationId}/status, and GET /v1/openapi.json
 * (public) serves the API document.
 */

import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { authenticate, mayRead } from '../app/access.js';
import { ORGANISATION_STATUS_PATH, routeScope, SCOPES } from '../config/scopes.js';
import { DOCS_PATH, ERRORS_DOC_PATH } from '../domain/error-codes.js';
import { NotFoundError } from '../domain/errors.js';
import { readPathParameter } from '../http/http-input.js';
import { json, toView } from '../http/http-response.js';
import { type AppLog, withInvocationLogs } from '../observability/logger.js';
import type { RegistryReader } from '../ports/registry.js';
import type { ResultsStore } from '../ports/results-store.js';
import { REQUEST_ID_PATTERN } from '../queue/queue-worker.js';
import { createRequestsDependencies } from '../wiring/dependencies.js';
import { httpChain } from './operation-handler.js';
import { organisationStatus } from './organisation-status.js';

export interface RequestsDependencies {
  readonly store: Pick<ResultsStore, 'get'>;
  readonly registry: RegistryReader;
  readonly log: AppLog;
  readonly now?: () => Date;
}

export const OPENAPI_PATH = '/v1/openapi.json';

/** A reference page: public, cacheable, no script or asset from anywhere but itself. */
const htmlPage = (body: string): APIGatewayProxyResult => ({
  statusCode: 200,
  headers: {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'max-age=300',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy':
      "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'",
  },
  body,
});

const getRequest = async (
  deps: RequestsDependencies,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> => {
  const caller = (await authenticate(deps.registry, event, { scope: SCOPES.read })).callerId;
  const requestId = readPathParameter(
    event,
    'requestId',
    REQUEST_ID_PATTERN,
    '1-128 characters from A-Z a-z 0-9 _ . : -',
  );
  const record = await deps.store.get(requestId);
  if (!record || !(await mayRead(deps.registry, { callerId: caller, scopes: [] }, record))) {
    deps.log.info('Request not found for caller', { requestId, caller, httpStatus: 404 });
    throw new NotFoundError('No request with this id');
  }
  deps.log.info('Request read', {
    requestId,
    caller,
    operation: record.operation,
    organisationId: record.organisationId,
    status: record.status,
    httpStatus: 200,
  });
  return json(200, toView(record), { 'X-Request-Id': record.requestId });
};

/**
 * The published document and pages, loaded when one is first asked for: the document is ~290 KB of the
 * function's bundle, and as a module loaded at start V8 would compile and build it on every cold start,
 * mostly for request reads (a module imported dynamically stays lazy inside the bundle).
 */
const published = () => import('../api/published.js');

const route = async (
  deps: RequestsDependencies,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> => {
  if (event.httpMethod === 'GET' && (event.resource === OPENAPI_PATH || event.path?.endsWith(OPENAPI_PATH))) {
    return json(200, (await published()).publishedDocument, { 'Cache-Control': 'max-age=300' });
  }
  if (event.httpMethod === 'GET' && (event.resource === DOCS_PATH || event.resource === ERRORS_DOC_PATH)) {
    const { referencePage } = await published();
    return htmlPage(referencePage(event.resource === DOCS_PATH ? 'reference' : 'catalogue'));
  }
  if (event.httpMethod === 'GET' && event.pathParameters?.requestId !== undefined) {
    return getRequest(deps, event);
  }
  if (event.httpMethod === 'GET' && event.resource === ORGANISATION_STATUS_PATH) {
    const route = routeScope('GET', ORGANISATION_STATUS_PATH);
    if (route) return organisationStatus(deps, event, route);
  }
  throw new NotFoundError('No such route');
};

export const createRequestsHandler = (
  deps?: RequestsDependencies,
): ((event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>) => {
  const d: RequestsDependencies = deps ?? createRequestsDependencies();
  const http = httpChain(undefined, d, (event) => route(d, event), { parseJsonBody: false });
  return withInvocationLogs<APIGatewayProxyEvent, APIGatewayProxyResult>((event, context) =>
    http(event, context),
  );
};
