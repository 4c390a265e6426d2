/**
 * The typed TypeScript client (clients/typescript) against the local runtime: tokens from the local
 * OAuth 2.0 token endpoint (client credentials) and a new one after a 401, answers as unions on the
 * outcome name and the error code, an Idempotency-Key on every call that changes the LRS kept across a
 * retry after Retry-After (a duplicate still in flight), and the job helper following a bulk job through
 * the queue to its results.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLrsGatewayClient, type LrsGatewayClient } from '../../clients/typescript/index.js';
import { notableLearner } from '../../simulator/seed.js';
import { type LocalStack, startLocalStack } from '../support/local-stack.js';

const ORG = 'TEST0001';
const CALLER = { clientId: 'client-test', clientSecret: `secret-${randomUUID()}`, organisations: ['*'] };
const exact = notableLearner('exact');

let stack: LocalStack;
/** Every request the client sent, as seen on the wire. */
const sent: Array<{ url: string; method: string; headers: Headers }> = [];
/** When set, the next API call goes out with this Authorization instead (a token the API refuses). */
let spoilNextToken: string | undefined;

const recordingFetch: typeof fetch = async (input, init) => {
  const request = new Request(input, init);
  if (spoilNextToken && !request.url.includes('/oauth2/token')) {
    request.headers.set('authorization', spoilNextToken);
    spoilNextToken = undefined;
  }
  sent.push({ url: request.url, method: request.method, headers: new Headers(request.headers) });
  return fetch(request);
};

const client = (extra: Partial<Parameters<typeof createLrsGatewayClient>[0]> = {}): LrsGatewayClient =>
  createLrsGatewayClient({
    baseUrl: stack.apiUrl,
    tokenUrl: stack.tokenIssuer.tokenEndpoint,
    clientId: CALLER.clientId,
    clientSecret: CALLER.clientSecret,
    organisation: ORG,
    fetch: recordingFetch,
    ...extra,
  });

const tokenCalls = () => sent.filter((s) => s.url.endsWith('/oauth2/token')).length;

beforeAll(async () => {
  stack = await startLocalStack({ api: true, pollers: true, callers: [CALLER] });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe('the TypeScript client', () => {
  it('gets a token once, and answers a find as a union on the outcome name', async () => {
    const lrs = client();
    const before = tokenCalls();
    const answer = await lrs.call('findLearnerByDemographics', {
      familyName: exact.familyName,
      givenName: exact.givenName,
      dateOfBirth: exact.dateOfBirth,
      gender: exact.gender,
      lastKnownPostCode: exact.postcode.replace(/\s+/g, ''),
    });
    if (!answer.ok) throw new Error(`expected an answer, got ${answer.code}`);
    expect(answer.name).toBe('EXACT_MATCH');
    expect(answer.outcome.lrsCode).toBe('WSRC0004');
    if (answer.name === 'EXACT_MATCH') expect(answer.result?.learners?.[0]?.uln).toBe(exact.uln);
    const again = await lrs.call('findLearnerByUln', {
      uln: exact.uln,
      givenName: exact.givenName,
      familyName: exact.familyName,
    });
    expect(again.ok && again.name).toBe('EXACT_MATCH');
    expect(tokenCalls() - before).toBe(1);
    const last = sent.at(-1);
    expect(last?.headers.get('authorization')).toMatch(/^Bearer ey/);
    expect(last?.headers.get('x-lrs-organisation')).toBe(ORG);
    // A look-up changes nothing: no Idempotency-Key.
    expect(last?.headers.get('idempotency-key')).toBeNull();
  });

  it('answers an error as a union on the error code, with the fields named', async () => {
    const answer = await client().call('findLearnerByUln', {
      uln: '1234567890',
      givenName: 'A',
      familyName: 'B',
    });
    if (answer.ok) throw new Error('expected an error');
    expect(answer.status).toBe(400);
    expect(answer.code).toBe('VALIDATION_FAILED');
    if (answer.code === 'VALIDATION_FAILED')
      expect(answer.error.issues?.map((i) => [i.field, i.rule])).toEqual([['uln', 'ulnCheckDigit']]);
  });

  it('fetches a new token once when the API answers 401', async () => {
    const lrs = client();
    const before = tokenCalls();
    spoilNextToken = 'Bearer not-a-token';
    const answer = await lrs.call('findLearnerByUln', {
      uln: exact.uln,
      givenName: exact.givenName,
      familyName: exact.familyName,
    });
    expect(answer.ok).toBe(true);
    expect(tokenCalls() - before).toBe(2);
  });

  it('sends an Idempotency-Key on a call that changes the LRS, and keeps it when it retries after Retry-After', async () => {
    const retries: Array<{ status?: number; code?: string; waitSeconds: number }> = [];
    const lrs = client({ onRetry: (r) => retries.push(r) });
    const learner = {
      givenName: 'Clientia',
      familyName: `Retried${randomUUID().replaceAll('-', '').replace(/[0-9]/g, '').slice(0, 8)}`,
      dateOfBirth: '2008-03-04',
      gender: '1' as const,
      lastKnownPostCode: 'CV1 2AB',
      verificationType: '1' as const,
      abilityToShare: '1' as const,
    };
    const key = `client-${randomUUID()}`;
    stack.simulator.setConditions({ latencyMs: 1500 });
    try {
      // Two calls with the same key: the second meets the first still in flight (409 IDEMPOTENCY_KEY_IN_USE,
      // Retry-After), waits, and gets the first call's answer.
      const first = lrs.call('registerLearner', { learner }, { idempotencyKey: key });
      await new Promise((r) => setTimeout(r, 300));
      const second = await lrs.call('registerLearner', { learner }, { idempotencyKey: key });
      const answered = await first;
      expect(answered.ok && second.ok).toBe(true);
      if (answered.ok && second.ok) {
        expect(second.requestId).toBe(answered.requestId);
        expect(second.replayed).toBe(true);
      }
    } finally {
      stack.simulator.setConditions({ latencyMs: 0 });
    }
    expect(retries.length).toBeGreaterThanOrEqual(1);
    for (const r of retries) {
      expect(r).toMatchObject({ status: 409, code: 'IDEMPOTENCY_KEY_IN_USE' });
      expect(r.waitSeconds).toBeGreaterThanOrEqual(1);
    }
    const registers = sent.filter((s) => s.url.endsWith('/v1/learners/register'));
    // The first call, the second and each of its retries: all with the one key.
    expect(registers.filter((s) => s.headers.get('idempotency-key') === key)).toHaveLength(
      2 + retries.length,
    );

    // Without a key of the caller's, the client makes one.
    const fresh = await lrs.call('registerLearner', { learner: { ...learner, givenName: 'Clientib' } });
    expect(fresh.ok).toBe(true);
    expect(sent.at(-1)?.headers.get('idempotency-key')).toMatch(/^[0-9a-f-]{36}$/);
  }, 60_000);

  it('runs a bulk job: submits, reports progress and resolves with every result', async () => {
    const progress: Array<{ status: string; pending: number }> = [];
    const run = await client().jobs.run(
      {
        operation: 'findLearnerByUln',
        items: [0, 1, 2].map(() => ({
          uln: exact.uln,
          givenName: exact.givenName,
          familyName: exact.familyName,
        })),
      },
      {
        pollIntervalMs: 200,
        onProgress: (job) => progress.push({ status: job.status, pending: job.counts.pending }),
      },
    );
    expect(run.accepted.accepted).toBe(3);
    expect(run.job.status).toBe('COMPLETED');
    expect(run.results.map((r) => [r.index, r.status, r.outcome?.name])).toEqual([
      [0, 'COMPLETED', 'EXACT_MATCH'],
      [1, 'COMPLETED', 'EXACT_MATCH'],
      [2, 'COMPLETED', 'EXACT_MATCH'],
    ]);
    expect(progress.at(-1)).toEqual({ status: 'COMPLETED', pending: 0 });
    const submit = sent.find((s) => s.method === 'POST' && s.url.endsWith('/v1/jobs'));
    expect(submit?.headers.get('idempotency-key')).toMatch(/^[0-9a-f-]{36}$/);
  }, 60_000);
});
