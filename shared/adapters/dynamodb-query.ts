/**
 * Reading the single table, written once for every store: a Query read to its end page by page, and an
 * item without the table's own attributes (keys, type, TTL).
 */
import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../config/names.js';

type Item = Record<string, unknown>;

/**
 * Every item a Query matches, in its order, one page (one request) at a time; leaving the loop early
 * stops the reading.
 */
export async function* queryItems(
  doc: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
): AsyncGenerator<Item> {
  let lastKey: Item | undefined;
  do {
    const out = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: lastKey }));
    yield* out.Items ?? [];
    lastKey = out.LastEvaluatedKey;
  } while (lastKey);
}

/** The stored fields of an item: without its partition and sort keys, its `type` and its TTL. */
export const withoutTableAttributes = (item: Item): Item => {
  const {
    [TABLE.partitionKey]: _pk,
    [TABLE.sortKey]: _sk,
    type: _t,
    [TABLE.ttlAttribute]: _e,
    ...rest
  } = item;
  return rest;
};
