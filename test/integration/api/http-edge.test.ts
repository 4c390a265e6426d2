/**
 * The HTTP edge against the real stack: validation (400 naming every field and rule, never the value),
 * 415, caller access (403), idempotency (one registration for five retries, 409 on a reused key, a retry
 * after a 503 goes through), an LRS that is out of hours or in maintenance (503 + Retry-After) and an LRS
 * refusal of our organisation's access (403).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorEnvelope as ErrorBody, RequestView } from '../../../shared/http/http-response.js';
import { notableLearner } from '../../../simulator/seed.js';
import { lambdaContext, parse, proxyEvent } from '../../support/events.js';
import { learnerFields, updateLearnerFields } from '../../support/learner-requests.js';
import { describeLogs, FIND_ONLY_ORG, type Harness, ORG, startHarness } from './harness.js';

type View<R = Record<string, unknown>> = RequestView & { result: R };

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    callers: [
      { clientId: 'local-mis', clientSecret: `s-${randomUUID()}`, organisations: ['*'] },
      { clientId: 'college-b', clientSecret: `s-${randomUUID()}`, organisations: ['TEST0002'] },
    ],
  });
});
afterAll(async () => h?.stop());

const exact = notableLearner('exact');
const key = () => `test-${randomUUID()}`;

/** A learner the LRS does not know, one per idempotency test (told apart by the given name). */
const idempotentia = (givenName: string) => ({
  givenName,
  familyName: 'Idempotentia',
  dateOfBirth: '2009-09-09',
  gender: '2',
  postcode: 'NG1 5FS',
});
const newLearner = (givenName: string) => ({ learner: learnerFields(idempotentia(givenName)) });

describe('validation', () => {
  it('400 names a malformed JSON body', async () => {
    const handler = await h.handler('findLearnerByUln');
    const res = parse<ErrorBody>(
      await handler(
        proxyEvent({
          path: '/v1/learners/find-by-uln',
          body: '{"uln": "1026893096", ',
          headers: { 'X-LRS-Organisation': ORG },
          callerId: h.callerId,
        }),
        lambdaContext(),
      ),
    );
    expect(res.statusCode).toBe(400);
    expect(res.body.error.issues).toEqual([expect.objectContaining({ field: 'body', rule: 'json' })]);
    expect(res.headers['X-Request-Id']).toBe(res.body.error.requestId);
  });

  it('415 when the body is not JSON', async () => {
    const res = await h.call<ErrorBody>('findLearnerByUln', 'uln=1026893096', {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(res.statusCode).toBe(415);
    expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('400 names a ULN with a bad check digit, without echoing it', async () => {
    const res = await h.call<ErrorBody>('findLearnerByUln', {
      uln: '1234567890',
      givenName: 'A',
      familyName: 'B',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body.error.issues).toEqual([expect.objectContaining({ field: 'uln', rule: 'ulnCheckDigit' })]);
    expect(JSON.stringify(res.body)).not.toContain('1234567890');
    // Nothing reached the LRS or the store.
    expect(await h.stored(res.body.error.requestId)).toBeUndefined();
  });

  it('400 lists every facet violation and bad header at once', async () => {
    const tooLong = 'X'.repeat(36);
    const res = await h.call<ErrorBody>(
      'findLearnerByDemographics',
      {
        givenName: tooLong,
        familyName: 'Smith',
        dateOfBirth: '2001-02-30',
        gender: '3',
        lastKnownPostCode: 'NOT A POSTCODE',
      },
      { headers: { 'X-LRS-Username': ' ' } },
    );
    expect(res.statusCode).toBe(400);
    const issues = (res.body.error.issues ?? []).map((i) => [i.field, i.rule]);
    expect(issues).toEqual(
      expect.arrayContaining([
        ['headers.X-LRS-Username', 'pattern'],
        ['givenName', 'maxLength'],
        ['dateOfBirth', 'calendarDate'],
        ['gender', 'enum'],
        ['lastKnownPostCode', 'pattern'],
      ]),
    );
    for (const i of res.body.error.issues ?? []) expect(i.message).toContain(i.field);
    expect(JSON.stringify(res.body)).not.toContain(tooLong);
    expect(JSON.stringify(res.body)).not.toContain('NOT A POSTCODE');
  });

  it('400 when a mutating operation has no Idempotency-Key', async () => {
    const res = await h.call<ErrorBody>('registerLearner', newLearner('Nokey'));
    expect(res.statusCode).toBe(400);
    expect(res.body.error.issues).toEqual([
      expect.objectContaining({ field: 'headers.Idempotency-Key', rule: 'required' }),
    ]);
  });

  it('400 when the organisation header is missing', async () => {
    const res = await h.call<ErrorBody>(
      'findLearnerByUln',
      { uln: exact.uln, givenName: exact.givenName, familyName: exact.familyName },
      { org: null },
    );
    expect(res.statusCode).toBe(400);
    expect(res.body.error.issues).toEqual([
      expect.objectContaining({ field: 'headers.X-LRS-Organisation', rule: 'required' }),
    ]);
  });
});

describe('caller access', () => {
  const body = { uln: exact.uln, givenName: exact.givenName, familyName: exact.familyName };

  it('403 for a caller acting for an organisation it is not allowed', async () => {
    const before = h.stack.simulator.requestCount();
    const res = await h.call<ErrorBody>('findLearnerByUln', body, { callerId: 'college-b' });
    expect(res.statusCode).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
    expect(h.stack.simulator.requestCount()).toBe(before);
  });

  it('403 for an organisation the gateway holds no credentials for', async () => {
    const res = await h.call<ErrorBody>('findLearnerByUln', body, { org: 'ZZZZ9999' });
    expect(res.statusCode).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'FORBIDDEN', retryable: false });
  });

  it('401 without a caller identity, 200 for the organisation the caller is allowed', async () => {
    expect((await h.call('findLearnerByUln', body, { callerId: null })).statusCode).toBe(401);
    expect(
      (await h.call('findLearnerByUln', body, { callerId: 'college-b', org: 'TEST0002' })).statusCode,
    ).toBe(200);
  });
});

describe('idempotency', () => {
  it('a register retried 5 times with the same key registers once and answers the same each time', async () => {
    const idempotencyKey = key();
    const body = newLearner('Fivetimes');
    const registered = h.stack.simulator.registeredUlns().length;
    const registerCalls = h.stack.simulator.requestCount('registerSingleLearner');
    const searches = h.stack.simulator.requestCount('learnerByDemographics');

    const answers = [];
    for (let i = 0; i < 5; i++)
      answers.push(await h.call<View<{ uln: string }>>('registerLearner', body, { idempotencyKey }));

    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200, 200]);
    const first = answers[0]?.body;
    expect(first?.outcome?.lrsCode).toBe('WSRC0005');
    for (const a of answers.slice(1)) {
      expect(a.body).toEqual(first);
      expect(a.headers['Idempotent-Replayed']).toBe('true');
    }
    expect(answers[0]?.headers['Idempotent-Replayed']).toBeUndefined();
    expect(h.stack.simulator.registeredUlns()).toHaveLength(registered + 1);
    expect(h.stack.simulator.requestCount('registerSingleLearner')).toBe(registerCalls + 1);
    expect(h.stack.simulator.requestCount('learnerByDemographics')).toBe(searches + 1);

    // The LRS holds exactly that one learner.
    const found = await h.call<View<{ learners: Array<{ uln: string }> }>>('findLearnerByDemographics', {
      givenName: 'Fivetimes',
      familyName: 'Idempotentia',
      dateOfBirth: '2009-09-09',
      gender: '2',
      lastKnownPostCode: 'NG15FS',
    });
    expect(found.body.outcome?.lrsCode).toBe('WSRC0004');
    expect(found.body.result.learners.map((l) => l.uln)).toEqual([first?.result.uln]);
  });

  it('concurrent duplicates: one call reaches the LRS, the others get 409 or the stored answer', async () => {
    const idempotencyKey = key();
    const body = newLearner('Concurrent');
    const registerCalls = h.stack.simulator.requestCount('registerSingleLearner');
    h.stack.simulator.setConditions({ latencyMs: 150 });
    try {
      const answers = await Promise.all(
        Array.from({ length: 5 }, () =>
          h.call<View | ErrorBody>('registerLearner', body, { idempotencyKey }),
        ),
      );
      const statuses = answers.map((a) => a.statusCode).sort();
      expect(
        statuses.every((s) => s === 200 || s === 409),
        statuses.join(),
      ).toBe(true);
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
      // The LRS answers slowly here, so the duplicates arrive while the first call is in flight.
      expect(statuses.filter((s) => s === 409).length).toBeGreaterThanOrEqual(1);
      for (const a of answers.filter((x) => x.statusCode === 409)) {
        expect(Number(a.headers['Retry-After'])).toBeGreaterThan(0);
      }
    } finally {
      h.stack.simulator.setConditions({ latencyMs: 0 });
    }
    expect(h.stack.simulator.requestCount('registerSingleLearner')).toBe(registerCalls + 1);
  });

  it('409 when the same key comes with a different body', async () => {
    const idempotencyKey = key();
    expect((await h.call('registerLearner', newLearner('Firstbody'), { idempotencyKey })).statusCode).toBe(
      200,
    );
    const clash = await h.call<ErrorBody>('registerLearner', newLearner('Otherbody'), { idempotencyKey });
    expect(clash.statusCode).toBe(409);
    expect(clash.body.error).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', retryable: false });
    expect(clash.headers['Retry-After']).toBeUndefined();
  });

  it('scopes keys per organisation', async () => {
    const idempotencyKey = key();
    const body = { uln: exact.uln, givenName: exact.givenName, familyName: exact.familyName };
    const a = await h.call<View>('findLearnerByUln', body, { idempotencyKey });
    const b = await h.call<View>('findLearnerByUln', body, { idempotencyKey, org: 'TEST0002' });
    expect(a.statusCode).toBe(200);
    expect(b.statusCode).toBe(200);
    expect(b.body.requestId).not.toBe(a.body.requestId);
  });
});

describe('the LRS unavailable or refusing', () => {
  it('503 with Retry-After out of hours; the retry with the same key goes through once the LRS is back', async () => {
    const idempotencyKey = key();
    const body = newLearner('Afterhours');
    h.stack.simulator.setConditions({ outOfHours: true });
    let closed: Awaited<ReturnType<typeof h.call<ErrorBody>>>;
    try {
      closed = await h.call<ErrorBody>('registerLearner', body, { idempotencyKey });
    } finally {
      h.stack.simulator.setConditions({ outOfHours: false });
    }
    expect(closed.statusCode).toBe(503);
    expect(Number(closed.headers['Retry-After'])).toBeGreaterThan(0);
    expect(closed.body.error).toMatchObject({
      code: 'LRS_UNAVAILABLE',
      reason: 'OUT_OF_HOURS',
      retryable: true,
      outcome: { code: 'OUT_OF_HOURS', lrsCode: 'WSEC0004', class: 'retry-later', final: false },
    });
    expect(Number(closed.headers['Retry-After'])).toBe(closed.body.error.retryAfterSeconds);
    expect(await h.stored(closed.body.error.requestId)).toMatchObject({
      status: 'FAILED',
      error: { retryable: true },
    });

    const retried = await h.call<View<{ registered: boolean }>>('registerLearner', body, { idempotencyKey });
    expect(retried.statusCode).toBe(200);
    expect(retried.body).toMatchObject({
      requestId: closed.body.error.requestId,
      status: 'COMPLETED',
      attempts: 2,
    });
    expect(retried.body.result.registered).toBe(true);
  });

  it('503 in maintenance, with a retry-later outcome', async () => {
    h.stack.simulator.setConditions({ maintenance: true });
    try {
      const res = await h.call<ErrorBody>('findLearnerByUln', {
        uln: exact.uln,
        givenName: exact.givenName,
        familyName: exact.familyName,
      });
      expect(res.statusCode).toBe(503);
      expect(Number(res.headers['Retry-After'])).toBe(res.body.error.retryAfterSeconds);
      // The maintenance fault reuses WSEC0001: the outcome is the gateway's own, with no LRS code.
      expect(res.body.error.outcome).toEqual(
        expect.objectContaining({ code: 'LRS_MAINTENANCE', class: 'retry-later', final: false }),
      );
      expect(res.body.error.outcome).not.toHaveProperty('lrsCode');
      expect(res.body.error).toMatchObject({ reason: 'MAINTENANCE', retryable: true });
    } finally {
      h.stack.simulator.setConditions({ maintenance: false });
    }
  });

  it("403 with the LRS code when the LRS refuses the organisation's access (WSEC0006)", async () => {
    const res = await h.call<ErrorBody>(
      'updateLearner',
      {
        learner: updateLearnerFields(exact, 1),
      },
      { org: FIND_ONLY_ORG, idempotencyKey: key() },
    );
    expect(res.statusCode).toBe(403);
    expect(res.body.error).toMatchObject({
      code: 'LRS_OPERATION_NOT_ALLOWED',
      lrsCode: 'WSEC0006',
      retryable: false,
    });
    expect(res.body.error).not.toHaveProperty('detail');
    expect(await h.stored(res.body.error.requestId)).toMatchObject({
      status: 'FAILED',
      error: { lrsCode: 'WSEC0006' },
    });
  });
});

describeLogs(
  () => h,
  ['"message":"HTTP call refused"'],
  () => [
    exact,
    ...['Fivetimes', 'Concurrent', 'Firstbody', 'Otherbody', 'Afterhours', 'Nokey'].map(idempotentia),
  ],
);
