/**
 * Conditional writes, written once for every store of the table: the test for "its condition did not
 * hold", a send that answers that as false (any other error is thrown), and a put of a new item.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  type UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../config/names.js';

export const isConditionFailure = (e: unknown): boolean =>
  e instanceof ConditionalCheckFailedException ||
  (e instanceof Error && e.name === 'ConditionalCheckFailedException');

/** Sends a conditional write: true when it was made, false when its condition did not hold. */
export const sendIf = async (
  doc: DynamoDBDocumentClient,
  command: PutCommand | UpdateCommand | DeleteCommand,
): Promise<boolean> => {
  try {
    await doc.send(command as UpdateCommand);
    return true;
  } catch (e) {
    if (isConditionFailure(e)) return false;
    throw e;
  }
};

/** Puts an item of the gateway table unless one with its key exists: true when it was put. */
export const putNew = (
  doc: DynamoDBDocumentClient,
  tableName: string,
  item: Record<string, unknown>,
): Promise<boolean> =>
  sendIf(
    doc,
    new PutCommand({
      TableName: tableName,
      Item: item,
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
    }),
  );
