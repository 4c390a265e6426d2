/**
 * processRequest on the real DynamoDB store (dynalite) with a scripted LRS port, for the cases the
 * simulator cannot produce on demand: an unexpected adapter error, a request id taken by another
 * organisation, and what goes to the log and metrics.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbResultsStore } from '../../../shared/adapters/dynamodb-results-store.js';
import { type ProcessDependencies, processRequest } from '../../../shared/app/process-request.js';
import { ConflictError } from '../../../shared/domain/errors.js';
import { outcomeFor } from '../../../shared/lrs/contract/outcomes.js';
import type { LogFields } from '../../../shared/observability/logger.js';
import type { LrsPort } from '../../../shared/ports/lrs.js';
import { type LocalTable, startLocalTable } from './dynalite.js';

let table: LocalTable;
beforeAll(async () => {
  table = await startLocalTable();
});
afterAll(async () => table.close());

const request = {
  findType: 'FUL' as const,
  uln: '1000000043',
  givenName: 'Privatus',
  familyName: 'Personalis',
};

const setup = (lrs: LrsPort['call']) => {
  const logs: Array<{ level: string; message: string; fields: LogFields }> = [];
  const metrics: string[] = [];
  const calls: string[] = [];
  const deps: ProcessDependencies = {
    lrs: {
      call: (async (op, req, ctx) => {
        calls.push(op);
        return lrs(op, req, ctx);
      }) as LrsPort['call'],
    },
    store: new DynamoDbResultsStore({ tableName: table.tableName, client: table.client }),
    outcomeFor,
    dataTtlDays: 30,
    log: {
      info: (message, fields) => logs.push({ level: 'info', message, fields }),
      warn: (message, fields) => logs.push({ level: 'warn', message, fields }),
      error: (message, fields) => logs.push({ level: 'error', message, fields }),
    },
    metrics: {
      outcome: (op, code) => metrics.push(`${op}:${code}`),
      failure: (op, code) => metrics.push(`${op}:failed:${code}`),
    },
  };
  return { deps, logs, metrics, calls };
};

const input = (requestId = randomUUID()) => ({
  op: 'findLearnerByUln' as const,
  request,
  organisationId: 'TEST0001',
  caller: 'key-1',
  requestId,
  source: 'http' as const,
});

/** The LRS answers WSRC0004 (no learner found) after `durationMs`. */
const noLearnerFound = (durationMs: number) => async () => ({
  outcome: { ...outcomeFor('WSRC0004') },
  response: { responseCode: 'WSRC0004', learners: [] } as never,
  durationMs,
});

describe('processRequest', () => {
  it('stores the answer, counts the outcome and logs ids and codes only', async () => {
    const { deps, logs, metrics } = setup(noLearnerFound(12.6));
    const out = await processRequest(deps, input());
    expect(out).toMatchObject({ replayed: false, record: { status: 'COMPLETED', lrsDurationMs: 13 } });
    expect(metrics).toEqual(['findLearnerByUln:WSRC0004']);
    expect(logs).toEqual([
      expect.objectContaining({
        level: 'info',
        message: 'LRS request completed',
        fields: expect.objectContaining({ requestId: out.record.requestId, outcomeCode: 'WSRC0004' }),
      }),
    ]);
    expect(JSON.stringify(logs)).not.toMatch(/Privatus|Personalis|1000000043/);
  });

  it('records an unexpected adapter error as a generic, non-retryable INTERNAL failure', async () => {
    const { deps, logs, metrics } = setup(async () => {
      throw new TypeError('Cannot read properties of undefined (reading Privatus)');
    });
    const out = await processRequest(deps, input());
    expect(out.record).toMatchObject({
      status: 'FAILED',
      error: { code: 'INTERNAL', message: 'Internal error', retryable: false },
    });
    expect(metrics).toEqual(['findLearnerByUln:failed:INTERNAL']);
    expect(logs[0]).toMatchObject({
      level: 'error',
      fields: { errorName: 'TypeError', errorCode: 'INTERNAL' },
    });
    expect(JSON.stringify(logs)).not.toContain('Privatus');
  });

  it('replays a settled request without calling the LRS', async () => {
    const { deps, calls } = setup(noLearnerFound(5));
    const first = input();
    await processRequest(deps, first);
    const again = await processRequest(deps, first);
    expect(again.replayed).toBe(true);
    expect(calls).toEqual(['findLearnerByUln']);
  });

  it('refuses a request id that another organisation already uses, without revealing it', async () => {
    const { deps, calls } = setup(noLearnerFound(5));
    const first = input();
    await processRequest(deps, first);
    await expect(processRequest(deps, { ...first, organisationId: 'TEST0002' })).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect(calls).toHaveLength(1);
  });

  /** A store whose lease write waits (up to 500 ms) for the LRS to be asked, and says whether it was. */
  const leaseWaitingForLrs = (deps: ProcessDependencies) => {
    let lrsAsked: () => void = () => undefined;
    const asked = new Promise<void>((resolve) => {
      lrsAsked = resolve;
    });
    const seen = { lrsBeforeLease: false };
    const store = deps.store;
    const begin: typeof store.begin = async (beginInput) => {
      seen.lrsBeforeLease = await Promise.race([
        asked.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 500)),
      ]);
      return store.begin(beginInput);
    };
    const lrs = deps.lrs;
    const call = (async (op, req, ctx) => {
      lrsAsked();
      return lrs.call(op, req, ctx);
    }) as LrsPort['call'];
    return { deps: { ...deps, store: Object.assign(Object.create(store), { begin }), lrs: { call } }, seen };
  };

  it('writes the lease of a fresh HTTP request id while the LRS answers, and stores the same record', async () => {
    const { deps } = setup(noLearnerFound(7));
    const { deps: watched, seen } = leaseWaitingForLrs(deps);
    const out = await processRequest(watched, { ...input(), freshRequestId: true });
    expect(seen.lrsBeforeLease).toBe(true);
    expect(out.record).toMatchObject({ status: 'COMPLETED', attempts: 1, outcome: { code: 'WSRC0004' } });
    expect(await deps.store.get(out.record.requestId)).toEqual(out.record);
  });

  it('takes the lease before calling the LRS when the request id may be known elsewhere', async () => {
    const { deps, calls } = setup(noLearnerFound(7));
    const { deps: watched, seen } = leaseWaitingForLrs(deps);
    await processRequest(watched, input());
    expect(seen.lrsBeforeLease).toBe(false);
    expect(calls).toEqual(['findLearnerByUln']);
  });

  it('says when its LRS calls are over, before the outcome is stored', async () => {
    const { deps } = setup(async () => ({
      outcome: { ...outcomeFor('WSRC0004') },
      response: { responseCode: 'WSRC0004', learners: [] } as never,
      durationMs: 7,
    }));
    const order: string[] = [];
    const store = deps.store;
    const complete: typeof store.complete = async (...args) => {
      order.push('complete');
      return store.complete(...args);
    };
    const watched = { ...deps, store: Object.assign(Object.create(store), { complete }) };
    await processRequest(watched, {
      ...input(),
      onLrsDone: () => order.push('lrsDone'),
    });
    expect(order).toEqual(['lrsDone', 'complete']);
  });

  it('records a failure of the LRS call it made while writing the lease', async () => {
    const { deps } = setup(async () => {
      throw new TypeError('unexpected');
    });
    const out = await processRequest(deps, { ...input(), freshRequestId: true });
    expect(out.record).toMatchObject({ status: 'FAILED', error: { code: 'INTERNAL' } });
  });
});
