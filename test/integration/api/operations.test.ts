/**
 * Every LRS operation through its real handler with API Gateway proxy events, against the simulator over
 * mutual TLS and dynalite through the real AWS SDK: the HTTP status, the JSON body (one outcome model)
 * and the record stored for the request. Learners are the simulator's notable learners
 * (simulator/README.md).
 */

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultSchemaFor } from '../../../shared/api/common.js';
import type { Outcome } from '../../../shared/domain/outcome.js';
import type { RequestView } from '../../../shared/http/http-response.js';
import { outcomeView } from '../../../shared/lrs/contract/outcomes.js';
import { notableLearner } from '../../../simulator/seed.js';
import { lambdaContext, parse, proxyEvent } from '../../support/events.js';
import { achievementFor, updateLearnerFields } from '../../support/learner-requests.js';
import { personalDataIn } from '../../support/output.js';
import { describeLogs, type Harness, ORG, startHarness } from './harness.js';

type View<R = Record<string, unknown>> = RequestView & { result: R };

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ simulator: { batchDurationMs: 2000 } });
});
afterAll(async () => h?.stop());

const exact = notableLearner('exact');
const linkedRetired = notableLearner('linkedRetired');
const possibleOne = notableLearner('possibleOne');
const tooMany = notableLearner('tooMany');
const plrExact = notableLearner('plrExact');
const notShared = notableLearner('notShared');
const similar = notableLearner('similar');
const used = [exact, linkedRetired, possibleOne, tooMany, plrExact, notShared, similar];

const key = () => `test-${randomUUID()}`;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Catalogue keys of the outcomes the gateway names itself, and the code the answer shows for them. */
const OWN_CODES: Record<string, string> = { OK: 'COMPLETED', JOB_IN_PROGRESS: 'JOB_IN_PROGRESS' };

/** The answer is 200 with the outcome, and the same request, outcome and result are stored. */
const expectAnswered = async <R>(
  op: Parameters<Harness['call']>[0],
  body: unknown,
  /** The LRS code (or own catalogue key) expected; undefined: any outcome. */
  code: string | undefined,
  options: Parameters<Harness['call']>[2] = {},
) => {
  const mutating = ['registerLearner', 'updateLearner', 'submitBatchRegistration', 'submitVerifyBatch'];
  const needsKey =
    mutating.includes(op) || op === 'updateLearnerSubsetFields' || op === 'submitAchievementBatch';
  const res = await h.call<View<R>>(op, body, { ...(needsKey ? { idempotencyKey: key() } : {}), ...options });
  expect(res.statusCode, JSON.stringify(res.body).slice(0, 400)).toBe(200);
  expect(res.body).toMatchObject({
    operation: op,
    status: 'COMPLETED',
    outcome: code === undefined ? {} : code in OWN_CODES ? { code: OWN_CODES[code] } : { lrsCode: code },
    attempts: 1,
  });
  // The outcomes the gateway names itself carry no LRS code.
  if (code !== undefined && code in OWN_CODES) expect(res.body.outcome).not.toHaveProperty('lrsCode');
  expect(res.headers['X-Request-Id']).toBe(res.body.requestId);
  // The result is what the OpenAPI document promises for the operation.
  const documented = resultSchemaFor(op).safeParse(res.body.result);
  expect(documented.success, JSON.stringify(documented.error?.issues)).toBe(true);

  const stored = await h.stored(res.body.requestId);
  expect(stored).toMatchObject({
    requestId: res.body.requestId,
    operation: op,
    organisationId: options.org ?? ORG,
    caller: h.callerId,
    source: 'http',
    status: 'COMPLETED',
  });
  // The stored outcome is the catalogue entry of the LRS code; the answer shows it with the gateway's own code.
  expect(outcomeView(stored?.outcome as Outcome)).toEqual(res.body.outcome);
  expect(stored?.result).toEqual(res.body.result);
  expect(stored?.lrsDurationMs).toBeGreaterThanOrEqual(0);
  expect(Date.parse(stored?.completedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(stored?.receivedAt ?? ''));
  // Learner data expires: the TTL is DATA_TTL_DAYS after receipt.
  const ttlDays = Number(h.stack.env.DATA_TTL_DAYS ?? 30);
  expect(stored?.expiresAt).toBeGreaterThan(Date.now() / 1000 + (ttlDays - 1) * 86_400);
  expect(stored?.expiresAt).toBeLessThan(Date.now() / 1000 + (ttlDays + 1) * 86_400);
  return res.body;
};

describe('find by ULN', () => {
  it('exact match (WSRC0004)', async () => {
    const body = await expectAnswered<{ learners: Array<{ uln: string }> }>(
      'findLearnerByUln',
      { uln: exact.uln, givenName: exact.givenName, familyName: exact.familyName },
      'WSRC0004',
    );
    expect(body.outcome).toMatchObject({ name: 'EXACT_MATCH', class: 'match-result', final: true });
    expect(body.result.learners.map((l) => l.uln)).toEqual([exact.uln]);
  });

  it('linked learner: the master record is substituted (WSRC0022)', async () => {
    const body = await expectAnswered<{ learners: Array<{ uln: string; masterSubstituted: boolean }> }>(
      'findLearnerByUln',
      { uln: linkedRetired.uln, givenName: linkedRetired.givenName, familyName: linkedRetired.familyName },
      'WSRC0022',
    );
    expect(body.result.learners[0]?.uln).toBe(notableLearner('linkedMaster').uln);
  });
});

describe('find by demographics', () => {
  const search = (l: typeof exact, overrides: Record<string, string> = {}) => ({
    givenName: l.givenName,
    familyName: l.familyName,
    dateOfBirth: l.dateOfBirth,
    gender: l.gender,
    lastKnownPostCode: l.postcode.replace(' ', ''),
    ...overrides,
  });

  it('exact match (WSRC0004), postcode spacing ignored', async () => {
    await expectAnswered('findLearnerByDemographics', search(exact), 'WSRC0004');
  });

  it('possible matches (WSRC0003)', async () => {
    const body = await expectAnswered<{ learners: Array<{ uln: string }> }>(
      'findLearnerByDemographics',
      search(possibleOne, { gender: '2', lastKnownPostCode: 'LU49QZ' }),
      'WSRC0003',
    );
    expect(body.result.learners.map((l) => l.uln)).toEqual([possibleOne.uln]);
  });

  it('no match (WSRC0001)', async () => {
    await expectAnswered(
      'findLearnerByDemographics',
      search(exact, { givenName: 'Nobody', familyName: 'Unfindable', dateOfBirth: '2001-02-03' }),
      'WSRC0001',
    );
  });

  it('too many matches (WSRC0002)', async () => {
    await expectAnswered(
      'findLearnerByDemographics',
      search(tooMany, { lastKnownPostCode: 'CV49EE' }),
      'WSRC0002',
    );
  });

  it('linked learner (WSRC0022)', async () => {
    await expectAnswered('findLearnerByDemographics', search(linkedRetired), 'WSRC0022');
  });
});

describe('register the LRS way', () => {
  const learner = (givenName: string, familyName: string) => ({
    givenName,
    familyName,
    dateOfBirth: '2008-03-04',
    gender: '1',
    lastKnownPostCode: 'CV1 2AB',
    verificationType: '1',
    abilityToShare: '1',
  });

  it('registers a learner the LRS does not know and returns the new ULN (WSRC0005)', async () => {
    const before = h.stack.simulator.registeredUlns().length;
    const body = await expectAnswered<{ registered: boolean; uln: string; searchResponseCode: string }>(
      'registerLearner',
      { learner: learner('Brandnew', 'Registree') },
      'WSRC0005',
    );
    expect(body.result).toMatchObject({ registered: true, searchResponseCode: 'WSRC0001' });
    expect(h.stack.simulator.registeredUlns()).toHaveLength(before + 1);
    expect(h.stack.simulator.registeredUlns()).toContain(body.result.uln);
  });

  it('returns the matches, and what differs, instead of registering a learner the LRS knows', async () => {
    const before = h.stack.simulator.registeredUlns().length;
    const registerCalls = h.stack.simulator.requestCount('registerSingleLearner');
    const body = await expectAnswered<{
      registered: boolean;
      matches: Array<{ learner: { uln: string }; differences: string[] }>;
    }>(
      'registerLearner',
      {
        learner: {
          ...learner(possibleOne.givenName, possibleOne.familyName),
          dateOfBirth: possibleOne.dateOfBirth,
          gender: '2',
          lastKnownPostCode: 'LU4 9QZ',
        },
      },
      'WSRC0003',
    );
    expect(body.result.registered).toBe(false);
    expect(body.result.matches).toEqual([
      {
        learner: expect.objectContaining({ uln: possibleOne.uln }),
        differences: ['gender', 'lastKnownPostCode'],
      },
    ]);
    expect(h.stack.simulator.registeredUlns()).toHaveLength(before);
    expect(h.stack.simulator.requestCount('registerSingleLearner')).toBe(registerCalls);
  });
});

describe('update', () => {
  const updateBody = (versionNumber: number) => ({
    learner: {
      ...updateLearnerFields(exact, versionNumber),
      notes: `updated ${randomUUID().slice(0, 8)}`,
    },
  });

  it('updates with the current version (WSRC0006), then a stale version is refused (WSRC0013) with 200', async () => {
    const found = await h.call<View<{ learners: Array<{ versionNumber: number }> }>>('findLearnerByUln', {
      uln: exact.uln,
      givenName: exact.givenName,
      familyName: exact.familyName,
    });
    const version = found.body.result.learners[0]?.versionNumber ?? 0;
    await expectAnswered('updateLearner', updateBody(version), 'WSRC0006');
    const stale = await expectAnswered('updateLearner', updateBody(version), 'WSRC0013');
    expect(stale.outcome).toMatchObject({ name: 'STALE_VERSION', class: 'business-refusal' });
  });
});

describe('verify and retrieve', () => {
  it('verifyLearner: successful match (WSVRC001)', async () => {
    await expectAnswered(
      'verifyLearner',
      { uln: exact.uln, givenName: exact.givenName, familyName: exact.familyName },
      'WSVRC001',
    );
  });

  it('verifyLearner: similar match with failure flags (WSVRC003)', async () => {
    const body = await expectAnswered<{ verifiedLearner: { failureFlags: string[] } }>(
      'verifyLearner',
      { uln: similar.uln, givenName: 'Jonathon', familyName: similar.familyName },
      'WSVRC003',
    );
    expect(body.result.verifiedLearner.failureFlags.length).toBeGreaterThan(0);
  });

  it('retrieveULNs: the state of each ULN, the linked one with its master', async () => {
    const body = await expectAnswered<{
      retrievedUlns: Array<{ uln: string; masterUln?: string; responseCode?: string }>;
    }>('retrieveUlns', { ulns: [exact.uln, linkedRetired.uln] }, 'OK');
    expect(body.result.retrievedUlns).toEqual([
      expect.objectContaining({ uln: exact.uln, responseCode: 'WSRC0004' }),
      expect.objectContaining({
        uln: linkedRetired.uln,
        masterUln: notableLearner('linkedMaster').uln,
        responseCode: 'WSRC0022',
      }),
    ]);
  });
});

describe('Personal Learning Record (GetLearnerLearningEvents)', () => {
  it('exact (WSRC0004) with the learning events', async () => {
    const body = await expectAnswered<{ learningEvents: unknown[]; foundUln: string }>(
      'getLearningEvents',
      { uln: plrExact.uln, givenName: plrExact.givenName, familyName: plrExact.familyName },
      'WSRC0004',
    );
    expect(body.result.learningEvents).toHaveLength(7);
  });

  it('linked (WSRC0022): found under the master ULN', async () => {
    const body = await expectAnswered<{ foundUln: string; incomingUln: string }>(
      'getLearningEvents',
      { uln: linkedRetired.uln, givenName: linkedRetired.givenName, familyName: linkedRetired.familyName },
      'WSRC0022',
    );
    expect(body.result.foundUln).toBe(notableLearner('linkedMaster').uln);
  });

  it('not shared (WSEC0206) is an outcome, not an error', async () => {
    const body = await expectAnswered<{ learningEvents: unknown[] }>(
      'getLearningEvents',
      { uln: notShared.uln, givenName: notShared.givenName, familyName: notShared.familyName },
      'WSEC0206',
    );
    expect(body.outcome).toMatchObject({ name: 'NOT_SHARED', class: 'business-refusal' });
    expect(body.result.learningEvents).toEqual([]);
  });

  it('could not be verified (WSEC0208)', async () => {
    await expectAnswered(
      'getLearningEvents',
      { uln: plrExact.uln, givenName: 'Wrong', familyName: 'Person' },
      'WSEC0208',
    );
  });
});

describe('batch jobs: submit, then poll until done', () => {
  const pollUntil = async (
    op: 'getBatchRegistrationOutput' | 'getVerifyBatchOutput' | 'getAchievementBatch',
    jobId: unknown,
  ) => {
    const codes: string[] = [];
    for (let i = 0; i < 20; i++) {
      const body = await expectAnswered(
        op,
        { jobId },
        // The simulator's job runs for 2 s, so the first poll finds it still running even on a busy
        // machine: LearnerService batches answer WSRC0008, a running achievement job (Waiting/InProgress)
        // is JOB_IN_PROGRESS.
        i === 0 ? (op === 'getAchievementBatch' ? 'JOB_IN_PROGRESS' : 'WSRC0008') : undefined,
      );
      codes.push(String(body.outcome?.lrsCode ?? body.outcome?.code));
      if (body.outcome?.final) return { codes, body };
      expect(body.outcome).toMatchObject({ class: 'retry-later', final: false });
      expect(body.outcome?.retryAfterSeconds).toBeGreaterThan(0);
      await pause(300);
    }
    throw new Error(`job ${String(jobId)} did not finish: ${codes.join(',')}`);
  };

  it('batch registration', async () => {
    const submitted = await expectAnswered<{ jobId: string }>(
      'submitBatchRegistration',
      {
        learners: [
          {
            misIdentifier: 'S1',
            givenName: 'Batchy',
            familyName: 'Newperson',
            dateOfBirth: '2007-05-06',
            gender: '2',
            lastKnownPostCode: 'CV1 2AB',
          },
        ],
      },
      'WSRC0007',
    );
    const { codes, body } = await pollUntil('getBatchRegistrationOutput', submitted.result.jobId);
    expect(codes[0]).toBe('WSRC0008');
    expect(body.outcome?.lrsCode).toBe('WSRC0009');
    expect((body.result as { learners: unknown[] }).learners).toHaveLength(1);
  });

  it('batch verification', async () => {
    const submitted = await expectAnswered<{ jobId: string }>(
      'submitVerifyBatch',
      {
        learners: [
          { misIdentifier: 'V1', uln: exact.uln, givenName: exact.givenName, familyName: exact.familyName },
        ],
      },
      'WSRC0007',
    );
    const { body } = await pollUntil('getVerifyBatchOutput', submitted.result.jobId);
    expect(body.outcome?.lrsCode).toBe('WSRC0009');
    expect((body.result as { verifiedLearners: Array<{ responseCode: string }> }).verifiedLearners).toEqual([
      expect.objectContaining({ responseCode: 'WSVRC001' }),
    ]);
  });

  it('achievement batch (ExternalService)', async () => {
    const submitted = await expectAnswered<{ jobId: number }>(
      'submitAchievementBatch',
      {
        achievements: [achievementFor(exact)],
      },
      'WSRC0007',
    );
    const { body } = await pollUntil('getAchievementBatch', submitted.result.jobId);
    expect(body.result).toMatchObject({ status: 'Successful', achievementsCreated: 1 });
  });
});

describe('R9 operations', () => {
  it('LearnerByUln', async () => {
    const body = await expectAnswered<{ uln: string; learner: Record<string, unknown> }>(
      'getLearnerByUln',
      { uln: exact.uln, givenName: exact.givenName, familyName: exact.familyName },
      'WSRC0004',
    );
    expect(body.result.uln).toBe(exact.uln);
    expect(body.result.learner).toBeDefined();
  });

  it('UpdateLearnerSubsetFields', async () => {
    const found = await h.call<View<{ learners: Array<{ versionNumber: number }> }>>('findLearnerByUln', {
      uln: plrExact.uln,
      givenName: plrExact.givenName,
      familyName: plrExact.familyName,
    });
    await expectAnswered(
      'updateLearnerSubsetFields',
      {
        uln: plrExact.uln,
        versionNumber: found.body.result.learners[0]?.versionNumber ?? 1,
        emailAddress: 'new.address@example.org',
      },
      'WSRC0006',
    );
  });

  it('ViewAudit', async () => {
    const body = await expectAnswered<{ entries: unknown[] }>(
      'viewAudit',
      { uln: exact.uln, givenName: exact.givenName, familyName: exact.familyName },
      'OK',
    );
    expect(body.result.entries.length).toBeGreaterThan(0);
  });

  it('GetOrganisation', async () => {
    const body = await expectAnswered('getOrganisation', { ukprn: '10030488' }, 'WSRC0004');
    expect(body.result).toMatchObject({ ukprn: '10030488', status: 'Active' });
  });
});

describe('reading a request again', () => {
  it('GET /v1/requests/{requestId} returns the stored request to a caller allowed for its organisation', async () => {
    const answered = await expectAnswered(
      'findLearnerByUln',
      { uln: exact.uln, givenName: exact.givenName, familyName: exact.familyName },
      'WSRC0004',
    );
    const { createRequestsHandler } = await import('../../../shared/handlers/requests-handler.js');
    const requests = createRequestsHandler();
    const get = (requestId: string, callerId: string | null) =>
      requests(
        proxyEvent({
          method: 'GET',
          path: `/v1/requests/${requestId}`,
          resource: '/v1/requests/{requestId}',
          pathParameters: { requestId },
          callerId,
        }),
        lambdaContext('lrs-gateway-test-requests'),
      ).then(parse);

    const read = await get(answered.requestId, h.callerId);
    expect(read.statusCode).toBe(200);
    expect(read.body).toEqual(answered);

    expect((await get(randomUUID(), h.callerId)).statusCode).toBe(404);
    // A registered caller granted another organisation cannot tell the request exists.
    await h.addCaller('someone-else', ['TEST0002']);
    expect((await get(answered.requestId, 'someone-else')).statusCode).toBe(404);
    // Nor can a caller of the same organisation without a readAll grant (it is not its request).
    await h.addCaller('same-org-caller', [ORG]);
    expect((await get(answered.requestId, 'same-org-caller')).statusCode).toBe(404);
    await h.addCaller('org-auditor', [ORG], { readAll: true });
    expect((await get(answered.requestId, 'org-auditor')).statusCode).toBe(200);
    expect((await get(answered.requestId, null)).statusCode).toBe(401);
    expect((await get('bad id!', h.callerId)).statusCode).toBe(400);

    const doc = parse(
      await requests(
        proxyEvent({ method: 'GET', path: '/v1/openapi.json', callerId: null }),
        lambdaContext(),
      ),
    );
    expect(doc.statusCode).toBe(200);
    expect(doc.body).toMatchObject({ openapi: '3.1.0' });
  });
});

describeLogs(
  () => h,
  ['"message":"LRS request completed"', '"outcomeCode":"WSRC0004"'],
  () => used,
);

describe('the personal data probe of the log check', () => {
  it('finds what it looks for', () => {
    expect(
      personalDataIn(`{"x":"${exact.familyName}","p":"${exact.postcode.replace(' ', '')}"}`, [exact]),
    ).toEqual(['familyName of S.', 'postcode of S.']);
  });
});
