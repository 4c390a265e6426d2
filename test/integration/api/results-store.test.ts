/**
 * The DynamoDB results store against dynalite through the real AWS SDK: leases, takeovers, the
 * attempt guard, idempotency keys, TTL on everything holding learner data, and bodies larger than
 * the 400 KB item limit.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbResultsStore } from '../../../shared/adapters/dynamodb-results-store.js';
import type { Outcome } from '../../../shared/domain/outcome.js';
import type { BeginInput } from '../../../shared/ports/results-store.js';
import { type LocalTable, startLocalTable } from './dynalite.js';

let table: LocalTable;
let store: DynamoDbResultsStore;

beforeAll(async () => {
  table = await startLocalTable();
  store = new DynamoDbResultsStore({ tableName: table.tableName, client: table.client });
});
afterAll(async () => table.close());

const NOW = new Date('2026-11-26T12:00:00.000Z');
const expiresAt = Math.floor(NOW.getTime() / 1000) + 30 * 86_400;
const exact: Outcome = {
  code: 'WSRC0004',
  name: 'EXACT_MATCH',
  description: 'Exact match',
  class: 'match-result',
  final: true,
};

/** What every write to the store names: the request, its operation, the clock and the expiry. */
const written = (requestId: string) => ({
  requestId,
  operation: 'findLearnerByUln' as const,
  now: NOW,
  expiresAt,
});

/**
 * A write that only a new request id may make: the first `write` of `input` is accepted, the second
 * refused; the record as read back afterwards.
 */
const writtenOnce = async <I extends { requestId: string }>(
  write: (input: I) => Promise<boolean>,
  input: I,
) => {
  expect(await write(input)).toBe(true);
  expect(await write(input)).toBe(false);
  return store.get(input.requestId, NOW);
};

const beginInput = (overrides: Partial<BeginInput> = {}): BeginInput => ({
  requestId: randomUUID(),
  operation: 'findLearnerByUln',
  organisationId: '10000001',
  caller: 'key-1',
  source: 'http',
  request: { uln: '1000000043', givenName: 'A', familyName: 'B' },
  now: NOW,
  leaseExpiresAt: NOW.getTime() + 60_000,
  expiresAt,
  ...overrides,
});

describe('DynamoDbResultsStore', () => {
  it('creates a request IN_PROGRESS with its TTL, then completes it with the result', async () => {
    const input = beginInput();
    const begun = await store.begin(input);
    expect(begun.acquired).toBe(true);
    if (!begun.acquired) return;
    expect(begun.record).toMatchObject({ status: 'IN_PROGRESS', attempts: 1, expiresAt });

    const done = await store.complete(input.requestId, 1, {
      outcome: exact,
      result: { responseCode: 'WSRC0004', learners: [] },
      completedAt: new Date(NOW.getTime() + 500),
      lrsDurationMs: 420,
    });
    expect(done).toMatchObject({ status: 'COMPLETED', outcome: exact, lrsDurationMs: 420 });
    expect(done.leaseExpiresAt).toBeUndefined();

    const read = await store.get(input.requestId, NOW);
    expect(read).toMatchObject({
      requestId: input.requestId,
      status: 'COMPLETED',
      request: input.request,
      result: { responseCode: 'WSRC0004', learners: [] },
      completedAt: '2026-11-26T12:00:00.500Z',
      expiresAt,
    });
  });

  it('refuses a second begin while the lease holds, and lets one take over after it expires', async () => {
    const input = beginInput();
    await store.begin(input);

    const duplicate = await store.begin({ ...input, now: new Date(NOW.getTime() + 1000) });
    expect(duplicate.acquired).toBe(false);
    if (!duplicate.acquired) expect(duplicate.existing?.status).toBe('IN_PROGRESS');

    const later = new Date(NOW.getTime() + 61_000);
    const takeover = await store.begin({ ...input, now: later, leaseExpiresAt: later.getTime() + 60_000 });
    expect(takeover.acquired).toBe(true);
    if (takeover.acquired) expect(takeover.record.attempts).toBe(2);

    // The first worker wakes up late: its result is not written over the second worker's lease.
    const stale = await store.complete(input.requestId, 1, {
      outcome: exact,
      result: { late: true },
      completedAt: later,
      lrsDurationMs: 1,
    });
    expect(stale.status).toBe('IN_PROGRESS');
    expect(stale.attempts).toBe(2);
  });

  it('takes a lease given back before any LRS call at once, and ignores a give-back of a lost lease', async () => {
    const input = beginInput();
    await store.begin(input);
    await store.giveBack(input.requestId, 1);
    const given = await store.get(input.requestId, NOW);
    expect(given).toMatchObject({ status: 'PENDING', attempts: 0, request: input.request });
    expect(given?.leaseExpiresAt).toBeUndefined();
    expect(given?.startedAt).toBeUndefined();
    // Taken again within the old lease's time: nothing is left to wait out.
    const next = await store.begin({ ...input, now: new Date(NOW.getTime() + 1000) });
    expect(next.acquired && next.record.attempts).toBe(1);

    // A worker whose lease was taken over gives nothing back.
    const later = new Date(NOW.getTime() + 61_000);
    await store.begin({ ...input, now: later, leaseExpiresAt: later.getTime() + 60_000 });
    await store.giveBack(input.requestId, 1);
    expect(await store.get(input.requestId, later)).toMatchObject({ status: 'IN_PROGRESS', attempts: 2 });
    // Nor once the attempt has settled.
    await store.complete(input.requestId, 2, {
      outcome: exact,
      result: {},
      completedAt: later,
      lrsDurationMs: 1,
    });
    await store.giveBack(input.requestId, 2);
    expect(await store.get(input.requestId, later)).toMatchObject({ status: 'COMPLETED', attempts: 2 });
  });

  it('lets a retryable failure be taken over but keeps a final failure and a completed result', async () => {
    const retryable = beginInput();
    await store.begin(retryable);
    await store.fail(retryable.requestId, 1, {
      error: { code: 'LRS_UNAVAILABLE', message: 'out of hours', retryable: true, retryAfterSeconds: 60 },
      completedAt: NOW,
    });
    expect((await store.begin(retryable)).acquired).toBe(true);

    const final = beginInput();
    await store.begin(final);
    await store.fail(final.requestId, 1, {
      error: { code: 'LRS_REJECTED', message: 'rejected', retryable: false, lrsCode: 'WSEC0001' },
      completedAt: NOW,
    });
    const again = await store.begin(final);
    expect(again.acquired).toBe(false);
    if (!again.acquired) expect(again.existing?.error?.lrsCode).toBe('WSEC0001');
  });

  it('does not reveal or touch a request id that belongs to another organisation', async () => {
    const input = beginInput();
    await store.begin(input);
    const other = await store.begin({ ...input, organisationId: '10000002' });
    expect(other).toEqual({ acquired: false, existing: undefined });
  });

  it('records a rejected message only when the id is new', async () => {
    const rejected = await writtenOnce((r) => store.recordRejected(r), {
      ...written(randomUUID()),
      organisationId: 'unknown',
      caller: 'queue',
      source: 'queue' as const,
      error: { code: 'VALIDATION_FAILED' as const, message: 'bad', retryable: false },
    });
    expect(rejected).toMatchObject({ status: 'FAILED', attempts: 0 });
  });

  it('records a PENDING request that a worker then takes over, and reads many at once', async () => {
    const requestId = randomUUID();
    const pending = await writtenOnce((p) => store.createPending(p), {
      ...written(requestId),
      organisationId: '10000001',
      caller: 'key-1',
      source: 'job' as const,
      jobId: 'job-7',
    });
    expect(pending).toMatchObject({ status: 'PENDING', attempts: 0, jobId: 'job-7' });

    const begun = await store.begin(beginInput({ requestId, source: 'job', jobId: 'job-7' }));
    expect(begun.acquired && begun.record).toMatchObject({
      status: 'IN_PROGRESS',
      attempts: 1,
      source: 'job',
    });

    const many = await store.getMany([requestId, randomUUID(), requestId]);
    expect([...many.keys()]).toEqual([requestId]);
  });

  it('reads a record past its TTL as absent', async () => {
    const input = beginInput({ expiresAt: Math.floor(NOW.getTime() / 1000) - 1 });
    await store.begin(input);
    expect(await store.get(input.requestId, NOW)).toBeUndefined();
  });

  it('claims an idempotency key once per caller and organisation and reports the holder afterwards', async () => {
    const key = randomUUID();
    const claim = { organisationId: '10000001', caller: 'c1', key, requestHash: 'h1', now: NOW, expiresAt };
    expect(await store.claimIdempotencyKey({ ...claim, requestId: 'r1' })).toEqual({ claimed: true });
    expect(await store.claimIdempotencyKey({ ...claim, requestId: 'r2', requestHash: 'h2' })).toEqual({
      claimed: false,
      requestId: 'r1',
      requestHash: 'h1',
    });
    // Same key, another organisation: independent.
    expect(
      await store.claimIdempotencyKey({ ...claim, organisationId: '10000002', requestId: 'r3' }),
    ).toEqual({ claimed: true });
    // Same key, same organisation, another caller: independent too (one caller cannot replay another's).
    expect(await store.claimIdempotencyKey({ ...claim, caller: 'c2', requestId: 'r4' })).toEqual({
      claimed: true,
    });
    // A caller id that looks like a key separator cannot reach another caller's key.
    expect(await store.claimIdempotencyKey({ ...claim, caller: 'c1#x', requestId: 'r5' })).toEqual({
      claimed: true,
    });
  });

  it('stores a result far bigger than the 400 KB item limit in chunks and reads it back whole', async () => {
    const input = beginInput({ operation: 'getLearningEvents' });
    await store.begin(input);
    // ~2 MB of JSON that gzip cannot shrink much (random text), like a long PLR would not be.
    const events = Array.from({ length: 1500 }, (_, i) => ({
      id: i,
      subject: randomBytes(600).toString('base64'),
    }));
    const result = { responseCode: 'WSRC0004', learningEvents: events };

    await store.complete(input.requestId, 1, {
      outcome: exact,
      result,
      completedAt: NOW,
      lrsDurationMs: 900,
    });
    const read = await store.get(input.requestId, NOW);
    expect(read?.result).toEqual(result);

    const chunks = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: {
          ':pk': { S: `REQUEST#${input.requestId}` },
          ':p': { S: 'BLOB#result#' },
        },
      }),
    );
    expect(chunks.Items?.length).toBeGreaterThan(1);
    for (const item of chunks.Items ?? []) expect(item.expiresAt?.N).toBe(String(expiresAt));
  });

  it('stores a large request in chunks too', async () => {
    const request = { learners: Array.from({ length: 200 }, () => randomBytes(1500).toString('hex')) };
    const input = beginInput({ operation: 'submitBatchRegistration', request });
    const begun = await store.begin(input);
    expect(begun.acquired && begun.record.request).toEqual(request);
    expect((await store.get(input.requestId, NOW))?.request).toEqual(request);
  });
});
