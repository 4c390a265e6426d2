/**
 * JobsStore on the single DynamoDB table (keys from TABLE in shared/config/names.ts), all under the
 * job's partition so that one Query reads a job's items in index order:
 * - `pk=JOB#<jobId>, sk=JOB`: the job;
 * - `pk=JOB#<jobId>, sk=ITEM#<00000>`: one item per learner (status, outcome, error, LRS batch row);
 * - `pk=JOB#<jobId>, sk=BATCH#<0000>`: one LRS batch of an lrs-batch job;
 * - `pk=JOB#<jobId>, sk=OUTBOX#<task>` and `sk=CALLBACK#<eventId>`: see dynamodb-job-outbox.ts.
 * The job record is also in the `jobsByOrganisation` index (`ORG#<organisationId>`, `<createdAt>#<jobId>`),
 * so an organisation's jobs are one index query, newest first.
 * Every item carries the job's TTL. Conditional writes only (no transactions), so it runs on dynalite.
 * Each method is one write or query of the key layout above (updateItem and putNew say what a write
 * changes and when); the outbox and callbacks are apart (dynamodb-job-outbox.ts).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../config/names.js';
import { inParallel } from '../domain/parallel.js';
import { summariseWaiting } from '../ports/job-waiting.js';
import type {
  ItemSettlement,
  JobBatch,
  JobCounts,
  JobItem,
  JobItemStatus,
  JobListQuery,
  JobRecord,
  JobsStore,
  JobWaiting,
} from '../ports/jobs-store.js';
import { isConditionFailure, putNew, sendIf } from './dynamodb-conditional.js';
import { JobOutbox } from './dynamodb-job-outbox.js';
import { queryItems, withoutTableAttributes } from './dynamodb-query.js';
import { updateItem } from './dynamodb-update.js';

const JOB_SK = 'JOB';
const jobPk = (jobId: string) => `JOB#${jobId}`;
const itemSk = (index: number) => `ITEM#${String(index).padStart(5, '0')}`;
const batchSk = (batch: number) => `BATCH#${String(batch).padStart(4, '0')}`;
const LAST_ITEM_SK = 'ITEM#99999';
const JOBS_INDEX = TABLE.indexes.jobsByOrganisation;
const orgKey = (organisationId: string) => `ORG#${organisationId}`;
const createdKey = (createdAt: string, jobId: string) => `${createdAt}#${jobId}`;

export interface DynamoDbJobsStoreOptions {
  readonly tableName: string;
  readonly client: DynamoDBClient;
  /** Concurrent DynamoDB requests of one call (default 16). */
  readonly parallelism?: number;
}

export class DynamoDbJobsStore extends JobOutbox implements JobsStore {
  private readonly parallelism: number;

  constructor(options: DynamoDbJobsStoreOptions) {
    super(
      DynamoDBDocumentClient.from(options.client, {
        marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
      }),
      options.tableName,
    );
    this.parallelism = options.parallelism ?? 16;
  }

  private jobKey(jobId: string): Record<string, string> {
    return { [TABLE.partitionKey]: jobPk(jobId), [TABLE.sortKey]: JOB_SK };
  }

  private itemKey(jobId: string, index: number): Record<string, string> {
    return { [TABLE.partitionKey]: jobPk(jobId), [TABLE.sortKey]: itemSk(index) };
  }

  private batchKey(jobId: string, batch: number): Record<string, string> {
    return { [TABLE.partitionKey]: jobPk(jobId), [TABLE.sortKey]: batchSk(batch) };
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
        ...this.itemKey(job.jobId, item.index),
        type: 'job-item',
        ...itemAttributes(item),
        ...ttl,
      })),
      ...batches.map((b) => ({
        ...this.batchKey(job.jobId, b.batch),
        type: 'job-batch',
        ...b,
        ...ttl,
      })),
    ];
    const chunks: Record<string, unknown>[][] = [];
    for (let i = 0; i < puts.length; i += 25) chunks.push(puts.slice(i, i + 25));
    await inParallel(chunks, this.parallelism, (chunk) => this.batchWrite(chunk));
    // The job last: a reader that sees the job sees all of its items.
    const created = await putNew(this.doc, this.tableName, {
      ...this.jobKey(job.jobId),
      type: 'job',
      ...job,
      [JOBS_INDEX.partitionKey]: orgKey(job.organisationId),
      [JOBS_INDEX.sortKey]: createdKey(job.createdAt, job.jobId),
      ...ttl,
    });
    if (created) return { created: true, job };
    const raced = await this.getJob(job.jobId);
    if (!raced) throw new Error(`Job ${job.jobId} could not be created and is not there`);
    return { created: false, job: raced };
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
        Key: this.jobKey(jobId),
        ConsistentRead: true,
      }),
    );
    return out.Item ? toJob(out.Item) : undefined;
  }

  async listJobs(
    query: JobListQuery,
  ): Promise<{ jobs: JobRecord[]; next?: { createdAt: string; jobId: string } }> {
    const jobs: JobRecord[] = [];
    let startKey: Record<string, unknown> | undefined = query.after
      ? {
          [TABLE.partitionKey]: jobPk(query.after.jobId),
          [TABLE.sortKey]: JOB_SK,
          [JOBS_INDEX.partitionKey]: orgKey(query.organisationId),
          [JOBS_INDEX.sortKey]: createdKey(query.after.createdAt, query.after.jobId),
        }
      : undefined;
    const filter = [
      ...(query.status ? ['#status = :status'] : []),
      ...(query.caller ? ['#caller = :caller'] : []),
    ];
    // A filter may leave pages short: read on, at most 20 index pages per call.
    for (let page = 0; page < 20; page++) {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: JOBS_INDEX.name,
          KeyConditionExpression: query.createdAfter ? '#gpk = :org AND #gsk > :after' : '#gpk = :org',
          ExpressionAttributeNames: {
            '#gpk': JOBS_INDEX.partitionKey,
            ...(query.createdAfter ? { '#gsk': JOBS_INDEX.sortKey } : {}),
            ...(query.status ? { '#status': 'status' } : {}),
            ...(query.caller ? { '#caller': 'caller' } : {}),
          },
          ExpressionAttributeValues: {
            ':org': orgKey(query.organisationId),
            ...(query.caller ? { ':caller': query.caller } : {}),
            // '~' sorts after every character of a job id: strictly after that instant.
            ...(query.createdAfter ? { ':after': `${query.createdAfter}#~` } : {}),
            ...(query.status ? { ':status': query.status } : {}),
          },
          ...(filter.length > 0 ? { FilterExpression: filter.join(' AND ') } : {}),
          ScanIndexForward: false,
          Limit: query.limit - jobs.length,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const raw of out.Items ?? []) jobs.push(toJob(raw));
      startKey = out.LastEvaluatedKey;
      if (!startKey || jobs.length >= query.limit) break;
    }
    const position = startKey?.[JOBS_INDEX.sortKey];
    if (typeof position !== 'string') return { jobs };
    const at = position.lastIndexOf('#');
    return { jobs, next: { createdAt: position.slice(0, at), jobId: position.slice(at + 1) } };
  }

  async requestCancel(jobId: string, at: Date): Promise<JobRecord | undefined> {
    await sendIf(
      this.doc,
      updateItem(this.tableName, this.jobKey(jobId), {
        set: { status: 'CANCELLING', cancelRequestedAt: at.toISOString() },
        exists: true,
        equal: { status: 'RUNNING' },
      }),
    );
    return this.getJob(jobId);
  }

  async finishJob(jobId: string, at: Date): Promise<boolean> {
    const job = await this.getJob(jobId);
    if (!job || (job.status !== 'RUNNING' && job.status !== 'CANCELLING')) return false;
    // False when it was cancelled in between: it finishes as cancelled on the next call.
    return sendIf(
      this.doc,
      updateItem(this.tableName, this.jobKey(jobId), {
        set: {
          status: job.status === 'CANCELLING' ? 'CANCELLED' : 'COMPLETED',
          completedAt: at.toISOString(),
        },
        exists: true,
        equal: { status: job.status },
      }),
    );
  }

  async markDeadLetterNotified(jobId: string, at: Date): Promise<boolean> {
    return sendIf(
      this.doc,
      updateItem(this.tableName, this.jobKey(jobId), {
        set: { deadLetterNotifiedAt: at.toISOString() },
        exists: true,
        absent: ['deadLetterNotifiedAt'],
      }),
    );
  }

  async markQueued(jobId: string, at: Date): Promise<void> {
    await this.doc.send(
      updateItem(this.tableName, this.jobKey(jobId), { set: { queuedAt: at.toISOString() }, exists: true }),
    );
    await this.deleteOutbox(jobId, { kind: 'fan-out' });
  }

  async settleItems(jobId: string, settlements: readonly ItemSettlement[]): Promise<number> {
    return (await this.settleItemsCounted(jobId, settlements)).changed;
  }

  /**
   * Settles the items and says how many of the job's items are still open. The open count is taken off
   * before the items settle and given back for those that were settled already: a crash in between leaves
   * the count too low, never too high, so the job's end is never missed (a low count only costs an exact
   * count of the items).
   */
  async settleItemsCounted(
    jobId: string,
    settlements: readonly ItemSettlement[],
  ): Promise<{ changed: number; open?: number }> {
    if (settlements.length === 0) return { changed: 0 };
    const taken = await this.addOpenItems(jobId, -settlements.length);
    const results = await inParallel(settlements, this.parallelism, async (s) => {
      const fields: Record<string, unknown> = {
        status: s.status,
        settledAt: s.settledAt.toISOString(),
        outcome: s.outcome,
        outcomeCode: s.outcome?.code,
        error: s.error,
        errorCode: s.error?.code,
        result: s.result,
      };
      const settled = await sendIf(
        this.doc,
        updateItem(this.tableName, this.itemKey(jobId, s.index), {
          set: fields,
          remove: ['deadLetteredAt', 'waiting'],
          exists: true,
          equal: { status: 'PENDING' },
        }),
      );
      return settled ? 1 : 0;
    });
    const changed = results.reduce<number>((a, b) => a + b, 0);
    const unchanged = settlements.length - changed;
    const open = unchanged > 0 && taken !== undefined ? await this.addOpenItems(jobId, unchanged) : taken;
    return { changed, ...(open !== undefined ? { open } : {}) };
  }

  /** Adds `delta` to the job's open items; the new value (undefined when there is no such job). */
  private async addOpenItems(jobId: string, delta: number): Promise<number | undefined> {
    try {
      const out = await this.doc.send(
        updateItem(this.tableName, this.jobKey(jobId), {
          add: { openItems: delta },
          exists: true,
          returnValues: 'UPDATED_NEW',
        }),
      );
      const open = out.Attributes?.openItems;
      return typeof open === 'number' ? open : undefined;
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      return undefined;
    }
  }

  async markDeadLettered(jobId: string, indexes: readonly number[], at: Date): Promise<void> {
    await this.setOnPendingItems(jobId, indexes, 'deadLetteredAt', at.toISOString());
  }

  async markWaiting(jobId: string, indexes: readonly number[], waiting: JobWaiting): Promise<void> {
    // The item keeps the start of its wait: `since` only moves when a new wait begins.
    await this.setOnPendingItems(jobId, indexes, 'waiting', waiting);
  }

  /** Sets one attribute on each of the items that is still pending; a settled item is left as it is. */
  private async setOnPendingItems(
    jobId: string,
    indexes: readonly number[],
    attribute: 'deadLetteredAt' | 'waiting',
    value: unknown,
  ): Promise<void> {
    await inParallel(indexes, this.parallelism, async (index) => {
      await sendIf(
        this.doc,
        updateItem(this.tableName, this.itemKey(jobId, index), {
          set: { [attribute]: value },
          exists: true,
          equal: { status: 'PENDING' },
        }),
      );
    });
  }

  async countItems(jobId: string): Promise<JobCounts> {
    const byStatus: Record<JobItemStatus, number> = { PENDING: 0, COMPLETED: 0, FAILED: 0, CANCELLED: 0 };
    let deadLettered = 0;
    let settledByWorkers = 0;
    let firstSettledAt: string | undefined;
    let lastSettledAt: string | undefined;
    const waitingItems: JobWaiting[] = [];
    const byOutcome: Record<string, number> = {};
    const byError: Record<string, number> = {};
    const items = queryItems(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ProjectionExpression: '#status, #outcomeCode, #errorCode, #deadLetteredAt, #settledAt, #waiting',
      ExpressionAttributeNames: {
        '#pk': TABLE.partitionKey,
        '#sk': TABLE.sortKey,
        '#status': 'status',
        '#outcomeCode': 'outcomeCode',
        '#errorCode': 'errorCode',
        '#deadLetteredAt': 'deadLetteredAt',
        '#settledAt': 'settledAt',
        '#waiting': 'waiting',
      },
      ExpressionAttributeValues: { ':pk': jobPk(jobId), ':prefix': 'ITEM#' },
      ConsistentRead: true,
    });
    for await (const item of items) {
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
      // Items refused at submission settle at once: they say nothing about the pace of the work.
      const at = item.settledAt;
      if (status !== 'PENDING' && typeof at === 'string' && item.errorCode !== 'VALIDATION_FAILED') {
        settledByWorkers++;
        if (!firstSettledAt || at < firstSettledAt) firstSettledAt = at;
        if (!lastSettledAt || at > lastSettledAt) lastSettledAt = at;
      }
    }
    const waiting = summariseWaiting(waitingItems);
    return {
      byStatus,
      deadLettered,
      byOutcome,
      byError,
      settledByWorkers,
      ...(firstSettledAt ? { firstSettledAt } : {}),
      ...(lastSettledAt ? { lastSettledAt } : {}),
      ...(waiting ? { waiting } : {}),
    };
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
        Key: this.batchKey(jobId, batch),
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return undefined;
    return withoutTableAttributes(out.Item) as unknown as JobBatch;
  }

  async updateBatch(
    jobId: string,
    batch: number,
    change: { status: JobBatch['status']; lrsJobId?: string; polls?: number },
  ): Promise<void> {
    await sendIf(
      this.doc,
      updateItem(this.tableName, this.batchKey(jobId, batch), { set: change, exists: true }),
    );
  }
}

const toJob = (raw: Record<string, unknown>): JobRecord => {
  const {
    [TABLE.partitionKey]: _pk,
    [TABLE.sortKey]: _sk,
    [JOBS_INDEX.partitionKey]: _gpk,
    [JOBS_INDEX.sortKey]: _gsk,
    type: _type,
    ...rest
  } = raw;
  return rest as unknown as JobRecord;
};

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
