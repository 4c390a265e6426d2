import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, gatewayRoutes, type ProxyHandler, startApiServer } from '../../local/api-server.js';
import { OPERATION_LIST } from '../../shared/lrs/operations.js';

const KEY = { id: 'key-id-1', value: 'secret-api-key-value-1' };
const events: APIGatewayProxyEvent[] = [];

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
    apiKeys: [KEY],
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

const call = (path: string, init: RequestInit = {}, key: string | null = KEY.value) =>
  fetch(`${api.url}${path}`, {
    ...init,
    headers: { ...(key === null ? {} : { 'x-api-key': key }), ...(init.headers as Record<string, string>) },
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
    expect(event.multiValueHeaders['x-api-key'] ?? event.multiValueHeaders['X-Api-Key']).toEqual([KEY.value]);
    expect(event.queryStringParameters).toEqual({ a: '2', b: 'x' });
    expect(event.multiValueQueryStringParameters).toEqual({ a: ['1', '2'], b: ['x'] });
    expect(event.pathParameters).toBeNull();
    expect(event.stageVariables).toBeNull();
    expect(event.requestContext.identity.apiKeyId).toBe(KEY.id);
    expect(event.requestContext.identity.apiKey).toBe(KEY.value);
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

  it('refuses a missing or unknown API key with 403 like API Gateway, without calling the function', async () => {
    const before = events.length;
    for (const key of [null, 'not-a-key']) {
      const res = await call('/v1/things/find', { method: 'POST', body: '{}' }, key);
      expect(res.status).toBe(403);
      const body = (await res.json()) as { error: { code: string; docUrl: string; requestId: string } };
      expect(body.error).toMatchObject({ code: 'INVALID_API_KEY', retryable: false });
      expect(body.error.docUrl).toMatch(/\/v1\/docs\/errors#INVALID_API_KEY$/);
      expect(body.error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(events.length).toBe(before);
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
