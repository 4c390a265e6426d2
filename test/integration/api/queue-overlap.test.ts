/**
 * The queue worker's overlap of store writes and LRS calls, on the real DynamoDB store (dynalite) with a
 * scripted LRS port: with one record at a time, the next record's LRS call starts while the previous
 * record's outcome is being written; the invocation still answers only once every outcome is stored, and
 * a record whose outcome could not be stored is reported failed (so its message is not deleted). Every
 * record's lease is written before its own LRS call (a lookup's on its first delivery too: a copy may be on
 * the queue), and the next record's while the current record's LRS call runs, one record ahead; a copy of
 * a request in the same batch waits for it to end; a turn that comes too late gives its lease back.
 */
import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { LrsPort } from '../../../shared/ports/lrs.js';
import type { ResultsStore } from '../../../shared/ports/results-store.js';
import { handleQueueEvent } from '../../../shared/queue/queue-worker.js';
import { lambdaContext, sqsEvent, sqsRecord } from '../../support/events.js';
import {
  FIND_BY_ULN_QUEUE_ARN,
  findByUlnMessage,
  noMatchAnswer,
  queueDependencies,
} from '../../support/queue-worker.js';
import { resultsStoreOn, useLocalTable } from './dynalite.js';

const table = useLocalTable();

const QUEUE_ARN = FIND_BY_ULN_QUEUE_ARN;
const body = (requestId = randomUUID()) => findByUlnMessage(requestId);
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
    return noMatchAnswer(3);
  }) as LrsPort['call'];
  return { deps: queueDependencies(call, store), calls };
};

const realStore = () => resultsStoreOn(table);

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

describe('queue worker: the next lease is taken while the LRS answers', () => {
  /** An LRS port that holds each call until `release` and counts calls in flight. */
  const heldLrs = () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const held: Array<() => void> = [];
    const events: string[] = [];
    const call = (async (_op, _req, ctx) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      events.push(`call ${ctx.requestId}`);
      await new Promise<void>((resolve) => held.push(resolve));
      inFlight--;
      events.push(`answered ${ctx.requestId}`);
      return noMatchAnswer(3);
    }) as LrsPort['call'];
    return { call, held, events, maxInFlight: () => maxInFlight };
  };

  const withBegins = (store: ResultsStore, events: string[]) =>
    Object.assign(Object.create(store), {
      begin: async (input: Parameters<ResultsStore['begin']>[0]) => {
        const out = await store.begin(input);
        events.push(`lease ${input.requestId}`);
        return out;
      },
    }) as ResultsStore;

  /** Answers each held LRS call once the lease after it is written (or after 500 ms), in order. */
  const answerInTurn = async (lrs: ReturnType<typeof heldLrs>, total: number) => {
    for (let answered = 0; answered < total; answered++) {
      for (let i = 0; i < 50 && lrs.held.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      // Give the next record time to write its lease while this call is held.
      const leases = () => lrs.events.filter((e) => e.startsWith('lease')).length;
      for (let i = 0; i < 50 && leases() < Math.min(total, answered + 2); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      lrs.held.shift()?.();
    }
  };

  it("writes the next record's lease during the current LRS call, one record ahead, one call in flight", async () => {
    const lrs = heldLrs();
    const { deps } = setup(withBegins(realStore(), lrs.events), () => undefined);
    const bodies = [body(), body(), body(), body()];
    const ids = bodies.map(requestIdOf);
    const done = handleQueueEvent(
      'findLearnerByUln',
      { ...deps, lrs: { call: lrs.call } },
      sqsEvent(bodies.map((b) => sqsRecord(b, QUEUE_ARN))),
      lambdaContext(),
    );
    await answerInTurn(lrs, bodies.length);
    const res = (await done) as SQSBatchResponse;
    expect(res.batchItemFailures).toEqual([]);
    expect(lrs.maxInFlight()).toBe(1);
    const at = (e: string) => lrs.events.indexOf(e);
    for (let i = 0; i + 1 < ids.length; i++) {
      // Record i+1's lease is written after record i's call started and before it was answered.
      expect(at(`lease ${ids[i + 1]}`)).toBeGreaterThan(at(`call ${ids[i]}`));
      expect(at(`lease ${ids[i + 1]}`)).toBeLessThan(at(`answered ${ids[i]}`));
      // ...and never two ahead: record i+2's lease waits for record i's answer.
      if (i + 2 < ids.length) expect(at(`lease ${ids[i + 2]}`)).toBeGreaterThan(at(`answered ${ids[i]}`));
      // Its LRS call waits its turn.
      expect(at(`call ${ids[i + 1]}`)).toBeGreaterThan(at(`answered ${ids[i]}`));
    }
    for (const id of ids) {
      expect(await realStore().get(id)).toMatchObject({ status: 'COMPLETED', attempts: 1 });
    }
  });

  it('starts a second record of the same request after the first has ended: one LRS call, both acknowledged', async () => {
    const resent: string[] = [];
    const store = realStore();
    // The first outcome write is slow, so the copy would meet the first record's lease if it started early.
    const complete: ResultsStore['complete'] = async (...args) => {
      await new Promise((r) => setTimeout(r, 50));
      return store.complete(...args);
    };
    const { deps, calls } = setup(
      Object.assign(Object.create(store), { complete }) as ResultsStore,
      () => undefined,
    );
    const b = body();
    const res = (await handleQueueEvent(
      'findLearnerByUln',
      { ...deps, resend: async (_r, sent) => void resent.push(sent) },
      sqsEvent([sqsRecord(b, QUEUE_ARN), sqsRecord(b, QUEUE_ARN), sqsRecord(body(), QUEUE_ARN)]),
      lambdaContext(),
    )) as SQSBatchResponse;
    expect(res.batchItemFailures).toEqual([]);
    expect(calls).toHaveLength(2);
    // The copy found the stored answer instead of the first record's lease: nothing waits or is re-sent.
    expect(resent).toEqual([]);
    expect(await realStore().get(requestIdOf(b))).toMatchObject({ status: 'COMPLETED', attempts: 1 });
  });

  it('gives the lease back when the turn comes too late, re-sends the message, and a later delivery does it once', async () => {
    const lrs = heldLrs();
    const store = realStore();
    const { deps } = setup(withBegins(store, lrs.events), () => undefined);
    const resent: string[] = [];
    let remaining = 60_000;
    const context = Object.assign(lambdaContext(), { getRemainingTimeInMillis: () => remaining });
    const bodies = [body(), body()];
    const [first, second] = bodies.map(requestIdOf) as [string, string];
    const done = handleQueueEvent(
      'findLearnerByUln',
      {
        ...deps,
        lrs: { call: lrs.call },
        minRemainingMs: 23_000,
        resend: async (_r, sent) => void resent.push(sent),
      },
      sqsEvent(bodies.map((b) => sqsRecord(b, QUEUE_ARN))),
      context,
    );
    // The second lease is taken while the first call is held; then the invocation runs short of time.
    for (let i = 0; i < 50 && !lrs.events.includes(`lease ${second}`); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(lrs.events).toContain(`lease ${second}`);
    expect(await store.get(second)).toMatchObject({ status: 'IN_PROGRESS', attempts: 1 });
    remaining = 20_000;
    lrs.held.shift()?.();
    const res = (await done) as SQSBatchResponse;
    expect(res.batchItemFailures).toEqual([]);
    expect(lrs.events.filter((e) => e.startsWith('call'))).toEqual([`call ${first}`]);
    expect(resent).toEqual([bodies[1]]);
    // Given back: PENDING, no attempt counted, no lease left to wait out.
    const given = await store.get(second);
    expect(given).toMatchObject({ status: 'PENDING', attempts: 0 });
    expect(given?.leaseExpiresAt).toBeUndefined();

    // The re-sent copy is taken at once by the next invocation and answered once.
    const again = setup(store, () => undefined);
    const res2 = (await handleQueueEvent(
      'findLearnerByUln',
      { ...again.deps, minRemainingMs: 23_000 },
      sqsEvent([sqsRecord(resent[0] as string, QUEUE_ARN)]),
      lambdaContext(),
    )) as SQSBatchResponse;
    expect(res2.batchItemFailures).toEqual([]);
    expect(again.calls).toHaveLength(1);
    expect(await store.get(second)).toMatchObject({ status: 'COMPLETED', attempts: 1 });
  });
});
