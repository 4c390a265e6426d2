/**
 * An API Gateway REST proxy (v1) event and a Lambda context as the deployed API delivers them: one
 * builder for the local API server, the benchmark and the tests. Type imports and node:crypto only, so
 * the benchmark's cold-start worker can import it without loading anything it measures.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayEventRequestContext, APIGatewayProxyEvent, Context } from 'aws-lambda';

export const LOCAL_ACCOUNT_ID = '000000000000';

export interface RestEventInput {
  readonly method: string;
  /** The path the function sees (no stage prefix). */
  readonly path: string;
  /** The API Gateway resource, e.g. `/v1/requests/{requestId}` (default: the path). */
  readonly resource?: string;
  readonly headers: Record<string, string>;
  /** Default: one value a header, from `headers`. */
  readonly multiValueHeaders?: Record<string, string[]>;
  readonly queryStringParameters?: APIGatewayProxyEvent['queryStringParameters'];
  readonly multiValueQueryStringParameters?: APIGatewayProxyEvent['multiValueQueryStringParameters'];
  readonly pathParameters?: Record<string, string> | null;
  readonly body?: string | null;
  /** What the Lambda authorizer handed on (null: none, or not run yet). */
  readonly authorizer?: APIGatewayEventRequestContext['authorizer'];
  readonly apiId: string;
  readonly stage: string;
  /** requestContext.path: the path as the caller sent it (with the stage prefix where the URL has one). */
  readonly requestPath?: string;
  readonly requestId?: string;
  readonly resourceId: string;
  readonly protocol?: string;
  readonly sourceIp?: string;
  readonly userAgent: string | null;
  readonly accountId?: string;
  /** Further requestContext fields the local server fills in (domain name, request time...). */
  readonly requestContext?: Partial<APIGatewayEventRequestContext>;
}

/** The caller the Lambda authorizer verified, as its context reaches the function. */
export const authorizerContext = (callerId: string, scopes: readonly string[]) => ({
  principalId: callerId,
  callerId,
  scopes: scopes.join(' '),
});

export const restApiEvent = (input: RestEventInput): APIGatewayProxyEvent => {
  const resource = input.resource ?? input.path;
  return {
    resource,
    path: input.path,
    httpMethod: input.method,
    headers: input.headers,
    multiValueHeaders:
      input.multiValueHeaders ?? Object.fromEntries(Object.entries(input.headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: input.queryStringParameters ?? null,
    multiValueQueryStringParameters: input.multiValueQueryStringParameters ?? null,
    pathParameters: input.pathParameters ?? null,
    stageVariables: null,
    body: input.body ?? null,
    isBase64Encoded: false,
    requestContext: {
      accountId: input.accountId ?? LOCAL_ACCOUNT_ID,
      apiId: input.apiId,
      authorizer: input.authorizer ?? null,
      httpMethod: input.method,
      identity: {
        accessKey: null,
        accountId: null,
        // With the API key source AUTHORIZER, the usage-plan key the authorizer named (no usage plans here).
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: input.sourceIp ?? '127.0.0.1',
        user: null,
        userAgent: input.userAgent,
        userArn: null,
      },
      path: input.requestPath ?? input.path,
      protocol: input.protocol ?? 'HTTP/1.1',
      requestId: input.requestId ?? randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: input.resourceId,
      resourcePath: resource,
      stage: input.stage,
      ...input.requestContext,
    },
  };
};

export interface LambdaContextOptions {
  readonly region?: string;
  readonly logStreamName?: string;
  /** What getRemainingTimeInMillis answers (a fixed value: in-process calls have no deadline). */
  readonly remainingMs?: number;
  /** The function's timeout: getRemainingTimeInMillis counts down to it from now (wins over remainingMs). */
  readonly timeoutSeconds?: number;
}

/** A Lambda context for an in-process invocation of `functionName`. */
export const lambdaContext = (functionName: string, options: LambdaContextOptions = {}): Context => {
  const deadline =
    options.timeoutSeconds === undefined ? undefined : Date.now() + options.timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${options.region ?? 'eu-west-2'}:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: options.logStreamName ?? 'local',
    getRemainingTimeInMillis: () =>
      deadline === undefined ? (options.remainingMs ?? 30_000) : Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};
