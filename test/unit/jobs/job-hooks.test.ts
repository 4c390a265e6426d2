/**
 * The job hook's decisions, against an in-memory jobs store: items settle once, a refused LRS batch fails
 * its learners, a running batch is polled again with a fixed request id, a duplicated poll does not start a
 * second polling chain, and a batch that never finishes fails its learners after the most polls.
 */
import type { SQSRecord } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { batchRequestId, itemRequestId, pollRequestId } from '../../../shared/jobs/ids.js';
import { createJobHook } from '../../../shared/jobs/job-hooks.js';
import { outcomeFor, toOutcome } from '../../../shared/lrs/contract/outcomes.js';
import type { ItemSettlement, JobBatch, JobItem, JobsStore } from '../../../shared/ports/jobs-store.js';
import type { StoredRequest } from '../../../shared/ports/results-store.js';

const jobId = 'job-0123456789abcdef0123456789abcdef';

class MemoryJobs implements Pick<JobsStore, 'settleItems' | 'markDeadLettered' | 'getBatch' | 'updateBatch'> {
  items = new Map<number, JobItem>();
  batches = new Map<number, JobBatch>();
  async settleItems(_jobId: string, settlements: readonly ItemSettlement[]) {
    let n = 0;
    for (const s of settlements) {
      const item = this.items.get(s.index);
      if (item?.status !== 'PENDING') continue;
      const { deadLetteredAt: _d, ...rest } = item;
      this.items.set(s.index, { ...rest, ...s, settledAt: s.settledAt.toISOString() });
      n++;
    }
    return n;
  }
  async markDeadLettered(_jobId: string, indexes: readonly number[], at: Date) {
    for (const i of indexes) {
      const item = this.items.get(i);
      if (item?.status === 'PENDING') this.items.set(i, { ...item, deadLetteredAt: at.toISOString() });
    }
  }
  async getBatch(_jobId: string, batch: number) {
    return this.batches.get(batch);
  }
  async updateBatch(_jobId: string, batch: number, change: Partial<JobBatch>) {
    const b = this.batches.get(batch);
    if (b) this.batches.set(batch, { ...b, ...change });
  }
}

let jobs: MemoryJobs;
let sent: { body: Record<string, unknown>; delaySeconds: number }[];
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const record = { messageId: 'm1' } as SQSRecord;

const hook = (maxPolls = 3) =>
  createJobHook({
    jobs: jobs as unknown as JobsStore,
    sendToQueue: async (_r, body, delaySeconds) => {
      sent.push({ body: JSON.parse(body) as Record<string, unknown>, delaySeconds });
    },
    outcomeFor,
    settings: { pollSeconds: 60, maxPolls },
    log: silent,
    now: () => new Date('2026-11-27T01:00:00Z'),
  });

const stored = (requestId: string, fields: Partial<StoredRequest>): StoredRequest => ({
  requestId,
  operation: 'verifyLearner',
  organisationId: 'TEST0001',
  caller: 'c',
  source: 'job',
  jobId,
  status: 'COMPLETED',
  attempts: 1,
  receivedAt: '2026-11-27T00:00:00Z',
  expiresAt: 0,
  ...fields,
});

const message = (requestId: string) => ({ requestId, organisationId: 'TEST0001', caller: 'c', jobId });

beforeEach(() => {
  jobs = new MemoryJobs();
  sent = [];
  for (let i = 0; i < 3; i++) jobs.items.set(i, { jobId, index: i, status: 'PENDING', batch: 0 });
  jobs.batches.set(0, { jobId, batch: 0, indexes: [0, 1, 2], polls: 0, status: 'SUBMITTING' });
});

describe('a requests job item', () => {
  it('takes its request outcome once; a later redelivery changes nothing', async () => {
    const h = hook();
    const id = itemRequestId(jobId, 1);
    await h({
      message: message(id),
      record,
      stored: stored(id, { outcome: toOutcome(outcomeFor('WSVRC001')) }),
    });
    await h({ message: message(id), record, stored: stored(id, { status: 'FAILED' }) });
    expect(jobs.items.get(1)).toMatchObject({ status: 'COMPLETED', outcome: { code: 'WSVRC001' } });
  });

  it('is flagged while its message is in the DLQ, and settles normally after a redrive', async () => {
    const h = hook();
    const id = itemRequestId(jobId, 2);
    await h({ message: message(id), record, stored: stored(id, { status: 'FAILED' }), deadLettered: true });
    expect(jobs.items.get(2)).toMatchObject({
      status: 'PENDING',
      deadLetteredAt: '2026-11-27T01:00:00.000Z',
    });
    await h({
      message: message(id),
      record,
      stored: stored(id, { outcome: toOutcome(outcomeFor('WSVRC001')) }),
    });
    expect(jobs.items.get(2)?.status).toBe('COMPLETED');
    expect(jobs.items.get(2)?.deadLetteredAt).toBeUndefined();
  });
});

describe('an LRS batch', () => {
  const submitted = stored(batchRequestId(jobId, 0), {
    operation: 'submitVerifyBatch',
    outcome: toOutcome(outcomeFor('WSRC0007')),
    result: { responseCode: 'WSRC0007', jobId: '700001' },
  });

  it('queues its first poll once, however often the submit is delivered', async () => {
    const h = hook();
    await h({ message: message(submitted.requestId), record, stored: submitted });
    await h({ message: message(submitted.requestId), record, stored: submitted });
    expect(sent).toEqual([
      {
        delaySeconds: 60,
        body: expect.objectContaining({
          requestId: pollRequestId(jobId, 0, 1),
          operation: 'getVerifyBatchOutput',
          request: { jobId: '700001' },
          jobId,
        }),
      },
    ]);
    expect(jobs.batches.get(0)).toMatchObject({ status: 'POLLING', lrsJobId: '700001' });
  });

  it('fails its learners when the LRS refuses it', async () => {
    const refused = {
      ...submitted,
      outcome: toOutcome(outcomeFor('WSRC0017')),
      result: { responseCode: 'WSRC0017', jobId: '0' },
    };
    await hook()({ message: message(submitted.requestId), record, stored: refused });
    expect([...jobs.items.values()].map((i) => [i.status, i.error?.lrsCode])).toEqual([
      ['FAILED', 'WSRC0017'],
      ['FAILED', 'WSRC0017'],
      ['FAILED', 'WSRC0017'],
    ]);
    expect(sent).toEqual([]);
  });

  it('polls again while running, and a duplicated poll starts no second chain', async () => {
    const h = hook();
    await h({ message: message(submitted.requestId), record, stored: submitted });
    const running = stored(pollRequestId(jobId, 0, 1), {
      operation: 'getVerifyBatchOutput',
      outcome: toOutcome(outcomeFor('WSRC0008')),
      request: { jobId: '700001' },
      result: { responseCode: 'WSRC0008', verifiedLearners: [] },
    });
    await h({ message: message(running.requestId), record, stored: running });
    await h({ message: message(running.requestId), record, stored: running });
    expect(sent.map((s) => s.body.requestId)).toEqual([
      pollRequestId(jobId, 0, 1),
      pollRequestId(jobId, 0, 2),
    ]);

    const done = stored(pollRequestId(jobId, 0, 2), {
      operation: 'getVerifyBatchOutput',
      outcome: toOutcome(outcomeFor('WSRC0009')),
      result: {
        responseCode: 'WSRC0009',
        verifiedLearners: ['WSVRC001', 'WSVRC006', 'WSVRC003'].map((responseCode) => ({
          responseCode,
          failureFlags: [],
        })),
      },
    });
    await h({ message: message(done.requestId), record, stored: done });
    expect([...jobs.items.values()].map((i) => i.outcome?.code)).toEqual([
      'WSVRC001',
      'WSVRC006',
      'WSVRC003',
    ]);
    expect(jobs.batches.get(0)?.status).toBe('DONE');
  });

  it('fails its learners after the most polls', async () => {
    const h = hook(1);
    await h({ message: message(submitted.requestId), record, stored: submitted });
    const running = stored(pollRequestId(jobId, 0, 1), {
      operation: 'getVerifyBatchOutput',
      outcome: toOutcome(outcomeFor('WSRC0008')),
      request: { jobId: '700001' },
    });
    await h({ message: message(running.requestId), record, stored: running });
    expect(sent).toHaveLength(1);
    expect([...jobs.items.values()].every((i) => i.status === 'FAILED')).toBe(true);
    expect(jobs.items.get(0)?.error?.message).toBe('The LRS batch job did not finish in time');
  });
});
