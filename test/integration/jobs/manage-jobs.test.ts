/**
 * Managing bulk jobs through the API Gateway stand-in, the real functions, fauxqs, dynalite and the
 * simulator over mutual TLS: listing an organisation's jobs (filters, cursor paging), cancelling a job in
 * the middle, misIdentifier on the items of every operation (echoed in JSON and CSV results), and job
 * creation that is all or nothing (a fan-out cut short by the queue resumes by itself; a job whose storing
 * failed leaves nothing behind).
 */
import { describe, expect, it } from 'vitest';
import { LOCAL_CALLER_ID } from '../../../local/runtime.js';
import { DynamoDbJobsStore } from '../../../shared/adapters/dynamodb-jobs-store.js';
import { sweep } from '../../../shared/handlers/jobs-handler.js';
import { jobIdForKey } from '../../../shared/jobs/ids.js';
import { submitJob } from '../../../shared/jobs/submit-job.js';
import { OPERATION_IDS, OPERATIONS, type OperationId } from '../../../shared/lrs/contract/operations.js';
import { createJobsDependencies, queueSender } from '../../../shared/wiring/jobs-dependencies.js';
import { verifiableLearners } from '../../../simulator/seed.js';
import { SAMPLES } from '../../support/lrs-samples.js';
import { allResults, type JobBody, ORG, request, useJobsStack, waitForJob } from './support.js';

const stack = useJobsStack({
  maxReceiveCount: 10,
  sweepIntervalMs: 0,
  simulator: { batchDurationMs: 300 },
});

const verifyItems = (count: number, offset = 0) =>
  verifiableLearners(count + offset)
    .slice(offset)
    .map((l) => ({ uln: l.uln, givenName: l.givenName, familyName: l.familyName }));

const answeredVerifies = () =>
  stack.simulator.requests().filter((r) => r.operation === 'verifyLearner' && r.status === 200).length;

const CALLER_ID = LOCAL_CALLER_ID;
const quietLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

interface ListBody {
  jobs: { jobId: string; status: string; createdAt: string; links: { self: string } }[];
  nextCursor?: string;
}

describe('GET /v1/jobs', () => {
  it('lists an organisation’s jobs newest first, filtered by status and creation time, page by page', async () => {
    const before = new Date().toISOString();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await request<{ jobId: string }>(stack, 'POST', '/v1/jobs', {
        body: { operation: 'verifyLearner', items: verifyItems(1, i) },
      });
      expect(r.status, r.text).toBe(202);
      ids.push(r.body.jobId);
      await new Promise((res) => setTimeout(res, 5));
    }
    for (const id of ids) await waitForJob(stack, id);
    // A job of another organisation is not in this organisation's list.
    const other = stack.organisations.find((o) => o.organisationId !== ORG)?.organisationId as string;
    const foreign = await request<{ jobId: string }>(stack, 'POST', '/v1/jobs', {
      body: { operation: 'verifyLearner', items: verifyItems(1) },
      headers: { 'x-lrs-organisation': other },
    });
    expect(foreign.status, foreign.text).toBe(202);

    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const q = new URLSearchParams({
        organisation: ORG,
        status: 'COMPLETED',
        createdAfter: before,
        limit: '2',
        ...(cursor ? { cursor } : {}),
      });
      const r = await request<ListBody>(stack, 'GET', `/v1/jobs?${q}`);
      expect(r.status, r.text).toBe(200);
      expect(r.body.jobs.length).toBeLessThanOrEqual(2);
      for (const j of r.body.jobs) {
        expect(j.status).toBe('COMPLETED');
        expect(j.links.self).toBe(`/v1/jobs/${j.jobId}`);
      }
      seen.push(...r.body.jobs.map((j) => j.jobId));
      cursor = r.body.nextCursor;
      if (!cursor) break;
    }
    // Exactly the five jobs, newest first, each once; never the other organisation's.
    expect(seen).toEqual([...ids].reverse());
    expect(seen).not.toContain(foreign.body.jobId);

    // createdAfter excludes older jobs; a status nobody has gives an empty page.
    const third = await request<{ createdAt: string }>(stack, 'GET', `/v1/jobs/${ids[2]}`);
    const after = await request<ListBody>(
      stack,
      'GET',
      `/v1/jobs?${new URLSearchParams({ organisation: ORG, createdAfter: third.body.createdAt })}`,
    );
    expect(after.body.jobs.map((j) => j.jobId)).toEqual([ids[4], ids[3]]);
    const none = await request<ListBody>(
      stack,
      'GET',
      `/v1/jobs?organisation=${ORG}&status=CANCELLED&createdAfter=${encodeURIComponent(before)}`,
    );
    expect(none.body.jobs).toEqual([]);
  });

  it('names each bad filter with its rule, never the value', async () => {
    const r = await request<{ error: { issues: { field: string; rule: string; message: string }[] } }>(
      stack,
      'GET',
      '/v1/jobs?organisation=x&status=DONE&createdAfter=yesterday&limit=0&cursor=bm90LWEtY3Vyc29y',
    );
    expect(r.status).toBe(400);
    const rules = Object.fromEntries(r.body.error.issues.map((i) => [i.field, i.rule]));
    expect(rules).toEqual({
      'query.organisation': 'pattern',
      'query.status': 'enum',
      'query.createdAfter': 'datetime',
      'query.limit': 'max',
      'query.cursor': 'cursor',
    });
    for (const i of r.body.error.issues) expect(i.message).not.toMatch(/yesterday|DONE|not-a-cursor/);
  });
});

describe('POST /v1/jobs/{jobId}/cancel', () => {
  it('cancels the items not yet sent, lets those in flight settle, and ends CANCELLED with counts', async () => {
    stack.simulator.clearRequests();
    stack.simulator.setConditions({ latencyMs: 250 });
    try {
      const posted = await request<{ jobId: string }>(stack, 'POST', '/v1/jobs', {
        body: { operation: 'verifyLearner', items: verifyItems(40, 10) },
      });
      expect(posted.status, posted.text).toBe(202);
      const jobId = posted.body.jobId;
      // Some of the job is done before the cancellation.
      for (let i = 0; i < 200 && answeredVerifies() < 4; i++) await new Promise((r) => setTimeout(r, 50));
      const cancelled = await request<JobBody & { status: string }>(
        stack,
        'POST',
        `/v1/jobs/${jobId}/cancel`,
        { body: {} },
      );
      expect(cancelled.status, cancelled.text).toBe(200);
      expect(['CANCELLING', 'CANCELLED']).toContain(cancelled.body.status);

      let job: JobBody & { status: string } = cancelled.body;
      for (let i = 0; i < 200 && job.status !== 'CANCELLED'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        job = (await request<JobBody & { status: string }>(stack, 'GET', `/v1/jobs/${jobId}`)).body;
      }
      expect(job.status).toBe('CANCELLED');
      const counts = job.counts as JobBody['counts'] & { cancelled: number };
      expect(counts.pending).toBe(0);
      expect(counts.completed + counts.cancelled).toBe(40);
      expect(counts.completed).toBeGreaterThanOrEqual(4);
      expect(counts.cancelled).toBeGreaterThan(0);
      // No cancelled learner reached the LRS; every completed one did, once.
      expect(answeredVerifies()).toBe(counts.completed);
      const results = await allResults(stack, jobId);
      const byStatus: Record<string, number> = {};
      for (const r of results) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
      expect(byStatus).toEqual({ COMPLETED: counts.completed, CANCELLED: counts.cancelled });
      for (const r of results.filter((x) => x.status === 'CANCELLED'))
        expect(r.error?.code).toBe('CANCELLED');

      // Cancelling again answers the same; a completed job cannot be cancelled.
      const again = await request<{ status: string }>(stack, 'POST', `/v1/jobs/${jobId}/cancel`, {
        body: {},
      });
      expect(again.status).toBe(200);
      expect(again.body.status).toBe('CANCELLED');
      const listed = await request<ListBody>(stack, 'GET', `/v1/jobs?organisation=${ORG}&status=CANCELLED`);
      expect(listed.body.jobs.map((j) => j.jobId)).toContain(jobId);
    } finally {
      stack.simulator.setConditions({ latencyMs: 0 });
    }
    const done = await request<{ jobId: string }>(stack, 'POST', '/v1/jobs', {
      body: { operation: 'verifyLearner', items: verifyItems(1) },
    });
    await waitForJob(stack, done.body.jobId);
    const refused = await request<{ error: { code: string } }>(
      stack,
      'POST',
      `/v1/jobs/${done.body.jobId}/cancel`,
      { body: {} },
    );
    expect(refused.status).toBe(409);
  });
});

describe('cancelling a job that waits for the LRS', () => {
  it('cancels the items waiting out a maintenance window without sending them again', async () => {
    stack.simulator.clearRequests();
    stack.simulator.setConditions({ maintenance: true });
    try {
      const posted = await request<{ jobId: string }>(stack, 'POST', '/v1/jobs', {
        body: { operation: 'verifyLearner', items: verifyItems(5, 120) },
      });
      expect(posted.status, posted.text).toBe(202);
      const jobId = posted.body.jobId;
      let waiting: { waiting?: { items: number } } = {};
      for (let i = 0; i < 200 && (waiting.waiting?.items ?? 0) < 5; i++) {
        await new Promise((r) => setTimeout(r, 100));
        waiting = (await request<{ waiting?: { items: number } }>(stack, 'GET', `/v1/jobs/${jobId}`)).body;
      }
      expect(waiting.waiting?.items).toBe(5);
      const cancel = await request(stack, 'POST', `/v1/jobs/${jobId}/cancel`, { body: {} });
      expect(cancel.status, cancel.text).toBe(200);
      let job: JobBody & { status: string } = cancel.body as unknown as JobBody & { status: string };
      for (let i = 0; i < 300 && job.status !== 'CANCELLED'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        job = (await request<JobBody & { status: string }>(stack, 'GET', `/v1/jobs/${jobId}`)).body;
      }
      expect(job.status).toBe('CANCELLED');
      expect(job.counts).toMatchObject({ pending: 0, completed: 0, cancelled: 5 });
      // While maintenance lasted nothing was answered, and nothing was sent after the cancellation.
      expect(answeredVerifies()).toBe(0);
    } finally {
      stack.simulator.setConditions({ maintenance: false });
    }
  });
});

/** One valid item of each operation (for the LRS batch operations: one learner, and the batch options). */
const sampleJob = (
  op: OperationId,
): { items: Record<string, unknown>[]; options?: Record<string, unknown> } => {
  const sample = (SAMPLES as unknown as Record<OperationId, readonly Record<string, unknown>[]>)[op];
  const minimal = { ...(sample[1] ?? sample[0]) } as Record<string, unknown>;
  const field = 'learners' in minimal ? 'learners' : 'achievements' in minimal ? 'achievements' : undefined;
  if (op.startsWith('submit') && field) {
    const { [field]: list, ...options } = minimal;
    const { misIdentifier: _m, ...item } = (list as Record<string, unknown>[])[0] as Record<string, unknown>;
    return { items: [item], ...(Object.keys(options).length > 0 ? { options } : {}) };
  }
  return { items: [minimal] };
};

describe('misIdentifier on the items of every operation', () => {
  it('is accepted for each of the operations and comes back on its result, in JSON and CSV', async () => {
    const jobs = await Promise.all(
      OPERATION_IDS.map(async (op) => {
        const { items, options } = sampleJob(op);
        const mis = `MIS/${op}/007`;
        const r = await request<{ jobId: string; invalid: number }>(stack, 'POST', '/v1/jobs', {
          body: {
            operation: op,
            items: items.map((i) => ({ ...i, misIdentifier: mis })),
            ...(options ? { options } : {}),
          },
          headers: OPERATIONS[op].mutating ? { 'idempotency-key': `mis-${op}-${stack.stage}` } : {},
        });
        expect(r.status, `${op}: ${r.text}`).toBe(202);
        expect(r.body.invalid, op).toBe(0);
        return { op, mis, jobId: r.body.jobId };
      }),
    );
    for (const { op, mis, jobId } of jobs) {
      await waitForJob(stack, jobId, 60_000);
      const results = await allResults(stack, jobId);
      expect(
        results.map((r) => (r as { misIdentifier?: string }).misIdentifier),
        op,
      ).toEqual([mis]);
      const csv = await request(stack, 'GET', `/v1/jobs/${jobId}/results?format=csv`);
      const [header, row] = csv.text.trim().split('\r\n');
      const column = (header ?? '').split(',').indexOf('misIdentifier');
      expect(column, op).toBeGreaterThan(0);
      expect((row ?? '').split(',')[column], op).toBe(mis);
    }
  });

  it('follows the LRS MIS identifier rule: longer than 128 characters is an invalid item naming the field', async () => {
    const r = await request<{ invalidItems: { index: number; issues: { field: string; rule: string }[] }[] }>(
      stack,
      'POST',
      '/v1/jobs',
      {
        body: {
          operation: 'verifyLearner',
          items: [
            { ...verifyItems(1)[0], misIdentifier: 'x'.repeat(129) },
            { ...verifyItems(1)[0], misIdentifier: 'x'.repeat(128) },
          ],
        },
      },
    );
    expect(r.status, r.text).toBe(202);
    expect(r.body.invalidItems).toEqual([
      { index: 0, issues: [expect.objectContaining({ field: 'items[0].misIdentifier', rule: 'maxLength' })] },
    ]);
    const results = await (async () => {
      await waitForJob(stack, (r.body as unknown as { jobId: string }).jobId);
      return allResults(stack, (r.body as unknown as { jobId: string }).jobId);
    })();
    expect(results.map((i) => [i.status, (i as { misIdentifier?: string }).misIdentifier])).toEqual([
      ['FAILED', undefined],
      ['COMPLETED', 'x'.repeat(128)],
    ]);
  });
});

describe('job creation is all or nothing', () => {
  it('answers with the job id when the queue fails half-way, and the fan-out resumes by itself', async () => {
    stack.simulator.clearRequests();
    const items = verifyItems(10, 60);
    const real = queueSender(stack.sqs, stack.queueUrls);
    let calls = 0;
    const deps = createJobsDependencies();
    // The queue takes 3 messages, then fails (throttling, an outage).
    const out = await submitJob(
      {
        ...deps,
        send: async (op: OperationId, bodies: readonly string[]) => {
          calls++;
          await real(op, bodies.slice(0, 3));
          throw new Error('SQS unavailable');
        },
        log: quietLog,
      },
      { submission: { operation: 'verifyLearner', items }, organisationId: ORG, caller: CALLER_ID },
    );
    expect(calls).toBe(1);
    expect(out).toMatchObject({ created: true, fanOutPending: true });
    const jobId = out.job.jobId;
    const stuck = await request<{ status: string; queuedAt?: string }>(stack, 'GET', `/v1/jobs/${jobId}`);
    expect(stuck.body.status).toBe('RUNNING');
    expect(stuck.body.queuedAt).toBeUndefined();

    // Before the grace period the sweeper leaves the fan-out alone; after it, it re-queues what is pending.
    expect((await sweep(deps)).handled).toBe(0);
    const later = new Date(Date.now() + 10 * 60_000);
    const swept = await sweep({ ...deps, now: () => later });
    expect(swept).toEqual({ handled: 1, failed: 0 });
    const job = await waitForJob(stack, jobId);
    expect(job).toMatchObject({ status: 'COMPLETED', counts: { pending: 0, completed: 10, failed: 0 } });
    // Each learner answered once by the LRS, although 3 of them were queued twice.
    expect(answeredVerifies()).toBe(10);
    expect(await sweep({ ...deps, now: () => later })).toEqual({ handled: 0, failed: 0 });
  });

  it('answers an error and leaves nothing visible when the job cannot be stored', async () => {
    const deps = createJobsDependencies();
    const store = new DynamoDbJobsStore({ tableName: stack.tableName, client: stack.dynamoClient });
    const failing = Object.create(store) as typeof store;
    failing.createJob = async () => {
      throw new Error('DynamoDB unavailable');
    };
    const key = `never-stored-${stack.stage}`;
    await expect(
      submitJob(
        { ...deps, jobs: failing, log: quietLog },
        {
          submission: { operation: 'verifyLearner', items: verifyItems(2) },
          organisationId: ORG,
          caller: CALLER_ID,
          idempotencyKey: key,
        },
      ),
    ).rejects.toThrow('DynamoDB unavailable');
    const jobId = jobIdForKey(ORG, key, CALLER_ID);
    expect((await request(stack, 'GET', `/v1/jobs/${jobId}`)).status).toBe(404);
    const listed = await request<ListBody>(stack, 'GET', `/v1/jobs?organisation=${ORG}&limit=100`);
    expect(listed.body.jobs.map((j) => j.jobId)).not.toContain(jobId);
    // The same submission through the API creates the job afresh, and the orphan outbox entry is dropped.
    const later = new Date(Date.now() + 10 * 60_000);
    expect(await sweep({ ...deps, now: () => later })).toEqual({ handled: 1, failed: 0 });
    const r = await request<{ jobId: string; created: boolean }>(stack, 'POST', '/v1/jobs', {
      body: { operation: 'verifyLearner', items: verifyItems(2) },
      headers: { 'idempotency-key': key },
    });
    expect(r.status, r.text).toBe(202);
    expect(r.body).toMatchObject({ jobId, created: true });
    expect(await waitForJob(stack, jobId)).toMatchObject({ counts: { pending: 0, completed: 2 } });
  });
});
