/**
 * The pipeline's smoke test against a stand-in of a deployed stage on a real loopback socket: a token
 * endpoint (client credentials) and the three routes it checks. It passes a healthy stage and fails each
 * way a stage can be broken, and it never prints the token.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSmokeTest, type SmokeOptions, smokeOptionsFromEnv } from '../../tools/smoke-test.js';

const TOKEN = 'token-abc';
let behaviour: { openapi: number; anonymous: number; configured: boolean } = {
  openapi: 200,
  anonymous: 401,
  configured: true,
};
const seen: { path: string; authorization?: string; apiKey?: string; tokenBody?: string }[] = [];
let server: Server;
let base: string;

const send = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
const handle = async (req: IncomingMessage, res: ServerResponse) => {
  let body = '';
  for await (const chunk of req) body += chunk;
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  seen.push({
    path,
    authorization: req.headers.authorization,
    apiKey: req.headers['x-api-key'] as string | undefined,
    tokenBody: path === '/oauth2/token' ? body : undefined,
  });
  if (path === '/oauth2/token') {
    const ok = req.headers.authorization === `Basic ${Buffer.from('client:secret').toString('base64')}`;
    return ok ? send(res, 200, { access_token: TOKEN, token_type: 'Bearer' }) : send(res, 401, {});
  }
  if (path === '/stage/v1/openapi.json') {
    return send(res, behaviour.openapi, { openapi: '3.1.0', paths: { '/v1/jobs': {} } });
  }
  if (path === '/stage/v1/organisations/10000000/status') {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(res, behaviour.anonymous, { error: {} });
    return send(res, 200, { organisationId: '10000000', configured: behaviour.configured, lrs: {} });
  }
  return send(res, 404, {});
};

beforeAll(async () => {
  server = createServer((req, res) => void handle(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const options = (): SmokeOptions => ({
  apiUrl: `${base}/stage`,
  organisationId: '10000000',
  tokenUrl: `${base}/oauth2/token`,
  clientId: 'client',
  clientSecret: 'secret',
  scope: 'lrs-gateway/lrs.read',
  apiKey: 'usage-key',
});

describe('runSmokeTest', () => {
  it('passes a healthy stage, with the client-credentials grant and the usage-plan key', async () => {
    behaviour = { openapi: 200, anonymous: 401, configured: true };
    seen.length = 0;
    const checks = await runSmokeTest(options());
    expect(checks.map((c) => [c.name, c.ok])).toEqual([
      ['public OpenAPI document', true],
      ['read without a token is refused', true],
      ['authenticated read of the organisation status', true],
    ]);
    const token = seen.find((s) => s.path === '/oauth2/token');
    expect(new URLSearchParams(token?.tokenBody).get('grant_type')).toBe('client_credentials');
    expect(new URLSearchParams(token?.tokenBody).get('scope')).toBe('lrs-gateway/lrs.read');
    expect(seen.filter((s) => s.path.startsWith('/stage/')).every((s) => s.apiKey === 'usage-key')).toBe(
      true,
    );
    expect(JSON.stringify(checks)).not.toContain(TOKEN);
  });

  it.each([
    [{ openapi: 500, anonymous: 401, configured: true }, 'public OpenAPI document'],
    [{ openapi: 200, anonymous: 200, configured: true }, 'read without a token is refused'],
    [{ openapi: 200, anonymous: 401, configured: false }, 'authenticated read of the organisation status'],
  ])('fails when the stage answers %j', async (b, failing) => {
    behaviour = b;
    const checks = await runSmokeTest(options());
    expect(checks.filter((c) => !c.ok).map((c) => c.name)).toEqual([failing]);
  });

  it('fails the authenticated check when the token endpoint refuses the client', async () => {
    behaviour = { openapi: 200, anonymous: 401, configured: true };
    const checks = await runSmokeTest({ ...options(), clientSecret: 'wrong' });
    expect(checks[2]).toMatchObject({ ok: false, detail: 'token endpoint answered 401' });
  });
});

describe('smokeOptionsFromEnv', () => {
  it('names every missing input, never echoing a secret', () => {
    expect(() => smokeOptionsFromEnv({ SMOKE_CLIENT_SECRET: 'hush' })).toThrow(
      /SMOKE_API_URL is required[\s\S]*SMOKE_ORGANISATION is required[\s\S]*SMOKE_ACCESS_TOKEN, or all of SMOKE_TOKEN_URL/,
    );
    expect(() => smokeOptionsFromEnv({ SMOKE_CLIENT_SECRET: 'hush' })).not.toThrow(/hush/);
  });

  it('accepts an access token instead of the grant', () => {
    expect(
      smokeOptionsFromEnv({
        SMOKE_API_URL: 'https://x.example/test/',
        SMOKE_ORGANISATION: '1',
        SMOKE_ACCESS_TOKEN: 't',
      }),
    ).toMatchObject({ apiUrl: 'https://x.example/test/', accessToken: 't' });
  });
});
