/**
 * The token verification logic (shared/auth/token.ts), the authorizer's answers (shared/auth/authorizer.ts)
 * and the access checks (shared/app/access.ts): keys made with jose, the JWKS served on loopback, and
 * fast-check over malformed Authorization headers and tampered tokens — never anything but a 401, never
 * a crash.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import fc from 'fast-check';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate, authorizeOrganisation, mayRead } from '../../../shared/app/access.js';
import { createAuthorizer } from '../../../shared/auth/authorizer.js';
import {
  bearerToken,
  createTokenVerifier,
  EXPIRED_TOKEN_MESSAGE,
  loadTokenIssuerConfig,
  scopesOf,
  type TokenVerifier,
} from '../../../shared/auth/token.js';
import { ConfigurationError, ForbiddenError, UnauthenticatedError } from '../../../shared/domain/errors.js';
import type { CallerRecord, RegistryReader } from '../../../shared/ports/registry.js';

const AUD = 'lrs-gateway-test';
let server: Server;
let issuer = '';
let verifier: TokenVerifier;
type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let privateKey: PrivateKey;
const KID = 'test-key-1';

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  verifier = createTokenVerifier({
    kind: 'oidc',
    issuer,
    audience: [AUD],
    jwksUri: `${issuer}/jwks.json`,
    scopePrefix: 'lrs-gateway/',
  });
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
});

const now = () => Math.floor(Date.now() / 1000);
const sign = (claims: JWTPayload, key: PrivateKey = privateKey, kid = KID) =>
  new SignJWT({ iss: issuer, aud: AUD, iat: now(), exp: now() + 300, client_id: 'mis-1', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid })
    .sign(key);

const refused = async (authorization: string | undefined) => {
  try {
    await verifier.verify(authorization);
  } catch (e) {
    return e;
  }
  return undefined;
};

describe('token verification', () => {
  it('accepts a valid token: the client id is the caller, the prefixed gateway scopes are its scopes', async () => {
    const token = await sign({
      scope: 'lrs-gateway/lrs.read lrs-gateway/jobs other/admin lrs-gateway/unknown',
    });
    expect(await verifier.verify(`Bearer ${token}`)).toEqual({
      callerId: 'mis-1',
      scopes: ['lrs.read', 'jobs'],
    });
    // The scheme is case-insensitive (RFC 7235).
    expect((await verifier.verify(`bearer ${token}`)).callerId).toBe('mis-1');
  });

  it('reads Entra ID style claims: azp / appid as the client, roles and scp as scopes', () => {
    expect(scopesOf({ roles: ['lrs.write', 'x'], scp: 'lrs.read' }, '')).toEqual(['lrs.read', 'lrs.write']);
    expect(scopesOf({ scope: 'lrs-gateway/admin' }, 'lrs-gateway/')).toEqual(['admin']);
    expect(scopesOf({ scope: 'admin' }, 'lrs-gateway/')).toEqual([]);
  });

  it('refuses expired, forged, misdirected and unsigned tokens with a 401 error', async () => {
    const other = (await generateKeyPair('RS256')).privateKey;
    const cases: Array<[string, string]> = [
      ['expired', await sign({ exp: now() - 60 })],
      ['forged (same key id, other key)', await sign({}, other)],
      ['forged (unknown key id)', await sign({}, other, 'unknown-kid')],
      ['another issuer', await sign({ iss: 'https://login.example.org/tenant' })],
      ['another audience', await sign({ aud: 'another-api' })],
      ['not yet valid', await sign({ nbf: now() + 600 })],
      ['no caller id', await sign({ client_id: undefined, sub: undefined })],
      [
        'alg none',
        `${Buffer.from('{"alg":"none","kid":"test-key-1"}').toString('base64url')}.${Buffer.from(
          JSON.stringify({ iss: issuer, aud: AUD, exp: now() + 60, client_id: 'x' }),
        ).toString('base64url')}.`,
      ],
    ];
    for (const [what, token] of cases) {
      const e = await refused(`Bearer ${token}`);
      expect(e, what).toBeInstanceOf(UnauthenticatedError);
      expect((e as Error).message, what).not.toContain(token.slice(0, 20));
    }
    expect(((await refused(`Bearer ${cases[0]?.[1]}`)) as Error).message).toBe(EXPIRED_TOKEN_MESSAGE);
  });

  it('refuses a missing header, another scheme and an API key', () => {
    for (const header of [
      undefined,
      '',
      '   ',
      'Basic dXNlcjpwYXNz',
      'local-dev-key',
      'Bearer',
      'Bearer a.b',
    ]) {
      expect(() => bearerToken(header), String(header)).toThrow(UnauthenticatedError);
    }
  });

  it('fuzz: any Authorization header is a 401 or a verified caller, never another error', async () => {
    const valid = await sign({ scope: 'lrs-gateway/lrs.read' });
    const tampered = fc
      .tuple(fc.nat({ max: valid.length - 1 }), fc.constantFrom(...'AZaz09-_.'))
      .map(([i, c]) => valid.slice(0, i) + c + valid.slice(i + 1));
    const segment = fc.stringMatching(/^[A-Za-z0-9_-]{0,60}$/);
    const header = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 100 }),
      fc.tuple(segment, segment, segment).map((p) => `Bearer ${p.join('.')}`),
      fc.base64String({ maxLength: 300 }).map((b) => `Bearer ${b}`),
      tampered.map((t) => `Bearer ${t}`),
      fc.constant(`Bearer ${'a'.repeat(9000)}`),
      fc
        .json()
        .map(
          (j) => `Bearer ${Buffer.from(j).toString('base64url')}.${Buffer.from(j).toString('base64url')}.x`,
        ),
    );
    await fc.assert(
      fc.asyncProperty(header, async (h) => {
        try {
          const identity = await verifier.verify(h);
          // Only an unchanged valid token (a tamper that changed nothing) verifies.
          expect(identity.callerId).toBe('mis-1');
        } catch (e) {
          expect(e).toBeInstanceOf(UnauthenticatedError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

const caller = (over: Partial<CallerRecord> = {}): CallerRecord => ({
  callerId: 'mis-1',
  name: 'MIS',
  status: 'active',
  scopes: ['lrs.read', 'lrs.write'],
  usagePlanKey: 'usage-key-1',
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  ...over,
});

/** An in-memory registry (the pure logic's collaborator). */
const registryWith = (
  callers: CallerRecord[],
  grants: Array<[string, string, boolean]> = [],
): RegistryReader => ({
  getCaller: async (id) => callers.find((c) => c.callerId === id),
  getGrant: async (c, o) => {
    const g = grants.find(([gc, go]) => gc === c && go === o);
    return g ? { callerId: c, organisationId: o, readAll: g[2], createdAt: '' } : undefined;
  },
  getOrganisation: async (id) =>
    id === 'GONE0001'
      ? undefined
      : {
          organisationId: id,
          status: id === 'SUSP0001' ? 'suspended' : 'active',
          secretName: `s/${id}`,
          createdAt: '',
          updatedAt: '',
        },
  callerForSender: async () => undefined,
  getLrsStatus: async () => undefined,
});

const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const authorizerEvent = (authorization?: string): APIGatewayRequestAuthorizerEvent =>
  ({
    type: 'REQUEST',
    methodArn: 'arn:aws:execute-api:eu-west-2:123456789012:api1/live/POST/v1/learners/find-by-uln',
    headers: authorization === undefined ? {} : { Authorization: authorization },
  }) as unknown as APIGatewayRequestAuthorizerEvent;

describe('the Lambda authorizer', () => {
  it('allows an active caller on the whole stage, with its allowed scopes and usage-plan key', async () => {
    const authorize = createAuthorizer({ verifier, registry: registryWith([caller()]), log });
    const token = await sign({ scope: 'lrs-gateway/lrs.read lrs-gateway/admin' });
    const out = await authorize(authorizerEvent(`Bearer ${token}`));
    expect(out.principalId).toBe('mis-1');
    expect(out.policyDocument.Statement).toEqual([
      {
        Action: 'execute-api:Invoke',
        Effect: 'Allow',
        Resource: 'arn:aws:execute-api:eu-west-2:123456789012:api1/live/*',
      },
    ]);
    // admin is in the token but not allowed to the caller: dropped.
    expect(out.context).toEqual({ callerId: 'mis-1', scopes: 'lrs.read' });
    expect(out.usageIdentifierKey).toBe('usage-key-1');
  });

  it('denies a verified token of an unregistered or suspended caller', async () => {
    const token = await sign({});
    for (const callers of [[], [caller({ status: 'suspended' })]]) {
      const out = await createAuthorizer({ verifier, registry: registryWith(callers), log })(
        authorizerEvent(`Bearer ${token}`),
      );
      expect(out.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
      expect(out.context).toBeUndefined();
    }
  });

  it('fuzz: any header is Unauthorized (401), or an Allow for the verified caller — nothing else', async () => {
    const authorize = createAuthorizer({ verifier, registry: registryWith([caller()]), log });
    await fc.assert(
      fc.asyncProperty(fc.option(fc.string({ maxLength: 300 }), { nil: undefined }), async (h) => {
        await expect(authorize(authorizerEvent(h))).rejects.toThrow(/^Unauthorized$/);
      }),
      { numRuns: 200 },
    );
  });
});

describe('access checks in the functions', () => {
  const event = (callerId?: string, scopes = 'lrs.read lrs.write') =>
    ({
      requestContext: { authorizer: callerId ? { callerId, scopes } : null },
    }) as never;

  it('401 without an authorizer context, 403 for an unregistered caller or a missing scope (named)', async () => {
    const registry = registryWith([caller()]);
    await expect(authenticate(registry, event(), { scope: 'lrs.read' })).rejects.toBeInstanceOf(
      UnauthenticatedError,
    );
    await expect(authenticate(registry, event('nobody'), { scope: 'lrs.read' })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(authenticate(registry, event('mis-1', 'lrs.read'), { scope: 'lrs.write' })).rejects.toThrow(
      /needs the scope lrs.write/,
    );
    // A scope the registry no longer allows the caller is not honoured, even if the authorizer passed it.
    await expect(authenticate(registry, event('mis-1', 'jobs'), { scope: 'jobs' })).rejects.toThrow(/jobs/);
    expect(await authenticate(registry, event('mis-1'), { scope: 'lrs.read' })).toEqual({
      callerId: 'mis-1',
      scopes: ['lrs.read', 'lrs.write'],
    });
  });

  it('needs a grant, a configured and an active organisation; reads only its own requests unless readAll', async () => {
    const registry = registryWith(
      [caller()],
      [
        ['mis-1', 'TEST0001', false],
        ['mis-1', 'SUSP0001', false],
        ['mis-1', 'GONE0001', false],
        ['auditor', 'TEST0001', true],
      ],
    );
    const c = { callerId: 'mis-1', scopes: ['lrs.read' as const] };
    expect((await authorizeOrganisation(registry, c, 'TEST0001')).readAll).toBe(false);
    await expect(authorizeOrganisation(registry, c, 'TEST0002')).rejects.toThrow(
      /may not act for this organisation/,
    );
    await expect(authorizeOrganisation(registry, c, 'SUSP0001')).rejects.toThrow(/suspended/);
    await expect(authorizeOrganisation(registry, c, 'GONE0001')).rejects.toThrow(/not configured/);
    expect(await mayRead(registry, c, { organisationId: 'TEST0001', caller: 'mis-1' })).toBe(true);
    expect(await mayRead(registry, c, { organisationId: 'TEST0001', caller: 'other' })).toBe(false);
    expect(
      await mayRead(registry, { ...c, callerId: 'auditor' }, { organisationId: 'TEST0001', caller: 'other' }),
    ).toBe(true);
  });
});

describe('token issuer configuration', () => {
  it('Cognito by default, any OIDC issuer by issuer + audience + JWKS URI, every mistake named', () => {
    expect(loadTokenIssuerConfig({ COGNITO_USER_POOL_ID: 'eu-west-2_AbC123' })).toEqual({
      kind: 'cognito',
      userPoolId: 'eu-west-2_AbC123',
      scopePrefix: 'lrs-gateway/',
    });
    expect(
      loadTokenIssuerConfig({
        TOKEN_ISSUER: 'https://login.microsoftonline.com/tenant/v2.0',
        TOKEN_AUDIENCE: 'api://lrs-gateway, 00000000-1111',
        TOKEN_JWKS_URI: 'https://login.microsoftonline.com/tenant/discovery/v2.0/keys',
        TOKEN_SCOPE_PREFIX: '',
      }),
    ).toMatchObject({ kind: 'oidc', audience: ['api://lrs-gateway', '00000000-1111'], scopePrefix: '' });
    expect(() => loadTokenIssuerConfig({})).toThrow(ConfigurationError);
    expect(() => loadTokenIssuerConfig({ TOKEN_ISSUER: 'https://x.example' })).toThrow(/TOKEN_AUDIENCE/);
    expect(() => loadTokenIssuerConfig({ COGNITO_USER_POOL_ID: 'pool' })).toThrow(/COGNITO_USER_POOL_ID/);
  });
});
