/**
 * JobsStore on the single DynamoDB table (keys from TABLE in shared/config/names.ts), all under the
 * job's partition so that one Query reads a job's items in index order:
 * - `pk=JOB#<jobId>, sk=JOB`: the job;
 * - `pk=JOB#<jobId>, sk=ITEM#<00000>`: one item per learner (status, outcome, error, LRS batch row);
 * - `pk=JOB#<jobId>, sk=BATCH#<0000>`: one LRS batch of an lrs-batch job.
 * Every item carries the job's TTL. Conditional writes only (no transactions), so it runs on dynalite.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../config/names.js';
import { inParallel } from '../jobs/parallel.js';
import { summariseWaiting } from '../jobs/waiting.js';
import type {
  ItemSettlement,
  JobBatch,
  JobCounts,
  JobItem,
  JobItemStatus,
  JobRecord,
  JobsStore,
  JobWaiting,
} from '../ports/jobs-store.js';

const JOB_SK = 'JOB';
const jobPk = (jobId: string) => `JOB#${jobId}`;
const itemSk = (index: number) => `ITEM#${String(index).padStart(5, '0')}`;
const batchSk = (batch: number) => `BATCH#${String(batch).padStart(4, '0')}`;
const LAST_ITEM_SK = 'ITEM#99999';

const isConditionFailure = (e: unknown): boolean =>
  e instanceof ConditionalCheckFailedException ||
  (e instanceof Error && e.name === 'ConditionalCheckFailedException');

export interface DynamoDbJobsStoreOptions {
  readonly tableName: string;
  readonly client: DynamoDBClient;
  /** Concurrent DynamoDB requests of one call (default 16). */
  readonly parallelism?: number;
}

export class DynamoDbJobsStore implements JobsStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly parallelism: number;

  constructor(options: DynamoDbJobsStoreOptions) {
    this.tableName = options.tableName;
    this.parallelism = options.parallelism ?? 16;
    this.doc = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
  }

  async createJob(
    job: JobRecord,
    items: readonly JobItem[],
    batches: readonly JobBatch[] = [],
  ): Promise<{ created: boolean; job: JobRecord }> {
    const existing = await this.getJob(job.jobId);
    if (existing) return { created: false, job: existing };
    const ttl = { [TABLE.ttlAttribute]: job.expiresAt };
    const puts = [
      ...items.map((item) => ({
        [TABLE.partitionKey]: jobPk(job.jobId),
        [TABLE.sortKey]: itemSk(item.index),
        type: 'job-item',
        ...itemAttributes(item),
        ...ttl,
      })),
      ...batches.map((b) => ({
        [TABLE.partitionKey]: jobPk(job.jobId),
        [TABLE.sortKey]: batchSk(b.batch),
        type: 'job-batch',
        ...b,
        ...ttl,
      })),
    ];
    const chunks: Record<string, unknown>[][] = [];
    for (let i = 0; i < puts.length; i += 25) chunks.push(puts.slice(i, i + 25));
    await inParallel(chunks, this.parallelism, (chunk) => this.batchWrite(chunk));
    // The job last: a reader that sees the job sees all of its items.
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            [TABLE.partitionKey]: jobPk(job.jobId),
            [TABLE.sortKey]: JOB_SK,
            type: 'job',
            ...job,
            ...ttl,
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
        }),
      );
      return { created: true, job };
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      const raced = await this.getJob(job.jobId);
      if (!raced) throw e;
      return { created: false, job: raced };
    }
  }

  private async batchWrite(items: Record<string, unknown>[]): Promise<void> {
    let requests = items.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 8) throw new Error('DynamoDB kept items unprocessed after 8 retries');
      if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      const out = await this.doc.send(
        new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }),
      );
      requests = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
    }
  }

  async getJob(jobId: string): Promise<JobRecord | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [TABLE.partitionKey]: jobPk(jobId), [TABLE.sortKey]: JOB_SK },
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return undefined;
    const { [TABLE.partitionKey]: _pk, [TABLE.sortKey]: _sk, type: _type, ...rest } = out.Item;
    return rest as JobRecord;
  }

  async markQueued(jobId: string, at: Date): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { [TABLE.partitionKey]: jobPk(jobId), [TABLE.sortKey]: JOB_SK },
        UpdateExpression: 'SET #queuedAt = :at',
        ConditionExpression: 'attribute_exists(#pk)',
        ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#queuedAt': 'queuedAt' },
        ExpressionAttributeValues: { ':at': at.toISOString() },
      }),
    );
  }

  async markCompleted(jobId: string, at: Date): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [TABLE.partitionKey]: jobPk(jobId), [TABLE.sortKey]: JOB_SK },
          UpdateExpression: 'SET #status = :completed, #completedAt = :at',
          ConditionExpression: 'attribute_exists(#pk) AND #status <> :completed',
          ExpressionAttributeNames: {
            '#pk': TABLE.partitionKey,
            '#status': 'status',
            '#completedAt': 'completedAt',
          },
          ExpressionAttributeValues: { ':completed': 'COMPLETED', ':at': at.toISOString() },
        }),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
  }

  async settleItems(jobId: string, settlements: readonly ItemSettlement[]): Promise<number> {
    const changed = await inParallel(settlements, this.parallelism, async (s) => {
      const fields: Record<string, unknown> = {
        status: s.status,
        settledAt: s.settledAt.toISOString(),
        outcome: s.outcome,
        outcomeCode: s.outcome?.code,
        error: s.error,
        errorCode: s.error?.code,
        result: s.result,
      };
      const names: Record<string, string> = { '#pk': TABLE.partitionKey, '#status': 'status' };
      const values: Record<string, unknown> = { ':pending': 'PENDING' };
      const sets: string[] = [];
      for (const [name, value] of Object.entries(fields)) {
        if (value === undefined) continue;
        names[`#${name}`] = name;
        values[`:${name}`] = value;
        sets.push(`#${name} = :${name}`);
      }
      names['#deadLetteredAt'] = 'deadLetteredAt';
      names['#waiting'] = 'waiting';
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { [TABLE.partitionKey]: jobPk(jobId), [TABLE.sortKey]: itemSk(s.index) },
            UpdateExpression: `SET ${sets.join(', ')} REMOVE #deadLetteredAt, #waiting`,
            ConditionExpression: 'attribute_exists(#pk) AND #status = :pending',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
        return 1;
      } catch (e) {
        if (isConditionFailure(e)) return 0;
        throw e;
      }
    });
    return changed.reduce<number>((a, b) => a + b, 0);
  }

  async markDeadLettered(jobId: string, indexes: readonly number[], at: Date): Promise<void> {
    await inParallel(indexes, this.parallelism, async (index) => {
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { [TABLE.partitionKey]: jobPk(jobId), [TABLE.sortKey]: itemSk(index) },
            UpdateExpression: 'SET #deadLetteredAt = :at',
            ConditionExpression: 'attribute_exists(#pk) AND #status = :pending',
            ExpressionAttributeNames: {
              '#pk': TABLE.partitionKey,
              '#status': 'status',
              '#deadLetteredAt': 'deadLetteredAt',
            },
            ExpressionAttributeValues: { ':pending': 'PENDING', ':at': at.toISOString() },
          }),
        );
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
      }
    });
  }

  async markWaiting(jobId: string, indexes: readonly number[], waiting: JobWaiting): Promise<void> {
    await inParallel(indexes, this.parallelism, async (index) => {
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { [TABLE.partitionKey]: jobPk(jobId), [TABLE.sortKey]: itemSk(index) },
            // The item keeps the start of its wait: `since` only moves when a new wait begins.
            UpdateExpression: 'SET #waiting = :waiting',
            ConditionExpression: 'attribute_exists(#pk) AND #status = :pending',
            ExpressionAttributeNames: {
              '#pk': TABLE.partitionKey,
              '#status': 'status',
              '#waiting': 'waiting',
            },
            ExpressionAttributeValues: { ':pending': 'PENDING', ':waiting': waiting },
          }),
        );
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
      }
    });
  }

  async countItems(jobId: string): Promise<JobCounts> {
    const byStatus: Record<JobItemStatus, number> = { PENDING: 0, COMPLETED: 0, FAILED: 0 };
    let deadLettered = 0;
    const waitingItems: JobWaiting[] = [];
    const byOutcome: Record<string, number> = {};
    const byError: Record<string, number> = {};
    let lastKey: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ProjectionExpression: '#status, #outcomeCode, #errorCode, #deadLetteredAt, #waiting',
          ExpressionAttributeNames: {
            '#pk': TABLE.partitionKey,
            '#sk': TABLE.sortKey,
            '#status': 'status',
            '#outcomeCode': 'outcomeCode',
            '#errorCode': 'errorCode',
            '#deadLetteredAt': 'deadLetteredAt',
            '#waiting': 'waiting',
          },
          ExpressionAttributeValues: { ':pk': jobPk(jobId), ':prefix': 'ITEM#' },
          ConsistentRead: true,
          ExclusiveStartKey: lastKey,
        }),
      );
      for (const item of out.Items ?? []) {
        const status = String(item.status) as JobItemStatus;
        byStatus[status] = (byStatus[status] ?? 0) + 1;
        if (status === 'PENDING' && typeof item.deadLetteredAt === 'string') deadLettered++;
        if (status === 'PENDING' && item.waiting && typeof item.waiting === 'object') {
          waitingItems.push(item.waiting as JobWaiting);
        }
        if (typeof item.outcomeCode === 'string') {
          byOutcome[item.outcomeCode] = (byOutcome[item.outcomeCode] ?? 0) + 1;
        }
        if (typeof item.errorCode === 'string') {
          byError[item.errorCode] = (byError[item.errorCode] ?? 0) + 1;
        }
      }
      lastKey = out.LastEvaluatedKey;
    } while (lastKey);
    const waiting = summariseWaiting(waitingItems);
    return { byStatus, deadLettered, byOutcome, byError, ...(waiting ? { waiting } : {}) };
  }

  async listItems(
    jobId: string,
    options: { afterIndex?: number; limit: number; status?: JobItemStatus },
  ): Promise<{ items: JobItem[]; lastIndex?: number; more: boolean }> {
    const from = itemSk(options.afterIndex === undefined ? 0 : options.afterIndex + 1);
    const items: JobItem[] = [];
    let lastKey: Record<string, unknown> | undefined;
    let more = false;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          ExpressionAttributeNames: {
            '#pk': TABLE.partitionKey,
            '#sk': TABLE.sortKey,
            ...(options.status ? { '#status': 'status' } : {}),
          },
          ExpressionAttributeValues: {
            ':pk': jobPk(jobId),
            ':from': from,
            ':to': LAST_ITEM_SK,
            ...(options.status ? { ':status': options.status } : {}),
          },
          ...(options.status ? { FilterExpression: '#status = :status' } : {}),
          ConsistentRead: true,
          // One more than asked, to know whether another page follows.
          Limit: options.limit + 1 - items.length,
          ExclusiveStartKey: lastKey,
        }),
      );
      for (const raw of out.Items ?? []) {
        if (items.length === options.limit) {
          more = true;
          break;
        }
        items.push(toItem(jobId, raw));
      }
      lastKey = out.LastEvaluatedKey;
    } while (lastKey && !more);
    const last = items.at(-1);
    return { items, more, ...(last ? { lastIndex: last.index } : {}) };
  }

  async getBatch(jobId: string, batch: number): Promise<JobBatch | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [TABLE.partitionKey]: jobPk(jobId), [TABLE.sortKey]: batchSk(batch) },
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return undefined;
    const {
      [TABLE.partitionKey]: _pk,
      [TABLE.sortKey]: _sk,
      type: _t,
      [TABLE.ttlAttribute]: _e,
      ...rest
    } = out.Item;
    return rest as JobBatch;
  }

  async updateBatch(
    jobId: string,
    batch: number,
    change: { status: JobBatch['status']; lrsJobId?: string; polls?: number },
  ): Promise<void> {
    const names: Record<string, string> = { '#pk': TABLE.partitionKey };
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    for (const [name, value] of Object.entries(change)) {
      if (value === undefined) continue;
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      sets.push(`#${name} = :${name}`);
    }
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [TABLE.partitionKey]: jobPk(jobId), [TABLE.sortKey]: batchSk(batch) },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
  }
}

const itemAttributes = (item: JobItem): Record<string, unknown> => ({
  ...item,
  outcomeCode: item.outcome?.code,
  errorCode: item.error?.code,
});

const toItem = (jobId: string, raw: Record<string, unknown>): JobItem => {
  const {
    [TABLE.partitionKey]: _pk,
    [TABLE.sortKey]: _sk,
    type: _type,
    [TABLE.ttlAttribute]: _expires,
    outcomeCode: _oc,
    errorCode: _ec,
    ...rest
  } = raw;
  return { ...(rest as Omit<JobItem, 'jobId'>), jobId };
};
