/**
 * A 2,000-learner register job through a 2-hour LRS maintenance window and out-of-hours spells, with no
 * one touching anything: it completes, nothing reaches a DLQ, every learner is registered once.
 *
 * Time is compressed through the retry settings, not by waiting: the backoff is capped at 2 s instead of
 * the production 900 s (×450), so the 16-second maintenance window below is, for every waiting item,
 * the 8 capped waits that 2 hours would be in production. With maxReceiveCount 1, a policy that waited by
 * hiding messages would have parked every item that met the outage in the DLQ at once.
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbResultsStore } from '../../../shared/adapters/dynamodb-results-store.js';
import { JOBS_ENV } from '../../../shared/jobs/settings.js';
import {
  allResults,
  type JobBody,
  newLearners,
  postJob,
  request,
  useJobsStack,
  waitForJob,
} from './support.js';

const COMPRESSION = 900 / 2;
const MAINTENANCE_MS = (2 * 3600 * 1000) / COMPRESSION;
const OUT_OF_HOURS_MS = 4000;

const stack = useJobsStack({
  maxReceiveCount: 1,
  lrsMaxConcurrency: 6,
  // A small seeded register: every demographic search scans it, and this job searches 2,000 times.
  simulator: { bulkLearnerCount: 200 },
  settings: { [JOBS_ENV.recordConcurrency]: '3' },
});
let store: DynamoDbResultsStore;
beforeAll(async () => {
  store = new DynamoDbResultsStore({ tableName: stack.tableName, client: stack.dynamoClient });
});

type Job = JobBody & { waiting?: { reason: string; since: string; nextAttemptAt: string; items: number } };
const job = async (jobId: string) => (await request<Job>(stack, 'GET', `/v1/jobs/${jobId}`)).body;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls the job for at least `ms` and until it has shown waiting for `reason` (at most `maxMs`), returning
 * every `waiting` it showed.
 */
const watch = async (jobId: string, reason: string, ms: number, maxMs = ms + 30_000) => {
  const seen: NonNullable<Job['waiting']>[] = [];
  const started = Date.now();
  while (
    Date.now() - started < ms ||
    (!seen.some((w) => w.reason === reason) && Date.now() - started < maxMs)
  ) {
    const j = await job(jobId);
    if (j.waiting) seen.push(j.waiting);
    // Counting 2,000 items costs the emulator the CPU the job needs: not too often.
    await sleep(2000);
  }
  return seen;
};

const waitingRequest = async (jobId: string) => {
  const page = await request<{ items: { requestId: string }[] }>(
    stack,
    'GET',
    `/v1/jobs/${jobId}/results?status=PENDING&limit=1000`,
  );
  const stored = await store.getMany(page.body.items.map((i) => i.requestId));
  return [...stored.values()].find((s) => s.status === 'WAITING');
};

describe('a register job through a long maintenance window and out-of-hours spells', () => {
  it('completes by itself, with 0 DLQ messages and every learner registered once', async () => {
    const items = newLearners('out', 2000);
    const before = new Set(stack.simulator.registeredUlns());
    stack.simulator.clearRequests();
    const started = Date.now();
    const posted = await postJob(
      stack,
      { operation: 'registerLearner', items },
      `long-outage-${stack.stage}`,
    );
    expect(posted.status, posted.text).toBe(202);
    const jobId = posted.body.jobId;
    try {
      while ((await job(jobId)).counts.completed < 100) await sleep(200);

      stack.simulator.setConditions({ maintenance: true });
      const maintenance = await watch(jobId, 'MAINTENANCE', MAINTENANCE_MS);
      // The job says why it waits and until when; a waiting request reads WAITING, not FAILED.
      expect(maintenance.some((w) => w.reason === 'MAINTENANCE' && w.items > 0)).toBe(true);
      const last = maintenance.at(-1);
      expect(Date.parse(last?.nextAttemptAt ?? '')).toBeGreaterThanOrEqual(Date.parse(last?.since ?? ''));
      expect(await waitingRequest(jobId)).toMatchObject({
        status: 'WAITING',
        waiting: { reason: 'MAINTENANCE' },
        error: { reason: 'MAINTENANCE', retryable: true },
      });
      stack.simulator.setConditions({ maintenance: false });

      for (let spell = 0; spell < 2; spell++) {
        await sleep(2000);
        stack.simulator.setConditions({ outOfHours: true });
        const closed = await watch(jobId, 'OUT_OF_HOURS', OUT_OF_HOURS_MS);
        expect(closed.some((w) => w.reason === 'OUT_OF_HOURS')).toBe(true);
        stack.simulator.setConditions({ outOfHours: false });
      }
    } finally {
      stack.simulator.resetConditions();
    }

    const done = await waitForJob(stack, jobId, 480_000);
    console.log(`2,000 registrations through the outages took ${Date.now() - started} ms`);
    expect(done).toMatchObject({
      status: 'COMPLETED',
      counts: { pending: 0, completed: 2000, failed: 0, deadLettered: 0 },
      outcomes: { WSRC0005: 2000 },
      errors: {},
    });
    expect((done as Job).waiting).toBeUndefined();
    const dlq = await stack.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: stack.dlqUrls.registerLearner,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(Number(dlq.Attributes?.ApproximateNumberOfMessages)).toBe(0);
    expect(Number(dlq.Attributes?.ApproximateNumberOfMessagesNotVisible)).toBe(0);

    // Every learner registered once and answered once, with its own ULN.
    const log = stack.simulator.requests();
    expect(log.filter((r) => r.operation === 'registerSingleLearner' && r.code === 'WSRC0005')).toHaveLength(
      2000,
    );
    expect(log.filter((r) => r.operation === 'registerSingleLearner' && r.code === 'WSRC0021')).toEqual([]);
    const created = stack.simulator.registeredUlns().filter((u) => !before.has(u));
    const results = await allResults(stack, jobId, 1000);
    const ulns = results.map((r) => String(r.result?.uln));
    expect(new Set(ulns).size).toBe(2000);
    expect(new Set(created)).toEqual(new Set(ulns));
    // Many items tried the LRS more often than the queue's maxReceiveCount allows deliveries.
    const stored = await store.getMany(results.map((r) => r.requestId as string));
    const patient = [...stored.values()].filter((s) => s.attempts > 1).length;
    console.log(
      `${log.filter((r) => r.code === 'UnsupportedHttpVerb').length} maintenance and ${log.filter((r) => r.code === 'WSEC0004').length} out-of-hours answers; ${patient} of 2,000 items tried more than once`,
    );
    expect(patient).toBeGreaterThan(0);
    expect([...stored.values()].every((s) => s.status === 'COMPLETED' && !s.deadLetter && !s.waiting)).toBe(
      true,
    );
  }, 600_000);
});
