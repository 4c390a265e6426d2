/**
 * Test helpers for the API integration tests: API Gateway REST proxy (v1) events and SQS events as
 * Lambda delivers them, a Lambda context, and a capture of everything written to stdout/stderr (where
 * the Powertools logger and the EMF metrics go) to check that no learner personal data is logged.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { LOCAL_GATEWAY_SENDER_ID } from '../../../local/emulators.js';
import { ALL_SCOPES } from '../../../shared/config/scopes.js';

export const lambdaContext = (functionName = 'lrs-gateway-test'): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:eu-west-2:000000000000:function:${functionName}`,
  memoryLimitInMB: '512',
  awsRequestId: randomUUID(),
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: 'test',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

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
  const headers = {
    ...(method === 'POST' ? { 'Content-Type': 'application/json' } : {}),
    ...(input.headers ?? {}),
  };
  return {
    resource: input.resource ?? input.path,
    path: input.path,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: input.pathParameters ?? null,
    stageVariables: null,
    body:
      input.body === undefined
        ? null
        : typeof input.body === 'string'
          ? input.body
          : JSON.stringify(input.body),
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: input.callerId
        ? {
            principalId: input.callerId,
            callerId: input.callerId,
            scopes: (input.scopes ?? ALL_SCOPES).join(' '),
          }
        : null,
      httpMethod: method,
      path: `/test${input.path}`,
      protocol: 'HTTP/1.1',
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: 'res',
      resourcePath: input.resource ?? input.path,
      stage: 'test',
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '127.0.0.1',
        user: null,
        userAgent: 'vitest',
        userArn: null,
      },
    },
  };
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

/**
 * Everything written to stdout and stderr while installed (the logger and EMF metrics write there).
 * Kept out of the test output unless SHOW_LOGS is set.
 */
export const captureOutput = () => {
  const forward = Boolean(process.env.SHOW_LOGS);
  const lines: string[] = [];
  const originals = { out: process.stdout.write, err: process.stderr.write };
  const tap =
    (original: typeof process.stdout.write) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      if (forward) return (original as (...a: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    };
  process.stdout.write = tap(originals.out) as typeof process.stdout.write;
  process.stderr.write = tap(originals.err) as typeof process.stderr.write;
  return {
    lines,
    text: () => lines.join(''),
    restore: () => {
      process.stdout.write = originals.out;
      process.stderr.write = originals.err;
    },
  };
};

export interface PersonalData {
  readonly givenName: string;
  readonly familyName: string;
  readonly dateOfBirth: string;
  readonly postcode: string;
}

/** Each value of a learner's personal data found in `text` (names as whole words, postcodes with or without the space). */
export const personalDataIn = (text: string, learners: readonly PersonalData[]): string[] => {
  const found: string[] = [];
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  for (const l of learners) {
    const postcode = l.postcode.replace(/\s+/g, '');
    const probes: Array<[string, RegExp]> = [
      ['givenName', new RegExp(`\\b${esc(l.givenName)}\\b`)],
      ['familyName', new RegExp(`\\b${esc(l.familyName)}\\b`)],
      ['dateOfBirth', new RegExp(esc(l.dateOfBirth))],
      // Not inside a longer run of letters and digits: a random id (a UUID's hex) can spell "b76de".
      [
        'postcode',
        new RegExp(
          `(?<![A-Za-z0-9])${esc(postcode.slice(0, -3))}\\s*${esc(postcode.slice(-3))}(?![A-Za-z0-9])`,
          'i',
        ),
      ],
    ];
    for (const [what, re] of probes) if (re.test(text)) found.push(`${what} of ${l.givenName.slice(0, 1)}.`);
  }
  return found;
};
