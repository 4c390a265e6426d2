/**
 * API Gateway's Lambda REQUEST authorizer step, as the local API stand-in runs it: the same authorizer
 * function (functions/authorizer/handler.ts) on every route but the public ones (shared/config/scopes.ts),
 * with API Gateway's answers: no Authorization header → 401 `UNAUTHORIZED` without calling the authorizer
 * (it is the identity source); the authorizer throwing `Unauthorized` → 401; a Deny policy → 403
 * `ACCESS_DENIED`; any other authorizer error or answer → 500 `AUTHORIZER_FAILURE`. An Allow policy puts
 * `principalId` and the context into `requestContext.authorizer`. The answer is not cached (API Gateway
 * may cache it for the authorizer's TTL; the functions re-check the registry anyway).
 */
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayRequestAuthorizerEvent,
} from 'aws-lambda';
import { routeScope } from '../shared/config/scopes.js';
import type { ErrorCode } from '../shared/domain/error-codes.js';
import { type AsyncHandler, lambdaContext } from './lambda.js';

export type AuthorizerHandler = AsyncHandler<APIGatewayRequestAuthorizerEvent, APIGatewayAuthorizerResult>;

export type AuthorizerOutcome =
  | { readonly ok: true; readonly authorizer: Record<string, string | number | boolean> | null }
  | {
      readonly ok: false;
      readonly status: number;
      readonly code: ErrorCode;
      /** API Gateway's gateway response type (x-amzn-errortype). */
      readonly responseType: string;
      readonly message: string;
    };

export const isPublicRoute = (method: string, resource: string): boolean =>
  routeScope(method, resource)?.scope === 'public';

const allows = (result: APIGatewayAuthorizerResult, methodArn: string): boolean | undefined => {
  const statements = result?.policyDocument?.Statement;
  if (!Array.isArray(statements)) return undefined;
  const matches = (pattern: string) =>
    new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(methodArn);
  let allowed = false;
  for (const s of statements) {
    const resources = 'Resource' in s ? (Array.isArray(s.Resource) ? s.Resource : [s.Resource]) : [];
    if (!resources.some((r) => typeof r === 'string' && matches(r))) continue;
    if (s.Effect === 'Deny') return false;
    if (s.Effect === 'Allow') allowed = true;
  }
  return allowed;
};

export const runAuthorizer = async (
  handler: () => Promise<AuthorizerHandler>,
  event: Omit<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>,
  region: string,
): Promise<AuthorizerOutcome> => {
  if (isPublicRoute(event.httpMethod, event.resource)) return { ok: true, authorizer: null };
  const unauthorized = {
    ok: false,
    status: 401,
    code: 'UNAUTHENTICATED',
    responseType: 'UNAUTHORIZED',
    message: 'Send a valid access token: Authorization: Bearer <token> (API keys do not identify a caller)',
  } as const;
  const failure = {
    ok: false,
    status: 500,
    code: 'INTERNAL',
    responseType: 'AUTHORIZER_FAILURE',
    message: 'Internal error',
  } as const;
  const authorization = Object.entries(event.headers ?? {}).find(
    ([k]) => k.toLowerCase() === 'authorization',
  );
  if (!authorization?.[1]) return unauthorized;
  const ctx = event.requestContext;
  const methodArn = `arn:aws:execute-api:${region}:${ctx.accountId}:${ctx.apiId}/${ctx.stage}/${event.httpMethod}${event.path}`;
  const authorizerEvent: APIGatewayRequestAuthorizerEvent = {
    type: 'REQUEST',
    methodArn,
    resource: event.resource,
    path: event.path,
    httpMethod: event.httpMethod,
    headers: event.headers,
    multiValueHeaders: event.multiValueHeaders,
    pathParameters: event.pathParameters,
    queryStringParameters: event.queryStringParameters,
    multiValueQueryStringParameters: event.multiValueQueryStringParameters,
    stageVariables: event.stageVariables,
    requestContext: { ...ctx, authorizer: undefined },
  };
  const started = Date.now();
  let result: APIGatewayAuthorizerResult;
  try {
    result = await (await handler())(authorizerEvent, lambdaContext('authorizer', region));
  } catch (e) {
    if (e instanceof Error && e.message === 'Unauthorized') return unauthorized;
    return failure;
  }
  const allowed = allows(result, methodArn);
  if (allowed === undefined || typeof result?.principalId !== 'string') {
    return { ...failure, responseType: 'AUTHORIZER_CONFIGURATION_ERROR' };
  }
  if (!allowed) {
    return {
      ok: false,
      status: 403,
      code: 'FORBIDDEN',
      responseType: 'ACCESS_DENIED',
      message: 'The caller is not registered with the gateway, or is suspended',
    };
  }
  return {
    ok: true,
    authorizer: {
      ...(result.context ?? {}),
      principalId: result.principalId,
      integrationLatency: Date.now() - started,
    },
  };
};
