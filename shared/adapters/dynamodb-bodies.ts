/**
 * The request and result bodies of the results store: gzipped JSON, kept inline in the request record
 * when small enough (the record holds the BlobRef) or split into chunk items
 * `pk=REQUEST#<id>, sk=BLOB#<name>#<nnnn>`, written before the record points at them.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../config/names.js';

/** Size of one chunk item's payload (under the 400 KB item limit with keys and attribute names). */
export const CHUNK_BYTES = 350_000;

export type BlobName = 'request' | 'result';
/** How a body is stored: inline gzip bytes, or the number of chunk items. */
export type BlobRef = { readonly gz: Uint8Array } | { readonly chunks: number; readonly bytes: number };

export const requestPk = (requestId: string) => `REQUEST#${requestId}`;
const chunkSk = (name: BlobName, index: number) => `BLOB#${name}#${String(index).padStart(4, '0')}`;

export const gzipJson = (value: unknown): Uint8Array => gzipSync(Buffer.from(JSON.stringify(value), 'utf8'));
export const gunzipJson = (bytes: Uint8Array): unknown => JSON.parse(gunzipSync(bytes).toString('utf8'));

export class StoredBodies {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly chunkBytes: number,
  ) {}

  /** Writes a body's chunk items (they expire with their record); the reference to store. */
  async write(requestId: string, name: BlobName, blob: Uint8Array, expiresAt: number): Promise<BlobRef> {
    const count = Math.ceil(blob.byteLength / this.chunkBytes);
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < count; i++) {
      writes.push(
        this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              [TABLE.partitionKey]: requestPk(requestId),
              [TABLE.sortKey]: chunkSk(name, i),
              type: 'blob-chunk',
              data: blob.subarray(i * this.chunkBytes, (i + 1) * this.chunkBytes),
              [TABLE.ttlAttribute]: expiresAt,
            },
          }),
        ),
      );
    }
    await Promise.all(writes);
    return { chunks: count, bytes: blob.byteLength };
  }

  /** A body from its reference: inline, or read back from its chunks. */
  async read(requestId: string, name: BlobName, ref: unknown): Promise<unknown> {
    if (!ref || typeof ref !== 'object') return undefined;
    if ('gz' in ref && ref.gz instanceof Uint8Array) return gunzipJson(ref.gz);
    if (!('chunks' in ref) || typeof ref.chunks !== 'number') return undefined;
    const parts: Uint8Array[] = [];
    let lastKey: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
          ExpressionAttributeValues: { ':pk': requestPk(requestId), ':prefix': `BLOB#${name}#` },
          ConsistentRead: true,
          ExclusiveStartKey: lastKey,
        }),
      );
      for (const item of out.Items ?? []) {
        const index = Number(String(item[TABLE.sortKey]).split('#')[2]);
        if (index < ref.chunks && item.data instanceof Uint8Array) parts[index] = item.data;
      }
      lastKey = out.LastEvaluatedKey;
    } while (lastKey);
    if (parts.length !== ref.chunks || parts.some((p) => p === undefined)) {
      throw new Error(`Stored ${name} of request ${requestId} is incomplete`);
    }
    return gunzipJson(Buffer.concat(parts));
  }
}
