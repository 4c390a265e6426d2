/**
 * Least-privilege grants written out action by action, on named resources only (no `*`, no index
 * wildcards, no KMS action wildcards), so a reviewer can read exactly what a function may do.
 */
import { Stack } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IConstruct } from 'constructs';
import { TABLE } from '../../shared/config/names.js';
import { acknowledge } from '../support/nag.js';

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

/** The indexes of the learner-data table (the registry table has none). */
export const DATA_TABLE_INDEXES: readonly string[] = Object.values(TABLE.indexes).map((i) => i.name);

/** Items of the table and queries of the indexes named (no scans, no schema changes). */
export function grantTableData(
  grantee: IGrantable,
  table: ITableV2,
  key: IKey,
  access: 'read' | 'readWrite' = 'readWrite',
  indexes: readonly string[] = [],
): void {
  const write = access === 'readWrite';
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: [...TABLE_READ_ACTIONS, ...(write ? TABLE_WRITE_ACTIONS : [])],
      resources: [table.tableArn],
    }),
  );
  if (indexes.length > 0) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: indexes.map((name) => `${table.tableArn}/index/${name}`),
      }),
    );
  }
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: [...TABLE_KEY_READ_ACTIONS, ...(write ? TABLE_KEY_WRITE_ACTIONS : [])],
      resources: [key.keyArn],
    }),
  );
}

/**
 * Read organisation secrets under the stage's name prefix only (an ARN pattern ending in `/*`: secrets are
 * created at run time), and decrypt them through Secrets Manager only.
 */
export function grantReadOrgSecrets(
  grantee: IGrantable & IConstruct,
  secretArnPattern: string,
  key: IKey,
  region: string,
): void {
  if (!/:secret:[^*]+\/\*$/.test(secretArnPattern)) {
    throw new Error('grantReadOrgSecrets needs a secret ARN prefix pattern ending in "/*"');
  }
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      resources: [secretArnPattern],
    }),
  );
  acknowledge(
    grantee,
    `AwsSolutions-IAM5[Resource::${nagResourceId(grantee, secretArnPattern)}]`,
    'Organisation secrets are created at run time, one per organisation, under the stage prefix ' +
      'lrs-gateway/<stage>/org/: the grant names that prefix, never another secret (checked by test/infra).',
  );
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
    }),
  );
}

/** A resource as cdk-nag names it in a finding: pseudo parameters as `<AWS::Partition>`, the rest literal. */
/** How cdk-nag names a resource ARN in a finding id (tokens as `<AWS::AccountId>`, never unresolved). */
export function nagResourceId(scope: IConstruct, value: string): string {
  const resolved: unknown = Stack.of(scope).resolve(value);
  const part = (p: unknown): string => {
    if (typeof p === 'string') return p;
    const ref = (p as { Ref?: unknown }).Ref;
    if (typeof ref === 'string') return `<${ref}>`;
    throw new Error(`cannot name ${JSON.stringify(p)} for cdk-nag`);
  };
  const join = (resolved as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  return join === undefined ? part(resolved) : join[1].map(part).join(join[0]);
}
