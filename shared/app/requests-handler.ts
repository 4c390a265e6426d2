/**
 * The requests function: GET /v1/requests/{requestId} reads a stored request and its outcome again
 * (only for a caller allowed for the record's organisation: anyone else gets 404, so ids cannot be
 * probed), and GET /v1/openapi.json serves the API document.
 */

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { DynamoDbResultsStore } from '../adapters/dynamodb-results-store.js';
import { buildOpenApiDocument } from '../api/openapi.js';
import { type CallerAccess, loadReadConfig } from '../config/runtime.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.js';
import { type AppLog, appLog, logger } from '../observability/logger.js';
import type { ResultsStore } from '../ports/results-store.js';
import { callerIdentity, mayActFor } from './access.js';
import { json, toView } from './http-response.js';
import { httpChain } from './operation-handler.js';
import { REQUEST_ID_PATTERN } from './queue-worker.js';

export interface RequestsDependencies {
  readonly store: Pick<ResultsStore, 'get'>;
  readonly callerAccess: CallerAccess;
  readonly log: AppLog;
}

export const OPENAPI_PATH = '/v1/openapi.json';

const getRequest = async (
  deps: RequestsDependencies,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> => {
  const requestId = event.pathParameters?.requestId ?? '';
  if (!REQUEST_ID_PATTERN.test(requestId)) {
    throw new ValidationError([
      {
        field: 'path.requestId',
        rule: 'pattern',
        message: 'path.requestId must be 1-128 characters from A-Z a-z 0-9 _ . : - (rule: pattern)',
      },
    ]);
  }
  const caller = callerIdentity(event);
  if (!caller) throw new ForbiddenError('The request carries no caller identity (API key or IAM principal)');
  const record = await deps.store.get(requestId);
  if (!record || !mayActFor(deps.callerAccess, caller, record.organisationId)) {
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

const route = (deps: RequestsDependencies, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  if (event.httpMethod === 'GET' && (event.resource === OPENAPI_PATH || event.path?.endsWith(OPENAPI_PATH))) {
    return Promise.resolve(json(200, buildOpenApiDocument(), { 'Cache-Control': 'max-age=300' }));
  }
  if (event.httpMethod === 'GET' && event.pathParameters?.requestId !== undefined) {
    return getRequest(deps, event);
  }
  return Promise.reject(new NotFoundError('No such route'));
};

export const createRequestsHandler = (
  deps?: RequestsDependencies,
): ((event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>) => {
  const d: RequestsDependencies =
    deps ??
    (() => {
      const config = loadReadConfig();
      return {
        store: new DynamoDbResultsStore({ tableName: config.tableName, client: new DynamoDBClient({}) }),
        callerAccess: config.callerAccess,
        log: appLog,
      };
    })();
  const http = httpChain(undefined, d, (event) => route(d, event), { parseJsonBody: false });
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler((event, context) => http(event, context));
};
