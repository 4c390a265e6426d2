/**
 * UpdateItem commands written as what they change and when, once for every store of the table: the
 * expression, its attribute names and its values are derived from the attribute names, so a write
 * reads as its intent and no store assembles expression strings of its own.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';

export interface ItemUpdate {
  /** Attributes to set; one whose value is undefined is left as it is (see `remove`). */
  readonly set?: Readonly<Record<string, unknown>>;
  /** Attributes to remove. */
  readonly remove?: readonly string[];
  /** Numbers to add to (ADD: an absent attribute counts as 0). */
  readonly add?: Readonly<Record<string, number>>;
  /** Condition: the item exists (its partition key, the first attribute of the key). */
  readonly exists?: boolean;
  /** Condition: each attribute equals its value. */
  readonly equal?: Readonly<Record<string, unknown>>;
  /** Condition: none of these attributes exists. */
  readonly absent?: readonly string[];
  readonly returnValues?: 'ALL_NEW' | 'UPDATED_NEW';
}

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

export const updateItem = (
  tableName: string,
  key: Readonly<Record<string, unknown>>,
  update: ItemUpdate,
): UpdateCommand => {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const name = (attribute: string): string => {
    if (!NAME.test(attribute)) throw new Error(`Attribute name ${attribute} cannot be a placeholder`);
    names[`#${attribute}`] = attribute;
    return `#${attribute}`;
  };
  const value = (kind: string, attribute: string, v: unknown): string => {
    values[`:${kind}_${attribute}`] = v;
    return `:${kind}_${attribute}`;
  };
  const sets = Object.entries(update.set ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([a, v]) => `${name(a)} = ${value('set', a, v)}`);
  const adds = Object.entries(update.add ?? {}).map(([a, v]) => `${name(a)} ${value('add', a, v)}`);
  const removes = (update.remove ?? []).map(name);
  const clauses = [
    sets.length > 0 ? `SET ${sets.join(', ')}` : '',
    adds.length > 0 ? `ADD ${adds.join(', ')}` : '',
    removes.length > 0 ? `REMOVE ${removes.join(', ')}` : '',
  ].filter(Boolean);
  if (clauses.length === 0) throw new Error('An update must change something');
  const partitionKey = Object.keys(key)[0];
  const conditions = [
    ...(update.exists && partitionKey ? [`attribute_exists(${name(partitionKey)})`] : []),
    ...Object.entries(update.equal ?? {}).map(([a, v]) => `${name(a)} = ${value('is', a, v)}`),
    ...(update.absent ?? []).map((a) => `attribute_not_exists(${name(a)})`),
  ];
  return new UpdateCommand({
    TableName: tableName,
    Key: key,
    UpdateExpression: clauses.join(' '),
    ...(conditions.length > 0 ? { ConditionExpression: conditions.join(' AND ') } : {}),
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
    ...(update.returnValues ? { ReturnValues: update.returnValues } : {}),
  });
};
