/**
 * The stage's customer-managed KMS keys, one per kind of data, each with a key policy that allows
 * administration to the account and use only through the one AWS service that stores that data:
 * - `data`: the data table and the registry table, used through DynamoDB only;
 * - `orgSecrets`: the organisation secrets, used through Secrets Manager only, and decrypted only by the
 *   stage's reader roles (and the stage's `secretReaderArns`);
 * - `alarms`: the alarm topic, used by CloudWatch alarms of this account (and through SNS).
 * No statement lets any principal use a key directly: every cryptographic statement carries kms:ViaService
 * or a service principal with its source account.
 */
import { Aws, Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccountRootPrincipal, PolicyDocument, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { orgSecretReaderArnPattern } from '../../shared/config/org-secret-access.js';

/**
 * Managing a key without using it: no cryptographic action and no kms:CreateGrant (which could hand out
 * decryption). Written out, so that no `kms:Create*`-style wildcard widens it.
 */
/** What a service does with a key it encrypts data with (DynamoDB for the tables, CloudWatch Logs for logs). */
export const DATA_KEY_USE_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:DescribeKey',
] as const;

export const KEY_ADMIN_ACTIONS = [
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'kms:PutKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:EnableKeyRotation',
  'kms:DisableKeyRotation',
  'kms:RotateKeyOnDemand',
  'kms:ListKeyRotations',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListResourceTags',
  'kms:RevokeGrant',
  'kms:EnableKey',
  'kms:DisableKey',
  'kms:UpdateKeyDescription',
  'kms:CreateAlias',
  'kms:UpdateAlias',
  'kms:DeleteAlias',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
] as const;

export interface StageKeysProps {
  readonly stageName: string;
  readonly removalPolicy: RemovalPolicy;
  /** Keys scheduled for deletion wait this many days (7-30). */
  readonly pendingWindowDays: number;
  /** Extra principals (ARN patterns) allowed to decrypt organisation secrets through Secrets Manager. */
  readonly secretReaderArns: readonly string[];
}

export interface StageKeys {
  /** The data table and the registry table. */
  readonly data: Key;
  /** The organisation secrets only. */
  readonly orgSecrets: Key;
  /** The alarm topic only. */
  readonly alarms: Key;
}

/**
 * Creates the three keys directly in `scope` (the data stack), so that the data key keeps the logical id
 * it has always had and a deployed stage's table key is not replaced.
 */
export function createStageKeys(scope: Construct, props: StageKeysProps): StageKeys {
  const { account, region } = Stack.of(scope);
  const inAccountVia = (service: string) => ({
    StringEquals: {
      'kms:ViaService': `${service}.${region}.amazonaws.com`,
      'kms:CallerAccount': account,
    },
  });
  const root = new AccountRootPrincipal();
  const key = (id: string, alias: string, description: string, use: PolicyStatement[]) =>
    new Key(scope, id, {
      alias,
      description,
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
      pendingWindow: Duration.days(props.pendingWindowDays),
      policy: new PolicyDocument({
        statements: [
          new PolicyStatement({
            sid: 'AdministerWithoutUse',
            principals: [root],
            actions: [...KEY_ADMIN_ACTIONS],
            resources: ['*'],
          }),
          ...use,
        ],
      }),
    });

  const data = key(
    'Key',
    `alias/lrs-gateway-${props.stageName}`,
    `lrs-gateway ${props.stageName}: the data table and the registry table (DynamoDB only)`,
    [
      new PolicyStatement({
        sid: 'UseThroughDynamoDbOnly',
        principals: [root],
        actions: [...DATA_KEY_USE_ACTIONS],
        resources: ['*'],
        conditions: inAccountVia('dynamodb'),
      }),
      new PolicyStatement({
        sid: 'DynamoDbGrantsForItsTables',
        principals: [root],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: { ...inAccountVia('dynamodb'), Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
      new PolicyStatement({
        sid: 'DynamoDbDescribesTheKey',
        principals: [new ServicePrincipal('dynamodb.amazonaws.com')],
        actions: ['kms:DescribeKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    ],
  );

  const orgSecrets = key(
    'OrgSecretsKey',
    `alias/lrs-gateway-${props.stageName}-org-secrets`,
    `lrs-gateway ${props.stageName}: organisation LRS secrets (Secrets Manager only)`,
    [
      new PolicyStatement({
        sid: 'StoreThroughSecretsManagerOnly',
        principals: [root],
        actions: ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: inAccountVia('secretsmanager'),
      }),
      new PolicyStatement({
        sid: 'DecryptOnlyForTheGatewayReaders',
        principals: [root],
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: {
          ...inAccountVia('secretsmanager'),
          ArnLike: {
            'aws:PrincipalArn': [
              orgSecretReaderArnPattern({ partition: Aws.PARTITION, account }, props.stageName),
              ...props.secretReaderArns,
            ],
          },
        },
      }),
    ],
  );

  const alarms = key(
    'AlarmKey',
    `alias/lrs-gateway-${props.stageName}-alarms`,
    `lrs-gateway ${props.stageName}: the alarm topic (CloudWatch alarms and SNS only)`,
    [
      // CloudWatch alarms must be able to publish to a topic encrypted with a customer-managed key.
      new PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccount',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${region}:${account}:alarm:*` },
        },
      }),
      new PolicyStatement({
        sid: 'PublishThroughSnsOnly',
        principals: [root],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: inAccountVia('sns'),
      }),
    ],
  );
  return { data, orgSecrets, alarms };
}
