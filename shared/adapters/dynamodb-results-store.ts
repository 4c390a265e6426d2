/**
 * ResultsStore on the single DynamoDB table (keys from TABLE in shared/config/names.ts).
 *
 * Items:
 * - `pk=REQUEST#<id>, sk=REQUEST`: the request record (status, outcome, error, timings, lease, TTL).
 * - `pk=REQUEST#<id>, sk=BLOB#<name>#<nnnn>`: chunks of a large gzipped request/result body.
 * - `pk=IDEMPOTENCY#<organisationId>#<caller>#<key>, sk=IDEMPOTENCY`: who holds a caller's idempotency key
 *   (the caller id URI-encoded, so no `#` of its own can blur the parts).
 *
 * Request and result bodies are stored gzipped (a Personal Learning Record can run to megabytes of JSON).
 * A body whose gzip fits in INLINE_LIMIT_BYTES stays in the record; a bigger one is split into chunk
 * items of CHUNK_BYTES, written before the record points at them, so a reader never sees a partial body.
 * Only conditional writes are used (no transactions): they also work on dynalite. The bodies' gzip and
 * chunks are dynamodb-bodies.ts.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../config/names.js';
import type {
  BeginInput,
  BeginResult,
  ClaimResult,
  CompleteInput,
  DeadLetterNote,
  FailInput,
  PendingInput,
  RejectedInput,
  ResultsStore,
  StoredRequest,
  WaitingNote,
} from '../ports/results-store.js';
import {
  type BlobName,
  type BlobRef,
  CHUNK_BYTES,
  gzipJson,
  requestPk,
  StoredBodies,
} from './dynamodb-bodies.js';
import { isConditionFailure, putNew, sendIf } from './dynamodb-conditional.js';
import { updateItem } from './dynamodb-update.js';

/** Largest gzipped body kept inside the record (two bodies plus metadata stay well under 400 KB). */
export const INLINE_LIMIT_BYTES = 150_000;

const REQUEST_SK = 'REQUEST';
/** Bodies a write has just stored, as the objects it was given. */
type KnownBodies = { readonly request?: unknown; readonly result?: unknown };
const requestKey = (requestId: string) => ({
  [TABLE.partitionKey]: requestPk(requestId),
  [TABLE.sortKey]: REQUEST_SK,
});
const IDEMPOTENCY_SK = 'IDEMPOTENCY';
const idempotencyPk = (organisationId: string, caller: string, key: string) =>
  `IDEMPOTENCY#${organisationId}#${encodeURIComponent(caller)}#${key}`;

const epochSeconds = (d: Date) => Math.floor(d.getTime() / 1000);

export interface DynamoDbResultsStoreOptions {
  readonly tableName: string;
  readonly client: DynamoDBClient;
  /** For tests: override the inline limit and chunk size. */
  readonly inlineLimitBytes?: number;
  readonly chunkBytes?: number;
}

export class DynamoDbResultsStore implements ResultsStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly inlineLimit: number;
  private readonly bodies: StoredBodies;

  constructor(options: DynamoDbResultsStoreOptions) {
    this.tableName = options.tableName;
    this.doc = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
    this.inlineLimit = options.inlineLimitBytes ?? INLINE_LIMIT_BYTES;
    this.bodies = new StoredBodies(this.doc, this.tableName, options.chunkBytes ?? CHUNK_BYTES);
  }

  async begin(input: BeginInput): Promise<BeginResult> {
    const now = input.now;
    const blob = input.request === undefined ? undefined : gzipJson(input.request);
    const inlineRequest = blob !== undefined && blob.byteLength <= this.inlineLimit;
    const values: Record<string, unknown> = {
      ':inProgress': 'IN_PROGRESS',
      ':pending': 'PENDING',
      ':failed': 'FAILED',
      ':waiting': 'WAITING',
      ':true': true,
      ':zero': 0,
      ':one': 1,
      ':type': 'request',
      ':requestId': input.requestId,
      ':op': input.operation,
      ':org': input.organisationId,
      ':caller': input.caller,
      ':source': input.source,
      ':receivedAt': now.toISOString(),
      ':startedAt': now.toISOString(),
      ':nowMs': now.getTime(),
      ':lease': input.leaseExpiresAt,
      ':expiresAt': input.expiresAt,
    };
    const sets = [
      '#status = :inProgress',
      '#attempts = if_not_exists(#attempts, :zero) + :one',
      '#type = :type',
      '#requestId = :requestId',
      '#operation = :op',
      '#org = :org',
      '#caller = if_not_exists(#caller, :caller)',
      '#source = if_not_exists(#source, :source)',
      '#receivedAt = if_not_exists(#receivedAt, :receivedAt)',
      '#startedAt = :startedAt',
      '#lease = :lease',
      '#expiresAt = :expiresAt',
    ];
    const names: Record<string, string> = {
      '#pk': TABLE.partitionKey,
      '#status': 'status',
      '#attempts': 'attempts',
      '#type': 'type',
      '#requestId': 'requestId',
      '#operation': 'operation',
      '#org': 'organisationId',
      '#caller': 'caller',
      '#source': 'source',
      '#receivedAt': 'receivedAt',
      '#startedAt': 'startedAt',
      '#lease': 'leaseExpiresAt',
      '#expiresAt': TABLE.ttlAttribute,
      '#retryable': 'retryable',
      '#error': 'error',
      '#outcome': 'outcome',
      '#completedAt': 'completedAt',
      '#lrsDurationMs': 'lrsDurationMs',
      '#result': 'result',
      '#waiting': 'waiting',
    };
    const optional: Array<[string, unknown]> = [
      ['userName', input.userName],
      ['jobId', input.jobId],
      ['idempotencyKey', input.idempotencyKey],
      ['requestHash', input.requestHash],
    ];
    for (const [name, value] of optional) {
      if (value === undefined) continue;
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      sets.push(`#${name} = :${name}`);
    }
    if (inlineRequest && blob) {
      names['#request'] = 'request';
      values[':request'] = { gz: blob };
      sets.push('#request = :request');
    }
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: requestKey(input.requestId),
          UpdateExpression: `SET ${sets.join(', ')} REMOVE #error, #outcome, #completedAt, #lrsDurationMs, #retryable, #result, #waiting`,
          ConditionExpression:
            'attribute_not_exists(#pk) OR (#operation = :op AND #org = :org AND (' +
            '#status = :pending OR #status = :waiting OR (#status = :failed AND #retryable = :true) OR ' +
            '(#status = :inProgress AND #lease < :nowMs)))',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      let item = out.Attributes ?? {};
      if (blob && !inlineRequest) {
        const ref = await this.bodies.write(input.requestId, 'request', blob, input.expiresAt);
        item = await this.setBlobRef(input.requestId, 'request', ref);
      }
      const known = input.request === undefined ? {} : { request: input.request };
      return { acquired: true, record: await this.toRecord(item, known) };
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      const existing = await this.get(input.requestId, now);
      const visible =
        existing &&
        existing.operation === input.operation &&
        existing.organisationId === input.organisationId;
      return { acquired: false, existing: visible ? existing : undefined };
    }
  }

  async complete(requestId: string, attempt: number, input: CompleteInput): Promise<StoredRequest> {
    const blob = gzipJson(input.result);
    let ref: BlobRef = { gz: blob };
    if (blob.byteLength > this.inlineLimit) {
      // Chunks expire with their record.
      const current = await this.getRaw(requestId);
      const expiresAt = Number(current?.[TABLE.ttlAttribute] ?? epochSeconds(input.completedAt) + 86_400);
      ref = await this.bodies.write(requestId, 'result', blob, expiresAt);
    }
    return this.finish(
      requestId,
      attempt,
      {
        status: 'COMPLETED',
        outcome: input.outcome,
        result: ref,
        completedAt: input.completedAt.toISOString(),
        lrsDurationMs: input.lrsDurationMs,
        // Settled: whatever a lost answer may have changed is now known.
        unconfirmed: undefined,
      },
      { result: input.result },
    );
  }

  async fail(requestId: string, attempt: number, input: FailInput): Promise<StoredRequest> {
    return this.finish(requestId, attempt, {
      status: 'FAILED',
      error: input.error,
      retryable: input.error.retryable,
      outcome: input.outcome,
      completedAt: input.completedAt.toISOString(),
      lrsDurationMs: input.lrsDurationMs,
      // Kept until an attempt settles it: a later failure must not forget that a change may be at the LRS.
      ...(input.unconfirmed ? { unconfirmed: input.unconfirmed } : {}),
    });
  }

  async giveBack(requestId: string, attempt: number): Promise<void> {
    await sendIf(
      this.doc,
      updateItem(this.tableName, requestKey(requestId), {
        set: { status: 'PENDING' },
        add: { attempts: -1 },
        remove: ['leaseExpiresAt', 'startedAt'],
        equal: { status: 'IN_PROGRESS', attempts: attempt },
      }),
    );
  }

  async noteWaiting(requestId: string, attempt: number, note: WaitingNote): Promise<void> {
    await sendIf(
      this.doc,
      updateItem(this.tableName, requestKey(requestId), {
        set: { status: 'WAITING', waiting: note },
        equal: { status: 'FAILED', retryable: true, attempts: attempt },
      }),
    );
  }

  recordRejected(input: RejectedInput): Promise<boolean> {
    return this.putIfNew(input, {
      status: 'FAILED',
      error: input.error,
      retryable: input.error.retryable,
      completedAt: input.now.toISOString(),
    });
  }

  createPending(input: PendingInput): Promise<boolean> {
    return this.putIfNew(input, { status: 'PENDING', userName: input.userName });
  }

  async getMany(requestIds: readonly string[]): Promise<Map<string, StoredRequest>> {
    const out = new Map<string, StoredRequest>();
    const ids = [...new Set(requestIds)];
    // Bounded parallelism: each read may also fetch body chunks.
    for (let i = 0; i < ids.length; i += 25) {
      const records = await Promise.all(ids.slice(i, i + 25).map((id) => this.get(id)));
      for (const r of records) if (r) out.set(r.requestId, r);
    }
    return out;
  }

  /** A record that has not been attempted yet: where it came from, when, and `fields`. */
  private putIfNew(origin: RejectedInput | PendingInput, fields: Record<string, unknown>): Promise<boolean> {
    return putNew(this.doc, this.tableName, {
      ...requestKey(origin.requestId),
      type: 'request',
      requestId: origin.requestId,
      operation: origin.operation,
      organisationId: origin.organisationId,
      caller: origin.caller,
      source: origin.source,
      jobId: origin.jobId,
      attempts: 0,
      receivedAt: origin.now.toISOString(),
      [TABLE.ttlAttribute]: origin.expiresAt,
      ...fields,
    });
  }

  async noteDeadLetter(requestId: string, note: DeadLetterNote): Promise<void> {
    await sendIf(
      this.doc,
      updateItem(this.tableName, requestKey(requestId), { set: { deadLetter: note }, exists: true }),
    );
  }

  async get(requestId: string, now: Date = new Date()): Promise<StoredRequest | undefined> {
    const item = await this.getRaw(requestId);
    if (!item) return undefined;
    const expiresAt = Number(item[TABLE.ttlAttribute]);
    if (Number.isFinite(expiresAt) && expiresAt < epochSeconds(now)) return undefined;
    return this.toRecord(item);
  }

  async claimIdempotencyKey(input: {
    organisationId: string;
    caller: string;
    key: string;
    requestId: string;
    requestHash: string;
    now: Date;
    expiresAt: number;
  }): Promise<ClaimResult> {
    const Key = {
      [TABLE.partitionKey]: idempotencyPk(input.organisationId, input.caller, input.key),
      [TABLE.sortKey]: IDEMPOTENCY_SK,
    };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...Key,
            type: 'idempotency-key',
            organisationId: input.organisationId,
            requestId: input.requestId,
            requestHash: input.requestHash,
            createdAt: input.now.toISOString(),
            [TABLE.ttlAttribute]: input.expiresAt,
          },
          // A key past its TTL but not yet swept is free again.
          ConditionExpression: 'attribute_not_exists(#pk) OR #expiresAt < :now',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#expiresAt': TABLE.ttlAttribute },
          ExpressionAttributeValues: { ':now': epochSeconds(input.now) },
        }),
      );
      return { claimed: true };
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key, ConsistentRead: true }));
    const item = out.Item;
    if (!item) {
      // Swept between our write and our read: try once more.
      return this.claimIdempotencyKey(input);
    }
    return { claimed: false, requestId: String(item.requestId), requestHash: String(item.requestHash) };
  }

  private async finish(
    requestId: string,
    attempt: number,
    fields: Record<string, unknown>,
    known: KnownBodies = {},
  ): Promise<StoredRequest> {
    // A field given as undefined is removed, as is the lease.
    const unset = Object.keys(fields).filter((name) => fields[name] === undefined);
    try {
      const out = await this.doc.send(
        updateItem(this.tableName, requestKey(requestId), {
          set: fields,
          remove: ['leaseExpiresAt', ...unset],
          equal: { status: 'IN_PROGRESS', attempts: attempt },
          returnValues: 'ALL_NEW',
        }),
      );
      return this.toRecord(out.Attributes ?? {}, known);
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      // Another worker took the lease over (ours expired): its record wins, ours is dropped.
      const current = await this.get(requestId);
      if (!current) throw e;
      return current;
    }
  }

  private async getRaw(requestId: string): Promise<Record<string, unknown> | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: requestKey(requestId),
        ConsistentRead: true,
      }),
    );
    return out.Item;
  }

  private async setBlobRef(
    requestId: string,
    name: BlobName,
    ref: BlobRef,
  ): Promise<Record<string, unknown>> {
    const out = await this.doc.send(
      updateItem(this.tableName, requestKey(requestId), { set: { [name]: ref }, returnValues: 'ALL_NEW' }),
    );
    return out.Attributes ?? {};
  }

  /** The record of an item; a body this call has just written (`known`) is not read back and decoded. */
  private async toRecord(item: Record<string, unknown>, known: KnownBodies = {}): Promise<StoredRequest> {
    const requestId = String(item.requestId);
    const [request, result] = await Promise.all([
      'request' in known ? known.request : this.bodies.read(requestId, 'request', item.request),
      'result' in known ? known.result : this.bodies.read(requestId, 'result', item.result),
    ]);
    const {
      [TABLE.partitionKey]: _pk,
      [TABLE.sortKey]: _sk,
      type: _type,
      retryable: _retryable,
      request: _request,
      result: _result,
      [TABLE.ttlAttribute]: expiresAt,
      ...rest
    } = item;
    return {
      ...(rest as Omit<StoredRequest, 'expiresAt' | 'request' | 'result'>),
      ...(request === undefined ? {} : { request }),
      ...(result === undefined ? {} : { result }),
      expiresAt: Number(expiresAt),
    };
  }
}
