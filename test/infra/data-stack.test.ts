/**
 * What the stateful stack guarantees: encrypted, recoverable, expiring learner data; a recoverable registry
 * that never expires; rotated keys, one per kind of data; the callers' user pool; no organisation secret (they
 * are made at run time); data kept on live and disposable on dev.
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { STAGES, type StageConfig } from '../../infra/config/stages.js';
import { DataStack } from '../../infra/stacks/data-stack.js';
import { REGISTRY, registryTableName, TABLE } from '../../shared/config/names.js';
import { tableName } from '../../shared/config/resources.js';

const build = (stage: StageConfig): Template =>
  Template.fromStack(
    new DataStack(new App({ builtinCloudFormationValidation: false }), `Data-${stage.name}`, {
      stage,
      env: { account: '123456789012', region: stage.region },
    }),
  );

/** Every replica: point-in-time recovery, the stack's customer-managed key, deletion protection. */
const PROTECTED_REPLICAS = [
  Match.objectLike({
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } },
    DeletionProtectionEnabled: true,
  }),
];

let live: Template;
let dev: Template;

beforeAll(() => {
  live = build(STAGES.live);
  dev = build(STAGES.dev);
});

describe('table', () => {
  it('has the shared keys, TTL, point-in-time recovery and the customer-managed key', () => {
    live.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: tableName('live'),
      KeySchema: [
        { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      Replicas: PROTECTED_REPLICAS,
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

describe('registry table', () => {
  it('has the registry keys, point-in-time recovery, no TTL, the customer-managed key, and is kept on live', () => {
    live.hasResource('AWS::DynamoDB::GlobalTable', {
      Properties: Match.objectLike({
        TableName: registryTableName('live'),
        KeySchema: [
          { AttributeName: REGISTRY.partitionKey, KeyType: 'HASH' },
          { AttributeName: REGISTRY.sortKey, KeyType: 'RANGE' },
        ],
        TimeToLiveSpecification: Match.absent(),
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: PROTECTED_REPLICAS,
      }),
      DeletionPolicy: 'Retain',
    });
    live.resourceCountIs('AWS::DynamoDB::GlobalTable', 2);
  });
});

describe('keys', () => {
  it('has four keys (data, organisation secrets, alarms, logs), each rotated, and retained on live', () => {
    live.resourceCountIs('AWS::KMS::Key', 4);
    for (const [, key] of Object.entries(live.findResources('AWS::KMS::Key'))) {
      expect(key.Properties.EnableKeyRotation).toBe(true);
      expect(key.DeletionPolicy).toBe('Retain');
    }
    for (const [, key] of Object.entries(dev.findResources('AWS::KMS::Key'))) {
      expect(key.DeletionPolicy).toBe('Delete');
    }
    for (const alias of [
      'alias/lrs-gateway-live',
      'alias/lrs-gateway-live-org-secrets',
      'alias/lrs-gateway-live-alarms',
      'alias/lrs-gateway-live-logs',
    ]) {
      live.hasResourceProperties('AWS::KMS::Alias', { AliasName: alias });
    }
  });
});

describe('organisation secrets', () => {
  it('are not in the template: the admin CLI creates them at run time', () => {
    live.resourceCountIs('AWS::SecretsManager::Secret', 0);
    dev.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(Object.keys(live.toJSON().Outputs ?? {}).filter((o) => /Secret|Organisation/.test(o))).toEqual([]);
  });
});

describe('caller user pool', () => {
  it('is a machine-to-machine pool: no sign-up, MFA and a strong password policy, kept on live', () => {
    live.hasResource('AWS::Cognito::UserPool', {
      Properties: Match.objectLike({
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        MfaConfiguration: 'ON',
        DeletionProtection: 'ACTIVE',
        Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 16, RequireSymbols: true }) },
      }),
      DeletionPolicy: 'Retain',
    });
  });

  it('has a domain (token endpoint) and a resource server with the gateway scopes, and no app client', () => {
    live.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: { 'Fn::Join': ['', ['lrs-gateway-live-', { Ref: 'AWS::AccountId' }]] },
    });
    live.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'lrs-gateway',
      Scopes: ['lrs.read', 'lrs.write', 'jobs', 'admin'].map((ScopeName) => Match.objectLike({ ScopeName })),
    });
    // Callers are app clients made at run time by the admin CLI.
    live.resourceCountIs('AWS::Cognito::UserPoolClient', 0);
    expect(live.toJSON().Outputs).toMatchObject({
      CallerUserPoolId: expect.anything(),
      TokenEndpoint: expect.anything(),
    });
  });

  it('uses a configured domain prefix, and is not created when another OIDC issuer is configured', () => {
    build({
      ...STAGES.test,
      auth: { kind: 'cognito', domainPrefix: 'college-group-lrs-test' },
    }).hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'college-group-lrs-test' });
    const entra = build({
      ...STAGES.test,
      auth: {
        kind: 'oidc',
        issuer: 'https://login.microsoftonline.com/t/v2.0',
        audience: ['api://lrs-gateway'],
        jwksUri: 'https://login.microsoftonline.com/t/discovery/v2.0/keys',
      },
    });
    entra.resourceCountIs('AWS::Cognito::UserPool', 0);
    entra.resourceCountIs('AWS::Cognito::UserPoolDomain', 0);
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
    live.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlarmKey'), 'Arn'] },
    });
    live.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': '123456789012' } }),
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
