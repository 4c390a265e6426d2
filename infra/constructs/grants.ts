/**
 * Least-privilege grants written out action by action, on named resources only (no `*`, no index
 * wildcards, no KMS action wildcards), so a reviewer can read exactly what a function may do.
 */
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { TABLE } from '../../shared/config/names.js';

export const TABLE_READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:DescribeTable',
] as const;

export const TABLE_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
] as const;

/** What DynamoDB needs from the caller to use a table encrypted with a customer-managed key. */
export const TABLE_KEY_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'] as const;
export const TABLE_KEY_WRITE_ACTIONS = ['kms:Encrypt', 'kms:GenerateDataKey'] as const;

/** Items of the table and queries of its named indexes (no scans, no schema changes). */
export function grantTableData(
  grantee: IGrantable,
  table: ITableV2,
  key: IKey,
  access: 'read' | 'readWrite' = 'readWrite',
): void {
  const write = access === 'readWrite';
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: [...TABLE_READ_ACTIONS, ...(write ? TABLE_WRITE_ACTIONS : [])],
      resources: [table.tableArn],
    }),
  );
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['dynamodb:Query'],
      resources: Object.values(TABLE.indexes).map((i) => `${table.tableArn}/index/${i.name}`),
    }),
  );
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: [...TABLE_KEY_READ_ACTIONS, ...(write ? TABLE_KEY_WRITE_ACTIONS : [])],
      resources: [key.keyArn],
    }),
  );
}

/** Read the named organisation secrets, and decrypt them through Secrets Manager only. */
export function grantReadSecrets(
  grantee: IGrantable,
  secrets: readonly ISecret[],
  key: IKey,
  region: string,
): void {
  if (secrets.length === 0) throw new Error('grantReadSecrets needs at least one secret');
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      resources: secrets.map((s) => s.secretArn),
    }),
  );
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
    }),
  );
}
