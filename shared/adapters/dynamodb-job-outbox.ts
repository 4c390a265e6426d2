/**
 * The parts of the jobs store that record what a job still owes and what it has told its caller, on the
 * job's partition of the single table:
 * - `sk=OUTBOX#<task>`: a fan-out to resume or a callback to queue, also in the sparse `outbox` index
 *   (`OUTBOX`, `<dueAt>#<jobId>#<task>`) so that a sweeper finds what is overdue with one index query;
 * - `sk=CALLBACK#<eventId>`: one callback event and every delivery attempt (time, status or error, next
 *   attempt), shown on the job.
 * Every item carries a TTL: outbox entries the job's, callback records the one given.
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../config/names.js';
import type { CallbackAttempt, CallbackDelivery, OutboxEntry, OutboxTask } from '../ports/jobs-store.js';
import { putNew, sendIf } from './dynamodb-conditional.js';
import { withoutTableAttributes } from './dynamodb-query.js';

const OUTBOX = TABLE.indexes.outbox;
const OUTBOX_PK = 'OUTBOX';
/** Attempts kept per callback event (a day of capped exponential backoff is far fewer). */
const MAX_ATTEMPTS_KEPT = 100;

const jobPk = (jobId: string) => `JOB#${jobId}`;
const taskKey = (task: OutboxTask): string =>
  task.kind === 'fan-out' ? 'fan-out' : `callback:${task.event}`;
const outboxSk = (task: OutboxTask) => `OUTBOX#${taskKey(task)}`;
const callbackSk = (eventId: string) => `CALLBACK#${eventId}`;

export class JobOutbox {
  constructor(
    protected readonly doc: DynamoDBDocumentClient,
    protected readonly tableName: string,
  ) {}

  async putOutbox(entry: OutboxEntry, expiresAt?: number): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          [TABLE.partitionKey]: jobPk(entry.jobId),
          [TABLE.sortKey]: outboxSk(entry.task),
          type: 'job-outbox',
          jobId: entry.jobId,
          task: entry.task,
          dueAt: entry.dueAt,
          attempts: entry.attempts,
          [OUTBOX.partitionKey]: OUTBOX_PK,
          [OUTBOX.sortKey]: `${entry.dueAt}#${entry.jobId}#${taskKey(entry.task)}`,
          // An entry outlives a lost job by a week at most.
          [TABLE.ttlAttribute]: expiresAt ?? Math.floor(Date.parse(entry.dueAt) / 1000) + 7 * 86_400,
        },
      }),
    );
  }

  async deleteOutbox(jobId: string, task: OutboxTask): Promise<void> {
    await this.doc.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { [TABLE.partitionKey]: jobPk(jobId), [TABLE.sortKey]: outboxSk(task) },
      }),
    );
  }

  async dueOutbox(now: Date, limit: number): Promise<OutboxEntry[]> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: OUTBOX.name,
        KeyConditionExpression: '#gpk = :pk AND #gsk <= :now',
        ExpressionAttributeNames: { '#gpk': OUTBOX.partitionKey, '#gsk': OUTBOX.sortKey },
        // '~' sorts after the '#' that follows the timestamp: everything due at `now` too.
        ExpressionAttributeValues: { ':pk': OUTBOX_PK, ':now': `${now.toISOString()}~` },
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map((i) => ({
      jobId: String(i.jobId),
      task: i.task as OutboxTask,
      dueAt: String(i.dueAt),
      attempts: Number(i.attempts ?? 0),
    }));
  }

  async createCallback(delivery: CallbackDelivery, expiresAt: number): Promise<void> {
    await putNew(this.doc, this.tableName, {
      [TABLE.partitionKey]: jobPk(delivery.jobId),
      [TABLE.sortKey]: callbackSk(delivery.eventId),
      type: 'job-callback',
      ...delivery,
      [TABLE.ttlAttribute]: expiresAt,
    });
  }

  async recordCallbackAttempt(
    jobId: string,
    eventId: string,
    attempt: CallbackAttempt,
    state: CallbackDelivery['state'],
  ): Promise<void> {
    const delivered = state === 'DELIVERED';
    await sendIf(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: { [TABLE.partitionKey]: jobPk(jobId), [TABLE.sortKey]: callbackSk(eventId) },
        UpdateExpression: `SET #attempts = list_append(if_not_exists(#attempts, :empty), :attempt), #state = :state${delivered ? ', #deliveredAt = :at' : ''}`,
        // A delivered event stays delivered (a late duplicate attempt does not undo it).
        ConditionExpression:
          'attribute_exists(#pk) AND #state <> :delivered AND (attribute_not_exists(#attempts) OR size(#attempts) < :max)',
        ExpressionAttributeNames: {
          '#pk': TABLE.partitionKey,
          '#attempts': 'attempts',
          '#state': 'state',
          ...(delivered ? { '#deliveredAt': 'deliveredAt' } : {}),
        },
        ExpressionAttributeValues: {
          ':empty': [],
          ':attempt': [attempt],
          ':state': state,
          ':delivered': 'DELIVERED',
          ':max': MAX_ATTEMPTS_KEPT,
          ...(delivered ? { ':at': attempt.at } : {}),
        },
      }),
    );
  }

  async listCallbacks(jobId: string): Promise<CallbackDelivery[]> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
        ExpressionAttributeValues: { ':pk': jobPk(jobId), ':prefix': 'CALLBACK#' },
        ConsistentRead: true,
      }),
    );
    return (out.Items ?? [])
      .map((raw) => withoutTableAttributes(raw) as unknown as CallbackDelivery)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }
}
