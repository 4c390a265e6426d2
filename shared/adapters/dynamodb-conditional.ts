/**
 * Conditional writes, written once for every store of the table: the test for "its condition did not
 * hold" and a send that answers that as false (any other error is thrown).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DeleteCommand, DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

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
