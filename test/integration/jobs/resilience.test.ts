/**
 * Jobs that meet a difficult LRS: maintenance and out of hours in the middle of a job (nothing lost, no
 * learner processed twice), duplicated register messages (registered once), and an LRS batch registration
 * of 450 learners (split 200 + 200 + 50, polled through delayed queue messages, stored per learner).
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbResultsStore } from '../../../shared/adapters/dynamodb-results-store.js';
import { notableLearner, verifiableLearners } from '../../../simulator/seed.js';
import { achievementFor } from '../../support/learner-requests.js';
import { allResults, ORG, postVerifyJob, request, useJobsStack, waitForJob } from './support.js';

// LRS batches run longer than a poll interval even on a loaded machine, so a poll sees one still running.
const stack = useJobsStack({ maxReceiveCount: 10, simulator: { batchDurationMs: 4000 } });
let store: DynamoDbResultsStore;
beforeAll(async () => {
  store = new DynamoDbResultsStore({ tableName: stack.tableName, client: stack.dynamoClient });
});

const answers = (operation: string, code?: string) =>
  stack.simulator
    .requests()
    .filter((r) => r.operation === operation && (code ? r.code === code : r.status === 200)).length;
const faults = (code: string) => stack.simulator.requests().filter((r) => r.code === code).length;

const until = async (what: string, probe: () => boolean, timeoutMs = 20_000): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** A name of letters only, distinct for each n (the simulator's names are real-looking words). */
const letters = (n: number) => {
  let s = '';
  for (let i = 0, v = n; i < 4; i++, v = Math.floor(v / 26)) s += String.fromCharCode(97 + (v % 26));
  return s;
};
const newLearner = (tag: string, i: number) => ({
  givenName: `Zq${tag}${letters(i)}`,
  familyName: `Xj${letters(i)}${tag}`,
  // A date of birth no other test learner is close to (the LRS search treats ±1 day, month or year and a
  // swapped day and month as close): odd days of one month per tag, even years only.
  dateOfBirth: `${1960 + Math.floor(i / 15) * 2}-${({ dup: '09', nokey: '03', bat: '06' } as Record<string, string>)[tag] ?? '11'}-${String(1 + (i % 15) * 2).padStart(2, '0')}`,
  gender: String((i % 2) + 1),
  lastKnownPostCode: 'S1 2HE',
});

describe('a job through maintenance and out-of-hours spells', () => {
  it('completes with nothing lost and no learner processed twice', async () => {
    stack.simulator.clearRequests();
    const learners = verifiableLearners(300);
    stack.simulator.setConditions({ maintenance: true });
    try {
      const jobId = await postVerifyJob(stack, learners);
      await until('maintenance answers', () => faults('UnsupportedHttpVerb') >= 20);
      stack.simulator.setConditions({ maintenance: false, outOfHours: true });
      await until('out-of-hours answers', () => faults('WSEC0004') >= 20);
      stack.simulator.setConditions({ outOfHours: false });

      const job = await waitForJob(stack, jobId, 100_000);
      expect(job).toMatchObject({
        counts: { pending: 0, completed: 300, failed: 0 },
        outcomes: { WSVRC001: 300 },
        errors: {},
      });
      // Every learner answered exactly once by the LRS, however many times its message came back.
      expect(answers('verifyLearner')).toBe(300);
      const results = await allResults(stack, jobId);
      expect(new Set(results.map((r) => r.index)).size).toBe(300);
      const stored = await Promise.all(results.map((r) => store.get(r.requestId as string)));
      const retried = stored.filter((s) => (s?.attempts ?? 0) > 1);
      expect(retried.length).toBeGreaterThan(0);
      expect(stored.every((s) => s?.status === 'COMPLETED' && !s.deadLetter)).toBe(true);
    } finally {
      stack.simulator.setConditions({ maintenance: false, outOfHours: false });
    }
  }, 120_000);
});

describe('duplicated register messages', () => {
  it('register each learner once', async () => {
    const registered = stack.simulator.registeredUlns().length;
    const items = Array.from({ length: 5 }, (_, i) => ({
      learner: { ...newLearner('dup', i), verificationType: '1', abilityToShare: '1' },
    }));
    const headers = { 'idempotency-key': `dup-register-${stack.stage}` };
    const first = await request<{ jobId: string; created: boolean }>(stack, 'POST', '/v1/jobs', {
      body: { operation: 'registerLearner', items },
      headers,
    });
    expect(first.status, first.text).toBe(202);
    // The MIS retries its POST, and SQS delivers one of the messages twice.
    const again = await request<{ jobId: string; created: boolean }>(stack, 'POST', '/v1/jobs', {
      body: { operation: 'registerLearner', items },
      headers,
    });
    expect(again.body).toMatchObject({ jobId: first.body.jobId, created: false });
    await stack.sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.queueUrls.registerLearner,
        MessageBody: JSON.stringify({
          requestId: `${first.body.jobId}:0`,
          operation: 'registerLearner',
          organisationId: ORG,
          jobId: first.body.jobId,
          request: items[0],
        }),
      }),
    );

    const job = await waitForJob(stack, first.body.jobId);
    expect(job).toMatchObject({ counts: { pending: 0, completed: 5, failed: 0 }, outcomes: { WSRC0005: 5 } });
    expect(stack.simulator.registeredUlns()).toHaveLength(registered + 5);
    // A key reused for another job is refused.
    const other = await request(stack, 'POST', '/v1/jobs', {
      body: { operation: 'registerLearner', items: items.slice(1) },
      headers,
    });
    expect(other.status).toBe(409);
  });

  it('refuse a job that changes the LRS without an Idempotency-Key', async () => {
    const r = await request<{ error: { issues: { field: string }[] } }>(stack, 'POST', '/v1/jobs', {
      body: {
        operation: 'registerLearner',
        items: [{ learner: { ...newLearner('nokey', 1), verificationType: '1', abilityToShare: '1' } }],
      },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.issues[0]?.field).toBe('headers.Idempotency-Key');
  });
});

describe('an LRS batch registration of 450 learners', () => {
  it('is split 200 + 200 + 50, polled to completion and stored per learner', async () => {
    stack.simulator.clearRequests();
    const registered = stack.simulator.registeredUlns().length;
    const items = Array.from({ length: 450 }, (_, i) => ({
      ...newLearner('bat', i),
      misIdentifier: `MIS-${i}`,
    }));
    const posted = await request<{ jobId: string; batches: number; kind: string }>(
      stack,
      'POST',
      '/v1/jobs',
      {
        body: { operation: 'submitBatchRegistration', items, options: { jobType: 'FUL' } },
        headers: { 'idempotency-key': `batch-450-${stack.stage}` },
      },
    );
    expect(posted.status, posted.text).toBe(202);
    expect(posted.body).toMatchObject({ kind: 'lrs-batch', batches: 3 });

    const job = await waitForJob(stack, posted.body.jobId, 90_000);
    expect(job).toMatchObject({
      total: 450,
      batches: 3,
      counts: { pending: 0, completed: 450, failed: 0 },
      outcomes: { WSRC0005: 450 },
    });
    expect(answers('submitBatchRegistration')).toBe(3);
    // Polled until done: at least one "still running" answer, then one final answer per batch.
    expect(answers('getBatchRegistrationOutput', 'WSRC0009')).toBe(3);
    expect(answers('getBatchRegistrationOutput', 'WSRC0008')).toBeGreaterThan(0);
    const sizes = await Promise.all(
      [0, 1, 2].map(async (b) => {
        const submitted = await store.get(`${posted.body.jobId}:b${b}`);
        return (submitted?.request as { learners?: unknown[] } | undefined)?.learners?.length;
      }),
    );
    expect(sizes).toEqual([200, 200, 50]);
    expect(stack.simulator.registeredUlns()).toHaveLength(registered + 450);

    const results = await allResults(stack, posted.body.jobId, 1000);
    expect(results).toHaveLength(450);
    for (const [i, r] of results.entries()) {
      expect(r.index).toBe(i);
      expect(r.outcome?.lrsCode).toBe('WSRC0005');
      expect(r.result?.misIdentifier).toBe(`MIS-${i}`);
      expect(r.result?.uln).toMatch(/^[1-9][0-9]{9}$/);
    }
  }, 120_000);
});

describe('an LRS batch verification of 250 learners', () => {
  it('is split 200 + 50 and gives each learner its own verification row', async () => {
    const learners = verifiableLearners(250);
    const posted = await request<{ jobId: string; batches: number }>(stack, 'POST', '/v1/jobs', {
      body: {
        operation: 'submitVerifyBatch',
        items: learners.map((l, i) => ({
          misIdentifier: `V-${i}`,
          uln: l.uln,
          givenName: l.givenName,
          familyName: l.familyName,
        })),
      },
      headers: { 'idempotency-key': `verify-250-${stack.stage}` },
    });
    expect(posted.status, posted.text).toBe(202);
    expect(posted.body.batches).toBe(2);
    const job = await waitForJob(stack, posted.body.jobId);
    expect(job).toMatchObject({
      counts: { pending: 0, completed: 250, failed: 0 },
      outcomes: { WSVRC001: 250 },
    });
    const results = await allResults(stack, posted.body.jobId, 1000);
    expect(results.map((r) => [r.result?.misIdentifier, r.result?.uln])).toEqual(
      learners.map((l, i) => [`V-${i}`, l.uln]),
    );
  });
});

describe("an awarding organisation's achievement batch", () => {
  it('is submitted, polled until the LRS job finishes, and each achievement gets the batch status', async () => {
    const exact = notableLearner('exact');
    const items = ['500/4606/8', '600/1234/5', '601/0001/X'].map((ref) =>
      achievementFor(exact, { unitOrQualificationReferenceNumber: ref, misIdentifier: `ACH-${ref}` }),
    );
    const posted = await request<{ jobId: string; batches: number }>(stack, 'POST', '/v1/jobs', {
      body: { operation: 'submitAchievementBatch', items },
      headers: { 'idempotency-key': `achievements-${stack.stage}` },
    });
    expect(posted.status, posted.text).toBe(202);
    expect(posted.body.batches).toBe(1);
    const job = await waitForJob(stack, posted.body.jobId);
    expect(job.counts).toEqual({ pending: 0, completed: 3, failed: 0, cancelled: 0, deadLettered: 0 });
    const results = await allResults(stack, posted.body.jobId);
    expect(results.map((r) => r.result?.status)).toEqual(['Successful', 'Successful', 'Successful']);
  });
});
