/**
 * Events as Lambda delivers them to the functions under test: API Gateway REST proxy (v1) events (built
 * by local/api-event.ts, as the local API server and the benchmark build them), SQS events, a Lambda
 * context, and the JSON reading of a proxy result.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { authorizerContext, lambdaContext as contextFor, restApiEvent } from '../../local/api-event.js';
import { LOCAL_GATEWAY_SENDER_ID } from '../../local/emulators.js';
import { ALL_SCOPES } from '../../shared/config/scopes.js';

export const lambdaContext = (functionName = 'lrs-gateway-test'): Context =>
  contextFor(functionName, { logStreamName: 'test' });

export interface ProxyEventInput {
  readonly method?: 'GET' | 'POST';
  readonly path: string;
  readonly resource?: string;
  /** An object is sent as JSON; a string is sent as is. */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** The caller the Lambda authorizer verified (its context `callerId`); null: no authorizer context. */
  readonly callerId?: string | null;
  /** The token's scopes in the authorizer context (default: every scope). */
  readonly scopes?: readonly string[];
  readonly pathParameters?: Record<string, string> | null;
}

export const proxyEvent = (input: ProxyEventInput): APIGatewayProxyEvent => {
  const method = input.method ?? 'POST';
  return restApiEvent({
    method,
    path: input.path,
    resource: input.resource,
    headers: {
      ...(method === 'POST' ? { 'Content-Type': 'application/json' } : {}),
      ...(input.headers ?? {}),
    },
    pathParameters: input.pathParameters ?? null,
    body:
      input.body === undefined
        ? null
        : typeof input.body === 'string'
          ? input.body
          : JSON.stringify(input.body),
    authorizer: input.callerId ? authorizerContext(input.callerId, input.scopes ?? ALL_SCOPES) : null,
    apiId: 'local',
    stage: 'test',
    requestPath: `/test${input.path}`,
    resourceId: 'res',
    userAgent: 'vitest',
  });
};

export const sqsRecord = (body: string, queueArn: string, overrides: Partial<SQSRecord> = {}): SQSRecord => ({
  messageId: randomUUID(),
  receiptHandle: `rh-${randomUUID()}`,
  body,
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: String(Date.now()),
    // The gateway's own sender (trusted); tests of other senders override it.
    SenderId: LOCAL_GATEWAY_SENDER_ID,
    ApproximateFirstReceiveTimestamp: String(Date.now()),
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: queueArn,
  awsRegion: 'eu-west-2',
  ...overrides,
});

export const sqsEvent = (records: SQSRecord[]): SQSEvent => ({ Records: records });

export interface JsonResponse<T = Record<string, unknown>> {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: T;
}

export const parse = <T = Record<string, unknown>>(r: unknown): JsonResponse<T> => {
  const res = r as APIGatewayProxyResult;
  return {
    statusCode: res.statusCode,
    headers: (res.headers ?? {}) as Record<string, string>,
    body: JSON.parse(res.body) as T,
  };
};
