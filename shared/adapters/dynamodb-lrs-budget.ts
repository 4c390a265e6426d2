/**
 * The LRS budget as a DynamoDB semaphore on the single table: scope `s` with limit N has up to N slot
 * items `pk=LRSBUDGET#<s>, sk=SLOT#<n>`, each `{ holder, leaseUntil }` while taken. Taking a slot is one
 * conditional put on a random slot (free, or its lease expired); only when that slot is taken does it
 * read the scope's slots (one consistent query) and try the free ones. Releasing is one conditional
 * delete by the holder's token. A crashed holder's slot is free again once `leaseUntil` passes, and the
 * item itself expires by TTL. Cost on the hot path: one write to take, one to give back.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../config/names.js';
import type { BudgetLease, BudgetScope, LrsBudget } from '../ports/lrs-budget.js';
import { isConditionFailure } from './dynamodb-conditional.js';
import { queryItems } from './dynamodb-query.js';

const scopePk = (key: string) => `LRSBUDGET#${key}`;
const slotSk = (n: number) => `SLOT#${String(n).padStart(4, '0')}`;
/** Free slots tried after the first guess was taken, before the scope counts as full. */
const MAX_TRIES = 4;

export interface DynamoDbLrsBudgetOptions {
  readonly tableName: string;
  readonly client: DynamoDBClient;
  readonly now?: () => number;
}

export class DynamoDbLrsBudget implements LrsBudget {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly now: () => number;

  constructor(options: DynamoDbLrsBudgetOptions) {
    this.doc = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.tableName = options.tableName;
    this.now = options.now ?? Date.now;
  }

  async acquire(scopes: readonly BudgetScope[], leaseMs: number): Promise<BudgetLease | undefined> {
    const token = randomUUID();
    const held: Array<{ key: string; slot: number }> = [];
    const release = async () => {
      const all = held.splice(0);
      await Promise.all(all.map((h) => this.give(h.key, h.slot, token)));
    };
    for (const scope of scopes) {
      const slot = await this.take(scope, token, leaseMs);
      if (slot === undefined) {
        await release();
        return undefined;
      }
      held.push({ key: scope.key, slot });
    }
    return { release };
  }

  private async take(scope: BudgetScope, token: string, leaseMs: number): Promise<number | undefined> {
    if (scope.limit < 1) return undefined;
    const first = randomInt(scope.limit);
    if (await this.put(scope.key, first, token, leaseMs)) return first;
    const now = this.now();
    const taken = new Set<number>();
    const slots = queryItems(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey, '#until': 'leaseUntil' },
      ExpressionAttributeValues: { ':pk': scopePk(scope.key) },
      ProjectionExpression: '#sk, #until',
      ConsistentRead: true,
    });
    for await (const item of slots) {
      if (Number(item.leaseUntil) >= now) taken.add(Number(String(item[TABLE.sortKey]).slice(5)));
    }
    const free = Array.from({ length: scope.limit }, (_, n) => n).filter((n) => !taken.has(n) && n !== first);
    for (let tries = 0; tries < MAX_TRIES && free.length > 0; tries++) {
      const [slot] = free.splice(randomInt(free.length), 1);
      if (slot !== undefined && (await this.put(scope.key, slot, token, leaseMs))) return slot;
    }
    return undefined;
  }

  private async put(key: string, slot: number, token: string, leaseMs: number): Promise<boolean> {
    const now = this.now();
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            [TABLE.partitionKey]: scopePk(key),
            [TABLE.sortKey]: slotSk(slot),
            holder: token,
            leaseUntil: now + leaseMs,
            [TABLE.ttlAttribute]: Math.ceil((now + leaseMs) / 1000) + 3600,
          },
          ConditionExpression: 'attribute_not_exists(#pk) OR #until < :now',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#until': 'leaseUntil' },
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  private async give(key: string, slot: number, token: string): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { [TABLE.partitionKey]: scopePk(key), [TABLE.sortKey]: slotSk(slot) },
          ConditionExpression: '#holder = :token',
          ExpressionAttributeNames: { '#holder': 'holder' },
          ExpressionAttributeValues: { ':token': token },
        }),
      );
    } catch {
      // Taken over after our lease expired, or the store is unreachable: the lease frees it either way.
    }
  }
}
