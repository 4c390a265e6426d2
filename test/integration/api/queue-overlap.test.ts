/**
 * The queue worker's overlap of store writes and LRS calls, on the real DynamoDB store (dynalite) with a
 * scripted LRS port: with one record at a time, the next record's LRS call starts while the previous
 * record's outcome is being written; the invocation still answers only once every outcome is stored, and
 * a record whose outcome could not be stored is reported failed (so its message is not deleted). A lookup
 * on its first delivery writes its lease while the LRS answers; a redelivery takes the lease first.
 */
import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbResultsStore } from '../../../shared/adapters/dynamodb-results-store.js';
import { outcomeFor } from '../../../shared/lrs/contract/outcomes.js';
import { validateRequest } from '../../../shared/lrs/contract/schemas.js';
import type { LrsPort } from '../../../shared/ports/lrs.js';
import type { ResultsStore } from '../../../shared/ports/results-store.js';
import { handleQueueEvent, type QueueDependencies } from '../../../shared/queue/queue-worker.js';
import { lambdaContext, sqsEvent, sqsRecord } from '../../support/events.js';
import { type LocalTable, startLocalTable } from './dynalite.js';

let table: LocalTable;
beforeAll(async () => {
  table = await startLocalTable();
});
afterAll(async () => table.close());

const QUEUE_ARN = 'arn:aws:sqs:eu-west-2:000000000000:lrs-gateway-test-find-learner-by-uln';
const request = { findType: 'FUL', uln: '1000000043', givenName: 'Privatus', familyName: 'Personalis' };
const body = (requestId = randomUUID()) =>
  JSON.stringify({ requestId, operation: 'findLearnerByUln', organisationId: 'TEST0001', request });
const requestIdOf = (b: string) => (JSON.parse(b) as { requestId: string }).requestId;

/** Resolves when `count` LRS calls have been asked for, or after 500 ms with false. */
const waiter = () => {
  let asked = 0;
  const listeners: Array<() => void> = [];
  return {
    asked: () => {
      asked++;
      for (const l of listeners.splice(0)) l();
    },
    until: (count: number) =>
      new Promise<boolean>((resolve) => {
        const check = () => {
          if (asked >= count) resolve(true);
          else listeners.push(check);
        };
        check();
        setTimeout(() => resolve(false), 500);
      }),
  };
};

const setup = (store: ResultsStore, onCall: () => void) => {
  const calls: string[] = [];
  const call = (async (op) => {
    calls.push(op);
    onCall();
    return {
      outcome: { ...outcomeFor('WSRC0004') },
      response: { responseCode: 'WSRC0004', learners: [] } as never,
      durationMs: 3,
    };
  }) as LrsPort['call'];
  const quiet = () => undefined;
  const deps: QueueDependencies = {
    lrs: { call },
    store,
    outcomeFor,
    dataTtlDays: 30,
    log: { info: quiet, warn: quiet, error: quiet },
    metrics: { outcome: quiet, failure: quiet },
    checkSender: async () => ({ ok: true, caller: 'queue' }),
    validate: validateRequest,
    recordConcurrency: 1,
  };
  return { deps, calls };
};

const realStore = () => new DynamoDbResultsStore({ tableName: table.tableName, client: table.client });

describe('queue worker: writes overlap the next LRS call', () => {
  it("starts the next record's LRS call while the previous outcome is written, and answers only once all are stored", async () => {
    const store = realStore();
    const lrs = waiter();
    const seen: boolean[] = [];
    // The n-th outcome write waits (up to 500 ms) for the LRS call of the record after it.
    let completes = 0;
    const complete: ResultsStore['complete'] = async (...args) => {
      completes++;
      seen.push(await lrs.until(completes + 1));
      return store.complete(...args);
    };
    const watched = Object.assign(Object.create(store), { complete }) as ResultsStore;
    const { deps, calls } = setup(watched, lrs.asked);
    const bodies = [body(), body(), body()];
    const res = (await handleQueueEvent(
      'findLearnerByUln',
      deps,
      sqsEvent(bodies.map((b) => sqsRecord(b, QUEUE_ARN))),
      lambdaContext(),
    )) as SQSBatchResponse;
    expect(res.batchItemFailures).toEqual([]);
    expect(calls).toHaveLength(3);
    // The first two writes ran while the next LRS call was made; the last has no next call.
    expect(seen).toEqual([true, true, false]);
    for (const b of bodies) {
      expect(await store.get(requestIdOf(b))).toMatchObject({ status: 'COMPLETED', attempts: 1 });
    }
  });

  it('reports a record whose outcome could not be stored as failed, so its message stays', async () => {
    const store = realStore();
    const bodies = [body(), body(), body()];
    const broken = requestIdOf(bodies[1] as string);
    const complete: ResultsStore['complete'] = async (requestId, ...rest) => {
      if (requestId === broken) throw new Error('DynamoDB unavailable');
      return store.complete(requestId, ...rest);
    };
    const fail: ResultsStore['fail'] = async (requestId, ...rest) => {
      if (requestId === broken) throw new Error('DynamoDB unavailable');
      return store.fail(requestId, ...rest);
    };
    const watched = Object.assign(Object.create(store), { complete, fail }) as ResultsStore;
    const { deps } = setup(watched, () => undefined);
    const records = bodies.map((b) => sqsRecord(b, QUEUE_ARN));
    const res = (await handleQueueEvent(
      'findLearnerByUln',
      deps,
      sqsEvent(records),
      lambdaContext(),
    )) as SQSBatchResponse;
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: records[1]?.messageId }]);
    expect(await store.get(broken)).toMatchObject({ status: 'IN_PROGRESS' });
    expect(await store.get(requestIdOf(bodies[2] as string))).toMatchObject({ status: 'COMPLETED' });
  });
});

describe('queue worker: the lease of a lookup', () => {
  /** A store whose lease write waits (up to 500 ms) for the LRS to be asked, and says whether it was. */
  const leaseWatch = (store: ResultsStore) => {
    const lrs = waiter();
    const seen: boolean[] = [];
    let begins = 0;
    // The n-th lease write waits for the n-th LRS call.
    const begin: ResultsStore['begin'] = async (input) => {
      begins++;
      seen.push(await lrs.until(begins));
      return store.begin(input);
    };
    return { store: Object.assign(Object.create(store), { begin }) as ResultsStore, lrs, seen };
  };

  it('is taken before the LRS call even on a first delivery (a copy of it may be on the queue too)', async () => {
    const watch = leaseWatch(realStore());
    const { deps } = setup(watch.store, watch.lrs.asked);
    const b = body();
    const res = await handleQueueEvent(
      'findLearnerByUln',
      deps,
      sqsEvent([sqsRecord(b, QUEUE_ARN)]),
      lambdaContext(),
    );
    expect(res.batchItemFailures).toEqual([]);
    expect(watch.seen).toEqual([false]);
    expect(await realStore().get(requestIdOf(b))).toMatchObject({ status: 'COMPLETED', attempts: 1 });
  });

  /** A lookup delivered once and completed: its message body and stored record. */
  const completedOnce = async (store: ResultsStore) => {
    const b = body();
    const first = setup(store, () => undefined);
    await handleQueueEvent(
      'findLearnerByUln',
      first.deps,
      sqsEvent([sqsRecord(b, QUEUE_ARN)]),
      lambdaContext(),
    );
    return { b, stored: await store.get(requestIdOf(b)) };
  };

  it('is taken before the LRS call on a redelivery, which returns the stored answer without a call', async () => {
    const store = realStore();
    const { b, stored } = await completedOnce(store);

    const watch = leaseWatch(store);
    const again = setup(watch.store, watch.lrs.asked);
    const redelivered = sqsRecord(b, QUEUE_ARN, {
      attributes: { ...sqsRecord(b, QUEUE_ARN).attributes, ApproximateReceiveCount: '2' },
    });
    const res = await handleQueueEvent(
      'findLearnerByUln',
      again.deps,
      sqsEvent([redelivered]),
      lambdaContext(),
    );
    expect(res.batchItemFailures).toEqual([]);
    expect(watch.seen).toEqual([false]);
    expect(again.calls).toEqual([]);
    expect(await store.get(requestIdOf(b))).toEqual(stored);
  });

  it('on a duplicate first delivery of a settled lookup, keeps the stored answer without an LRS call', async () => {
    const store = realStore();
    const { b, stored } = await completedOnce(store);
    const again = setup(store, () => undefined);
    const res = await handleQueueEvent(
      'findLearnerByUln',
      again.deps,
      sqsEvent([sqsRecord(b, QUEUE_ARN)]),
      lambdaContext(),
    );
    expect(res.batchItemFailures).toEqual([]);
    // The copy finds the stored answer: no second LRS call, the record unchanged.
    expect(again.calls).toEqual([]);
    expect(await store.get(requestIdOf(b))).toEqual(stored);
  });
});
