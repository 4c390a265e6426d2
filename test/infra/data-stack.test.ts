/**
 * What the stateful stack guarantees: encrypted, recoverable, expiring learner data; a rotated key; one
 * encrypted secret per organisation; data kept on live and disposable on dev.
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { STAGES, type StageConfig } from '../../infra/config/stages.js';
import { DataStack } from '../../infra/stacks/data-stack.js';
import { orgSecretPrefix, TABLE } from '../../shared/config/names.js';
import { tableName } from '../../shared/config/resources.js';

const build = (stage: StageConfig): Template =>
  Template.fromStack(
    new DataStack(new App({ builtinCloudFormationValidation: false }), `Data-${stage.name}`, {
      stage,
      env: { account: '123456789012', region: stage.region },
    }),
  );

const twoOrgs: StageConfig = { ...STAGES.live, organisations: ['10000000', 'ABC123'] };
let live: Template;
let dev: Template;

beforeAll(() => {
  live = build(twoOrgs);
  dev = build(STAGES.dev);
});

describe('table', () => {
  it('has the shared keys, TTL, point-in-time recovery and the customer-managed key', () => {
    live.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    live.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: tableName('live'),
      KeySchema: [
        { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      Replicas: [
        Match.objectLike({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } },
          DeletionProtectionEnabled: true,
        }),
      ],
    });
  });

  it('has the jobs-by-organisation and outbox indexes, keyed as the local table is', () => {
    live.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      GlobalSecondaryIndexes: [
        {
          IndexName: 'jobs-by-organisation',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: 'outbox',
          KeySchema: [
            { AttributeName: 'gsi2pk', KeyType: 'HASH' },
            { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  });

  it('is retained on live and may be destroyed on dev', () => {
    live.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    dev.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Delete' });
  });
});

describe('key', () => {
  it('rotates, and is retained on live', () => {
    live.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ EnableKeyRotation: true }),
      DeletionPolicy: 'Retain',
    });
    dev.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });
});

describe('organisation secrets', () => {
  it('creates one secret per organisation, named for the functions, encrypted with the key', () => {
    live.resourceCountIs('AWS::SecretsManager::Secret', 2);
    for (const org of twoOrgs.organisations) {
      live.hasResource('AWS::SecretsManager::Secret', {
        Properties: Match.objectLike({
          Name: `${orgSecretPrefix('live')}${org}`,
          KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
          // A placeholder generated once: later deploys never overwrite the stored certificate.
          GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"status":"NOT_CONFIGURED"}' }),
        }),
        DeletionPolicy: 'Retain',
      });
    }
  });

  it('never puts a secret value in the template', () => {
    for (const secret of Object.values(live.findResources('AWS::SecretsManager::Secret'))) {
      expect(secret.Properties.SecretString).toBeUndefined();
    }
  });
});

describe('alarm topic', () => {
  it('is encrypted, TLS-only and usable by CloudWatch alarms', () => {
    live.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    live.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      }),
    });
    live.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          }),
        ]),
      }),
    });
  });

  it('subscribes the alarm e-mail address when one is configured', () => {
    const withEmail = build({ ...STAGES.test, alarms: { ...STAGES.test.alarms, email: 'ops@example.org' } });
    withEmail.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.org',
    });
    live.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});
