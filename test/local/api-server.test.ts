import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayRequestAuthorizerEvent,
} from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, gatewayRoutes, type ProxyHandler, startApiServer } from '../../local/api-server.js';
import { OPERATION_LIST } from '../../shared/lrs/contract/operations.js';

const TOKEN = 'good.token.value';
const events: APIGatewayProxyEvent[] = [];
const authorizerEvents: APIGatewayRequestAuthorizerEvent[] = [];

/** A stand-in authorizer with API Gateway's contract: throw Unauthorized (401), Deny (403) or Allow. */
const authorizer = async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
  authorizerEvents.push(event);
  const auth = event.headers?.authorization ?? event.headers?.Authorization;
  if (auth === 'Bearer denied.token.value') {
    return {
      principalId: 'c-2',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: event.methodArn }],
      },
    };
  }
  if (auth === 'Bearer broken.token.value') throw new Error('boom');
  if (auth !== `Bearer ${TOKEN}`) throw new Error('Unauthorized');
  const [apiArn, stage] = event.methodArn.split('/');
  return {
    principalId: 'c-1',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${apiArn}/${stage}/*` }],
    },
    context: { callerId: 'c-1', scopes: 'lrs.read' },
  };
};

/** Echoes what it was given, with a status and headers the test chooses. */
const echo: ProxyHandler = async (event, context) => {
  events.push(event);
  return {
    statusCode: 202,
    headers: { 'Content-Type': 'application/json', 'X-Echo': 'yes' },
    multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] },
    body: JSON.stringify({
      path: event.path,
      fn: context.functionName,
      remaining: context.getRemainingTimeInMillis() > 0,
    }),
  };
};
const failing: ProxyHandler = async () => {
  throw new Error('boom');
};
const malformed = (async () => ({ nope: true })) as unknown as ProxyHandler;

let api: ApiServer;
const logs: string[] = [];

beforeAll(async () => {
  api = await startApiServer({
    region: 'eu-west-2',
    stage: 'local',
    authorizer: async () => authorizer,
    maxBodyBytes: 1024,
    log: (line) => logs.push(line),
    routes: [
      { method: 'POST', resource: '/v1/things/find', functionName: 'things', handler: async () => echo },
      {
        method: 'GET',
        resource: '/v1/jobs/{jobId}/results',
        functionName: 'jobs',
        handler: async () => echo,
      },
      { method: 'GET', resource: '/v1/broken', functionName: 'broken', handler: async () => failing },
      { method: 'GET', resource: '/v1/malformed', functionName: 'malformed', handler: async () => malformed },
    ],
  });
});
afterAll(async () => {
  await api?.close();
});

const call = (path: string, init: RequestInit = {}, token: string | null = TOKEN) =>
  fetch(`${api.url}${path}`, {
    ...init,
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(init.headers as Record<string, string>),
    },
  });

describe('local API server', () => {
  it('maps a POST to a faithful v1 APIGatewayProxyEvent', async () => {
    events.length = 0;
    const res = await call('/v1/things/find?a=1&a=2&b=x', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'k1', 'X-Multi': 'one' },
      body: JSON.stringify({ organisationId: 'TEST0001' }),
    });
    expect(res.status).toBe(202);
    const event = events[0];
    expect(event).toBeDefined();
    if (!event) return;
    expect(event.resource).toBe('/v1/things/find');
    expect(event.path).toBe('/v1/things/find');
    expect(event.httpMethod).toBe('POST');
    expect(event.body).toBe('{"organisationId":"TEST0001"}');
    expect(event.isBase64Encoded).toBe(false);
    expect(event.headers['Idempotency-Key'] ?? event.headers['idempotency-key']).toBe('k1');
    expect(event.multiValueHeaders.authorization).toEqual([`Bearer ${TOKEN}`]);
    expect(event.queryStringParameters).toEqual({ a: '2', b: 'x' });
    expect(event.multiValueQueryStringParameters).toEqual({ a: ['1', '2'], b: ['x'] });
    expect(event.pathParameters).toBeNull();
    expect(event.stageVariables).toBeNull();
    // The authorizer's principal and context, as API Gateway hands them to the function.
    expect(event.requestContext.authorizer).toMatchObject({
      principalId: 'c-1',
      callerId: 'c-1',
      scopes: 'lrs.read',
    });
    expect(event.requestContext.identity.apiKeyId).toBeNull();
    const seen = authorizerEvents.at(-1);
    expect(seen?.type).toBe('REQUEST');
    expect(seen?.methodArn).toBe(
      'arn:aws:execute-api:eu-west-2:000000000000:local000api/local/POST/v1/things/find',
    );
    expect(event.requestContext.identity.sourceIp).toBe('127.0.0.1');
    expect(event.requestContext.resourcePath).toBe('/v1/things/find');
    expect(event.requestContext.path).toBe('/v1/things/find');
    expect(event.requestContext.stage).toBe('local');
    expect(event.requestContext.httpMethod).toBe('POST');
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('x-amzn-requestid')).toBe(event.requestContext.requestId);
  });

  it("returns the function's status, headers (single and multi-value) and body", async () => {
    const res = await call('/v1/jobs/job%201/results');
    expect(res.status).toBe(202);
    expect(res.headers.get('x-echo')).toBe('yes');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await res.json()).toEqual({ path: '/v1/jobs/job%201/results', fn: 'jobs', remaining: true });
    const event = events.at(-1);
    expect(event?.pathParameters).toEqual({ jobId: 'job 1' });
    expect(event?.body).toBeNull();
    expect(event?.queryStringParameters).toBeNull();
  });

  it('answers like API Gateway when the authorizer refuses, without calling the function', async () => {
    const before = events.length;
    const authorizerCalls = authorizerEvents.length;
    const cases: Array<[string | null, Record<string, string>, number, string]> = [
      // No Authorization header (the identity source): 401 without calling the authorizer.
      [null, {}, 401, 'UNAUTHENTICATED'],
      // An API key alone identifies no one.
      [null, { 'x-api-key': 'some-api-key-value' }, 401, 'UNAUTHENTICATED'],
      ['not.a.token', {}, 401, 'UNAUTHENTICATED'],
      ['denied.token.value', {}, 403, 'FORBIDDEN'],
      ['broken.token.value', {}, 500, 'INTERNAL'],
    ];
    for (const [token, headers, status, code] of cases) {
      const res = await call('/v1/things/find', { method: 'POST', body: '{}', headers }, token);
      expect(res.status).toBe(status);
      const body = (await res.json()) as { error: { code: string; docUrl: string; requestId: string } };
      expect(body.error).toMatchObject({ code, retryable: false });
      expect(body.error.docUrl).toMatch(new RegExp(`/v1/docs/errors#${code}$`));
      expect(body.error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(events.length).toBe(before);
    expect(authorizerEvents.length).toBe(authorizerCalls + 3);
  });

  it('answers 404 for an unknown path and 405 (with Allow) for a known path with another method', async () => {
    const notFound = await call('/v1/nothing-here');
    expect(notFound.status).toBe(404);
    expect(((await notFound.json()) as { error: { code: string } }).error.code).toBe('ROUTE_NOT_FOUND');
    const wrongMethod = await call('/v1/things/find');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });

  it('rejects a JSON body that is not an object with 400 BAD_REQUEST_BODY, as the request validator does', async () => {
    for (const body of ['[1,2]', 'not json', '']) {
      const res = await call('/v1/things/find', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BAD_REQUEST_BODY');
    }
  });

  it('refuses a body over the size limit with 413', async () => {
    const res = await call('/v1/things/find', {
      method: 'POST',
      body: JSON.stringify({ x: 'y'.repeat(2000) }),
    });
    expect(res.status).toBe(413);
  });

  it('turns a function error or a non-proxy result into 502, and logs no bodies', async () => {
    logs.length = 0;
    expect((await call('/v1/broken')).status).toBe(502);
    expect((await call('/v1/malformed')).status).toBe(502);
    await call('/v1/things/find', { method: 'POST', body: '{"familyName":"Smith"}' });
    expect(logs.join('\n')).not.toContain('Smith');
    expect(logs.some((l) => l.includes('GET /v1/broken → 502'))).toBe(true);
  });

  it('gatewayRoutes() covers every operation route and the platform routes, with no duplicates', () => {
    const routes = gatewayRoutes();
    const keys = routes.map((r) => `${r.method} ${r.resource}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const op of OPERATION_LIST) expect(keys).toContain(`POST ${op.route.path}`);
    for (const platform of [
      'GET /v1/requests/{requestId}',
      'GET /v1/openapi.json',
      'POST /v1/jobs',
      'GET /v1/jobs/{jobId}',
      'GET /v1/jobs/{jobId}/results',
    ]) {
      expect(keys).toContain(platform);
    }
  });
});
