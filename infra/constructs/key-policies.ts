/**
 * KMS for logs, and the grant guard every key of the gateway carries.
 *
 * - The logs key lives in the data stack (so retained log groups stay readable after the service stack
 *   is deleted) and may be used by CloudWatch Logs for this account's log groups only.
 * - Every key denies kms:CreateGrant unless the grant is for an AWS resource or the caller is an AWS
 *   service (DynamoDB creates its own grants for the table; nobody else needs one).
 */
import { Aspects, Duration, type IAspect, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AccountRootPrincipal,
  AnyPrincipal,
  Effect,
  PolicyDocument,
  PolicyStatement,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct, IConstruct } from 'constructs';
import { acknowledgeGuard } from '../support/guard.js';
import { DATA_KEY_USE_ACTIONS, KEY_ADMIN_ACTIONS } from './stage-keys.js';

/** Control Tower's minimum log retention (CT.CLOUDWATCH.PR.2). */
const ONE_YEAR_OF_LOGS = 365;

/** Denies kms:CreateGrant to everything but AWS services acting for AWS resources (Control Tower KMS.PR.3). */
export function denyGrantsExceptForAwsServices(key: Key): void {
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'DenyGrantsExceptForAwsServices',
      effect: Effect.DENY,
      principals: [new AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: {
        BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
      },
    }),
  );
}

/**
 * The customer-managed key every log group of the stage is encrypted with (rotated yearly). Like the other
 * keys of the stage (stage-keys.ts): the account may administer it without using it, and only CloudWatch
 * Logs may use it, for this account's log groups.
 */
export function createLogsKey(
  scope: Construct,
  stageName: string,
  removalPolicy: RemovalPolicy,
  retain: boolean,
): Key {
  const { region, account, partition } = Stack.of(scope);
  const key = new Key(scope, 'LogsKey', {
    alias: `alias/lrs-gateway-${stageName}-logs`,
    description: `lrs-gateway ${stageName}: CloudWatch Logs (function, API access and VPC flow logs) only`,
    enableKeyRotation: true,
    removalPolicy,
    pendingWindow: Duration.days(retain ? 30 : 7),
    policy: new PolicyDocument({
      statements: [
        new PolicyStatement({
          sid: 'AdministerWithoutUse',
          principals: [new AccountRootPrincipal()],
          actions: [...KEY_ADMIN_ACTIONS],
          resources: ['*'],
        }),
        new PolicyStatement({
          sid: 'CloudWatchLogsOfThisAccount',
          principals: [new ServicePrincipal(`logs.${region}.amazonaws.com`)],
          actions: [...DATA_KEY_USE_ACTIONS],
          resources: ['*'],
          conditions: {
            StringEquals: { 'aws:SourceAccount': account },
            ArnLike: {
              'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*`,
            },
          },
        }),
      ],
    }),
  });
  denyGrantsExceptForAwsServices(key);
  return key;
}

/** Encrypts every log group under a scope with the logs key (applied as an aspect before synth). */
export class EncryptLogGroups implements IAspect {
  constructor(private readonly key: IKey) {}

  visit(node: IConstruct): void {
    if (!(node instanceof CfnLogGroup) || node.kmsKeyId !== undefined) return;
    node.kmsKeyId = this.key.keyArn;
    if (typeof node.retentionInDays === 'number' && node.retentionInDays < ONE_YEAR_OF_LOGS) {
      acknowledgeGuard(
        node,
        'cloudwatch_log_group_retention_period_check',
        `Kept for the stage setting logRetentionDays (${node.retentionInDays} days): a non-live stage keeps its ` +
          'logs shortly on purpose; live keeps them 365 days.',
      );
    }
    if (Stack.of(node) !== Stack.of(this.key)) {
      acknowledgeGuard(
        node,
        'cloudwatch_log_group_encrypted_check',
        "Encrypted with the stage's logs key, which lives in the data stack so that retained logs stay readable; " +
          'the rule cannot follow the cross-stack reference (Fn::ImportValue) to it.',
      );
    }
  }
}

export const encryptLogGroups = (scope: IConstruct, key: IKey): void => {
  Aspects.of(scope).add(new EncryptLogGroups(key));
};
