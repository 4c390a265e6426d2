/**
 * Production access through the local runtime over real HTTP and real queues: the API stand-in runs the
 * real Lambda authorizer against tokens from the local token endpoint, the functions check scopes,
 * grants and organisations in the registry (dynalite), the queue worker checks the SQS SenderId. Every
 * refused call or message must leave the simulator's request log untouched.
 */
import { randomUUID } from 'node:crypto';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCaller } from '../../local/resources.js';
import { DynamoDbResultsStore } from '../../shared/adapters/dynamodb-results-store.js';
import { notableLearner } from '../../simulator/seed.js';
import { findByUlnBody } from '../support/learner-requests.js';
import { type LocalStack, startLocalStack } from '../support/local-stack.js';

const exact = notableLearner('exact');
const findBody = findByUlnBody(exact);
const FIND = '/v1/learners/find-by-uln';
const REGISTER = '/v1/learners/register';

const ALL: LocalCaller = { clientId: 'mis-all', clientSecret: `s-${randomUUID()}`, organisations: ['*'] };
/** Read-only caller of TEST0002, which also sends queue messages as the IAM principal AIDANARROW. */
const NARROW: LocalCaller = {
  clientId: 'mis-narrow',
  clientSecret: `s-${randomUUID()}`,
  organisations: ['TEST0002'],
  scopes: ['lrs.read'],
  queueSenders: ['AIDANARROW'],
};

let stack: LocalStack;
let store: DynamoDbResultsStore;
beforeAll(async () => {
  stack = await startLocalStack({ callers: [ALL, NARROW], pollWaitTimeSeconds: 1, registryCacheSeconds: 1 });
  store = new DynamoDbResultsStore({ tableName: stack.tableName, client: stack.dynamoClient });
});
afterAll(async () => stack?.stop());

const post = (path: string, headers: Record<string, string>, body: unknown = findBody) =>
  fetch(`${stack.apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-lrs-organisation': 'TEST0001', ...headers },
    body: JSON.stringify(body),
  });

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Claims as the local issuer puts them in a token of ALL. */
const claims = () => ({
  iss: stack.tokenIssuer.issuer,
  aud: stack.tokenIssuer.audience,
  sub: ALL.clientId,
  client_id: ALL.clientId,
  token_use: 'access',
  scope: 'lrs-gateway/lrs.read lrs-gateway/lrs.write',
});

const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { code: string; message: string } }).error;

describe('caller authentication over HTTP', () => {
  it('answers a valid token (the control: the path works)', async () => {
    const res = await post(FIND, bearer(stack.token));
    expect(res.status).toBe(200);
  });

  it('refuses every call that is not a verified, allowed caller, and none reaches the LRS', async () => {
    const before = stack.simulator.requests().length;
    const { privateKey: otherKey } = await generateKeyPair('RS256');
    const { kid } = decodeProtectedHeader(stack.token);
    const forged = await new SignJWT({ ...claims(), exp: Math.floor(Date.now() / 1000) + 600 })
      .setProtectedHeader({ alg: 'RS256', kid: kid ?? 'x' })
      .sign(otherKey);
    const expired = await stack.tokenIssuer.sign(claims(), { expiresInSeconds: -120 });
    const wrongIssuer = await stack.tokenIssuer.sign({ ...claims(), iss: 'https://issuer.example.org' });
    const wrongAudience = await stack.tokenIssuer.sign({ ...claims(), aud: 'another-api' });
    const unregistered = await stack.tokenIssuer.sign({ ...claims(), sub: 'nobody', client_id: 'nobody' });
    const readOnly = await stack.tokenFor(ALL, 'lrs-gateway/lrs.read');
    const narrow = await stack.tokenFor(NARROW);

    const cases: Array<[string, Promise<Response>, number, string]> = [
      ['no token', post(FIND, {}), 401, 'UNAUTHENTICATED'],
      ['an API key alone', post(FIND, { 'x-api-key': 'local-dev-key' }), 401, 'UNAUTHENTICATED'],
      ['a malformed header', post(FIND, { authorization: 'Basic abc' }), 401, 'UNAUTHENTICATED'],
      ['an expired token', post(FIND, bearer(expired)), 401, 'UNAUTHENTICATED'],
      ['a token signed with another key', post(FIND, bearer(forged)), 401, 'UNAUTHENTICATED'],
      ['a token of another issuer', post(FIND, bearer(wrongIssuer)), 401, 'UNAUTHENTICATED'],
      ['a token for another audience', post(FIND, bearer(wrongAudience)), 401, 'UNAUTHENTICATED'],
      ['a valid token of an unregistered client', post(FIND, bearer(unregistered)), 403, 'FORBIDDEN'],
      // The scope and the grant are checked before the body: an invalid body still gets 403.
      ['a token without lrs.write', post(REGISTER, bearer(readOnly), { learner: {} }), 403, 'FORBIDDEN'],
      ['an organisation not granted', post(FIND, bearer(narrow), { uln: 'x' }), 403, 'FORBIDDEN'],
      [
        'an organisation the gateway does not know',
        post(FIND, { ...bearer(stack.token), 'x-lrs-organisation': 'ZZZZ9999' }),
        403,
        'FORBIDDEN',
      ],
    ];
    for (const [what, pending, status, code] of cases) {
      const res = await pending;
      expect(res.status, what).toBe(status);
      expect((await errorOf(res)).code, what).toBe(code);
    }
    expect(stack.simulator.requests().length).toBe(before);
  });

  it('names the missing scope, and the same read-only token is answered where it is enough', async () => {
    const readOnly = await stack.tokenFor(ALL, 'lrs-gateway/lrs.read');
    const refused = await post(REGISTER, { ...bearer(readOnly), 'idempotency-key': `k-${randomUUID()}` });
    expect((await errorOf(refused)).message).toContain('lrs.write');
    expect((await post(FIND, bearer(readOnly))).status).toBe(200);
    // The narrow caller is answered for the organisation it is granted.
    const narrow = await stack.tokenFor(NARROW);
    expect((await post(FIND, { ...bearer(narrow), 'x-lrs-organisation': 'TEST0002' })).status).toBe(200);
  });

  it('the token endpoint refuses a wrong secret and a scope the client may not use (RFC 6749 §5.2)', async () => {
    const ask = (auth: string, form: Record<string, string>) =>
      fetch(stack.tokenIssuer.tokenEndpoint, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(auth).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams(form).toString(),
      });
    const wrong = await ask(`${NARROW.clientId}:wrong`, { grant_type: 'client_credentials' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
    const scope = await ask(`${NARROW.clientId}:${NARROW.clientSecret}`, {
      grant_type: 'client_credentials',
      scope: 'lrs-gateway/lrs.write',
    });
    expect(scope.status).toBe(400);
    expect(await scope.json()).toMatchObject({ error: 'invalid_scope' });
    const grant = await ask(`${NARROW.clientId}:${NARROW.clientSecret}`, { grant_type: 'password' });
    expect(await grant.json()).toMatchObject({ error: 'unsupported_grant_type' });
    const ok = await ask(`${NARROW.clientId}:${NARROW.clientSecret}`, { grant_type: 'client_credentials' });
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect(await ok.json()).toMatchObject({ token_type: 'Bearer', scope: 'lrs-gateway/lrs.read' });
  });
});

describe('the queue path holds to the same rules', () => {
  const sender = (accessKeyId: string) =>
    new SQSClient({
      region: 'eu-west-2',
      endpoint: stack.env.AWS_ENDPOINT_URL_SQS,
      credentials: { accessKeyId, secretAccessKey: 'local' },
    });
  const send = async (accessKeyId: string, organisationId: string, extra: Record<string, unknown> = {}) => {
    const requestId = `access-${randomUUID()}`;
    const sqs = sender(accessKeyId);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.queueUrls.findLearnerByUln,
        MessageBody: JSON.stringify({
          requestId,
          operation: 'findLearnerByUln',
          organisationId,
          request: findBody,
          ...extra,
        }),
      }),
    );
    sqs.destroy();
    return requestId;
  };
  const settled = async (requestId: string) => {
    for (let i = 0; i < 100; i++) {
      const record = await store.get(requestId);
      if (record && (record.status === 'COMPLETED' || record.status === 'FAILED')) return record;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`request ${requestId} was not settled in time`);
  };

  it('refuses an unregistered sender and a registered sender for an organisation it is not granted, with no LRS call', async () => {
    const before = stack.simulator.requests().length;
    const unregistered = await send('AIDASTRANGER', 'TEST0001');
    const notGranted = await send('AIDANARROW', 'TEST0001');
    // A registered sender may not claim to be another caller either.
    const impersonating = await send('AIDANARROW', 'TEST0002', { caller: ALL.clientId });
    for (const [requestId, reason] of [
      [unregistered, /not a registered caller/],
      [notGranted, /may not act for this organisation/],
      [impersonating, /another caller/],
    ] as const) {
      const record = await settled(requestId);
      expect(record.status).toBe('FAILED');
      expect(record.error).toMatchObject({ code: 'FORBIDDEN', retryable: false });
      expect(record.error?.message).toMatch(reason);
    }
    expect(stack.simulator.requests().length).toBe(before);
    // Acknowledged, not retried: nothing waits in the queue or its DLQ.
    expect((await settled(unregistered)).attempts).toBe(0);
  });

  it('runs the same message from the registered sender for its own organisation (the control)', async () => {
    const record = await settled(await send('AIDANARROW', 'TEST0002'));
    expect(record.status).toBe('COMPLETED');
    expect(record.caller).toBe(NARROW.clientId);
  });
});

describe('GET /v1/organisations/{organisationId}/status', () => {
  const status = (organisationId: string, token: string) =>
    fetch(`${stack.apiUrl}/v1/organisations/${organisationId}/status`, { headers: bearer(token) });
  const until = async <T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> => {
    let value = await read();
    for (let i = 0; i < 50 && !ok(value); i++) {
      await new Promise((r) => setTimeout(r, 100));
      value = await read();
    }
    return value;
  };
  type StatusBody = {
    configured: boolean;
    status?: string;
    certificate?: { subject?: string; daysToExpiry?: number };
    lrs: { lastSuccessAt?: string; lastFailureAt?: string; lastFailureCode?: string };
  };

  it('shows a granted organisation: configured, its certificate, the last LRS success and failure', async () => {
    expect((await post(FIND, bearer(stack.token))).status).toBe(200);
    stack.simulator.setConditions({ maintenance: true });
    try {
      expect((await post(FIND, bearer(stack.token))).status).toBe(503);
    } finally {
      stack.simulator.resetConditions();
    }
    const narrow = await stack.tokenFor(NARROW);
    const body = await until(
      async () => (await (await status('TEST0001', stack.token)).json()) as StatusBody,
      (b) => b.lrs.lastSuccessAt !== undefined && b.lrs.lastFailureCode !== undefined,
    );
    expect(body).toMatchObject({ configured: true, status: 'active' });
    expect(body.certificate?.subject).toContain('CN=');
    expect(body.certificate?.daysToExpiry).toBeGreaterThan(0);
    expect(Date.parse(body.lrs.lastSuccessAt ?? '')).toBeGreaterThan(Date.now() - 120_000);
    expect(body.lrs.lastFailureCode).toBe('MAINTENANCE');
    // A caller granted the organisation reads it; one that is not (and is no operator) is refused.
    expect((await status('TEST0002', narrow)).status).toBe(200);
    expect((await status('TEST0001', narrow)).status).toBe(403);
  });

  it('tells an operator (scope admin) about an organisation the gateway does not hold', async () => {
    const res = await status('ZZZZ9999', stack.token);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ organisationId: 'ZZZZ9999', configured: false, lrs: {} });
    expect((await status('bad!', stack.token)).status).toBe(400);
    expect((await fetch(`${stack.apiUrl}/v1/organisations/TEST0001/status`)).status).toBe(401);
  });
});
