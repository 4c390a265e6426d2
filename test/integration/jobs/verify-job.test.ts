/**
 * A bulk verification job end to end: POST /v1/jobs through the API Gateway stand-in, fan-out through the
 * verifyLearner queue (fauxqs), the real function behind the SQS poller calling the simulator over mutual
 * TLS, results in dynalite, progress and results read back through the API.
 */
import { describe, expect, it } from 'vitest';
import { DynamoDbJobsStore } from '../../../shared/adapters/dynamodb-jobs-store.js';
import { JOBS_ENV } from '../../../shared/jobs/settings.js';
import { submitJob } from '../../../shared/jobs/submit-job.js';
import type { OperationId } from '../../../shared/lrs/contract/operations.js';
import { validateRequest } from '../../../shared/lrs/contract/schemas.js';
import { queueSender } from '../../../shared/wiring/jobs-dependencies.js';
import { verifiableLearners } from '../../../simulator/seed.js';
import { allResults, type JobBody, ORG, request, useJobsStack, waitForJob } from './support.js';

// One record at a time per invocation: the LRS sees at most LRS_MAX_CONCURRENCY calls at once.
const stack = useJobsStack({ maxReceiveCount: 10, settings: { [JOBS_ENV.recordConcurrency]: '1' } });

const verifyItem = (l: { uln: string; givenName: string; familyName: string }) => ({
  uln: l.uln,
  givenName: l.givenName,
  familyName: l.familyName,
});

/** Answers the simulator gave to verifyLearner calls (failures and faults excluded). */
const answeredVerifies = () =>
  stack.simulator.requests().filter((r) => r.operation === 'verifyLearner' && r.status === 200).length;

/**
 * How long the 1,000 learners may take: about 20 s on a quiet 2-core machine, several times that when it
 * is busy. A deadline, not a speed check (speed is measured by `npm run bench`).
 */
const BIG_JOB_WAIT_MS = 150_000;

describe('a 1,000-learner verification job', () => {
  it(
    'completes with every learner verified, the counts right and every result stored',
    async () => {
      stack.simulator.clearRequests();
      // A little LRS latency, so that calls in flight overlap measurably.
      stack.simulator.setConditions({ latencyMs: 5 });
      const learners = verifiableLearners(1000);
      const started = Date.now();
      const posted = await request<{ jobId: string; accepted: number; invalid: number }>(
        stack,
        'POST',
        '/v1/jobs',
        {
          body: { operation: 'verifyLearner', items: learners.map(verifyItem) },
        },
      );
      expect(posted.status, posted.text).toBe(202);
      expect(posted.body).toMatchObject({ accepted: 1000, invalid: 0 });
      expect(posted.headers.get('location')).toBe(`/v1/jobs/${posted.body.jobId}`);

      const job = await waitForJob(stack, posted.body.jobId, BIG_JOB_WAIT_MS);
      stack.simulator.setConditions({ latencyMs: 0 });
      console.log(`1,000 verifications took ${Date.now() - started} ms`);
      expect(job).toMatchObject<Partial<JobBody>>({
        status: 'COMPLETED',
        total: 1000,
        counts: { pending: 0, completed: 1000, failed: 0, deadLettered: 0 },
        outcomes: { WSVRC001: 1000 },
        errors: {},
      });
      // One LRS answer per learner: nobody verified twice.
      expect(answeredVerifies()).toBe(1000);
      // The LRS never had more calls in flight than the event source's maximum concurrency (2 here).
      const calls = stack.simulator
        .requests()
        .filter((r) => r.operation === 'verifyLearner')
        .map((r) => ({ start: Date.parse(r.at), end: Date.parse(r.at) + r.durationMs }));
      const inFlight = Math.max(
        ...calls.map((c) => calls.filter((o) => o.start <= c.start && o.end > c.start).length),
      );
      console.log(`at most ${inFlight} verifyLearner calls in flight`);
      expect(inFlight).toBeLessThanOrEqual(Number(stack.env.LRS_MAX_CONCURRENCY));
      expect(inFlight).toBeGreaterThan(0);

      const results = await allResults(stack, posted.body.jobId);
      expect(results.map((r) => r.index)).toEqual(learners.map((_, i) => i));
      for (const [i, r] of results.entries()) {
        expect(r.status).toBe('COMPLETED');
        expect(r.outcome?.lrsCode).toBe('WSVRC001');
        expect((r.result?.verifiedLearner as { uln?: string } | undefined)?.uln).toBe(learners[i]?.uln);
      }
      // The same records the HTTP path reads.
      for (const r of results.filter((_, i) => i % 250 === 0)) {
        const stored = await request(stack, 'GET', `/v1/requests/${r.requestId}`);
        expect(stored.body).toMatchObject({ status: 'COMPLETED', jobId: posted.body.jobId });
      }
    },
    BIG_JOB_WAIT_MS + 30_000,
  );

  it('records bad items as failed with index, field and rule, and runs the rest', async () => {
    const [a, b] = verifiableLearners(2);
    const posted = await request<{
      jobId: string;
      invalidItems: { index: number; issues: { field: string; rule: string }[] }[];
    }>(stack, 'POST', '/v1/jobs', {
      body: {
        operation: 'verifyLearner',
        items: [
          verifyItem(a as never),
          { ...verifyItem(b as never), uln: '1234567890' },
          { givenName: 'Only' },
        ],
      },
    });
    expect(posted.status, posted.text).toBe(202);
    expect(posted.body.invalidItems).toEqual([
      { index: 1, issues: [expect.objectContaining({ field: 'items[1].uln', rule: 'ulnCheckDigit' })] },
      {
        index: 2,
        issues: expect.arrayContaining([
          expect.objectContaining({ field: 'items[2].uln', rule: 'required' }),
          expect.objectContaining({ field: 'items[2].familyName', rule: 'required' }),
        ]),
      },
    ]);
    const job = await waitForJob(stack, posted.body.jobId);
    expect(job.counts).toEqual({ pending: 0, completed: 1, failed: 2, cancelled: 0, deadLettered: 0 });
    expect(job.errors).toEqual({ VALIDATION_FAILED: 2 });
    const failed = await request<{ items: { index: number; error: { issues: { field: string }[] } }[] }>(
      stack,
      'GET',
      `/v1/jobs/${posted.body.jobId}/results?status=FAILED`,
    );
    expect(failed.body.items.map((i) => i.index)).toEqual([1, 2]);
    expect(failed.body.items[0]?.error.issues[0]?.field).toBe('items[1].uln');
  });

  it('refuses a job with no valid item, naming each field and rule', async () => {
    const r = await request<{ error: { issues: { field: string; rule: string }[] } }>(
      stack,
      'POST',
      '/v1/jobs',
      {
        body: { operation: 'verifyLearner', items: [{ uln: '1234567890', givenName: 'A', familyName: 'B' }] },
      },
    );
    expect(r.status).toBe(400);
    expect(r.body.error.issues).toEqual([
      expect.objectContaining({ field: 'items[0].uln', rule: 'ulnCheckDigit' }),
    ]);
  });

  it('accepts CSV and downloads the results as CSV and JSON lines', async () => {
    const learners = verifiableLearners(3);
    const csv = `uln,givenName,familyName\r\n${learners.map((l) => `${l.uln},"${l.givenName}",${l.familyName}`).join('\r\n')}\r\n`;
    const posted = await request<{ jobId: string; accepted: number }>(
      stack,
      'POST',
      '/v1/jobs?operation=verifyLearner',
      {
        body: csv,
        contentType: 'text/csv',
      },
    );
    expect(posted.status, posted.text).toBe(202);
    expect(posted.body.accepted).toBe(3);
    await waitForJob(stack, posted.body.jobId);

    const page1 = await request(stack, 'GET', `/v1/jobs/${posted.body.jobId}/results?format=csv&limit=2`);
    expect(page1.headers.get('content-type')).toContain('text/csv');
    const lines = page1.text.trim().split('\r\n');
    const header = (lines[0] ?? '').split(',');
    expect(header.slice(0, 5)).toEqual(['index', 'status', 'requestId', 'misIdentifier', 'outcome.code']);
    expect(header).toContain('result.verifiedLearner.uln');
    expect(lines).toHaveLength(3);
    const ulnColumn = header.indexOf('result.verifiedLearner.uln');
    expect(lines[1]?.split(',')[ulnColumn]).toBe(learners[0]?.uln);
    const cursor = page1.headers.get('x-next-cursor');
    expect(cursor).toBeTruthy();

    const page2 = await request(
      stack,
      'GET',
      `/v1/jobs/${posted.body.jobId}/results?format=jsonl&limit=2&cursor=${cursor}`,
    );
    const rows = page2.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { index: number; outcome: { lrsCode: string } });
    expect(rows).toEqual([
      expect.objectContaining({ index: 2, outcome: expect.objectContaining({ lrsCode: 'WSVRC001' }) }),
    ]);
    expect(page2.headers.get('x-next-cursor')).toBeNull();
  });

  it('shows a job only to callers of its organisation', async () => {
    const r = await request(stack, 'GET', '/v1/jobs/job-00000000000000000000000000000000');
    expect(r.status).toBe(404);
    const bad = await request(stack, 'GET', '/v1/jobs/not-a-job');
    expect(bad.status).toBe(400);
  });

  it('recovers a submission whose fan-out was cut short when it is sent again with its Idempotency-Key', async () => {
    const learners = verifiableLearners(10);
    const items = learners.map(verifyItem);
    const key = `cut-short-${stack.stage}`;
    const send = queueSender(stack.sqs, stack.queueUrls);
    let sent = 0;
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
    // The first attempt's queue fails after taking 3 of the 10 messages: the job is stored, so the caller
    // still gets its id (the outbox sweeper would finish the fan-out; here the MIS sends the job again).
    const first = await submitJob(
      {
        jobs: new DynamoDbJobsStore({ tableName: stack.tableName, client: stack.dynamoClient }),
        send: async (op: OperationId, bodies: readonly string[]) => {
          await send(op, bodies.slice(0, 3));
          sent += 3;
          throw new Error('connection lost');
        },
        validate: validateRequest,
        dataTtlDays: 1,
        log,
      },
      {
        submission: { operation: 'verifyLearner', items },
        organisationId: ORG,
        caller: 'local-mis',
        idempotencyKey: key,
      },
    );
    expect(first).toMatchObject({ created: true, fanOutPending: true, queued: 0 });
    expect(sent).toBe(3);

    // The MIS sends the same job again.
    const again = await request<{ jobId: string; created: boolean }>(stack, 'POST', '/v1/jobs', {
      body: { operation: 'verifyLearner', items },
      headers: { 'idempotency-key': key },
    });
    expect(again.status, again.text).toBe(202);
    expect(again.body.created).toBe(false);
    const job = await waitForJob(stack, again.body.jobId);
    expect(job).toMatchObject({
      counts: { pending: 0, completed: 10, failed: 0 },
      outcomes: { WSVRC001: 10 },
    });
  });
});
