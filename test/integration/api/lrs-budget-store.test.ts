/**
 * The LRS budget's DynamoDB semaphore against dynalite through the real AWS SDK: at most `limit` slots
 * held at once under contention, all scopes or none, released slots reusable, and a slot whose holder
 * crashed free again once its lease expires.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLrsBudget } from '../../../shared/adapters/dynamodb-lrs-budget.js';
import { type LocalTable, startLocalTable } from './dynalite.js';

let table: LocalTable;
let clock = Date.now();
let budget: DynamoDbLrsBudget;
beforeAll(async () => {
  table = await startLocalTable();
  budget = new DynamoDbLrsBudget({ tableName: table.tableName, client: table.client, now: () => clock });
});
afterAll(async () => table?.close());

describe('the LRS budget store', () => {
  it('gives out at most `limit` slots of a scope, however many ask at once', async () => {
    const scope = [{ key: 'contended', limit: 3 }];
    const leases = await Promise.all(Array.from({ length: 12 }, () => budget.acquire(scope, 30_000)));
    const held = leases.filter((l) => l !== undefined);
    expect(held).toHaveLength(3);
    expect(await budget.acquire(scope, 30_000)).toBeUndefined();
    await held[0]?.release();
    const again = await budget.acquire(scope, 30_000);
    expect(again).toBeDefined();
    await Promise.all([...held.slice(1), again].map((l) => l?.release()));
  });

  it('takes a slot in every scope or in none', async () => {
    const stage = { key: 'stage-a', limit: 2 };
    const org = { key: 'org#10000000', limit: 1 };
    const first = await budget.acquire([stage, org], 30_000);
    expect(first).toBeDefined();
    // The organisation is full: nothing is held in the stage scope for the refused call.
    expect(await budget.acquire([stage, org], 30_000)).toBeUndefined();
    const other = await budget.acquire([stage], 30_000);
    expect(other).toBeDefined();
    await first?.release();
    await other?.release();
  });

  it('frees the slot of a holder that never released it once its lease has expired', async () => {
    const scope = [{ key: 'crashed', limit: 1 }];
    expect(await budget.acquire(scope, 5_000)).toBeDefined();
    expect(await budget.acquire(scope, 5_000)).toBeUndefined();
    clock += 5_001;
    const taken = await budget.acquire(scope, 5_000);
    expect(taken).toBeDefined();
    await taken?.release();
    // Releasing twice, or after a takeover, changes nothing.
    await taken?.release();
    expect(await budget.acquire(scope, 5_000)).toBeDefined();
  });
});
