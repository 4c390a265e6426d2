/**
 * Stateful resources: the encryption key, the single DynamoDB table, one secret per organisation and the
 * alarm topic. Kept apart from the stateless stack so that the API and functions can be replaced freely
 * while data and certificates stay.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { orgSecretPrefix, TABLE } from '../../shared/config/names.js';
import { tableName } from '../../shared/config/resources.js';
import type { StageConfig } from '../config/stages.js';
import { acknowledge } from '../nag.js';

export interface DataStackProps extends StackProps {
  readonly stage: StageConfig;
}

/** The placeholder value a new organisation secret holds until the operator stores the real one. */
export const UNCONFIGURED_SECRET_TEMPLATE = { status: 'NOT_CONFIGURED' } as const;

export class DataStack extends Stack {
  /** Customer-managed key (rotated yearly) for the table, the secrets and the alarm topic. */
  public readonly key: Key;
  public readonly table: TableV2;
  /** One secret per organisation id of the stage. */
  public readonly organisationSecrets: ReadonlyMap<string, Secret>;
  /** Every alarm of the stage publishes here. */
  public readonly alarmTopic: Topic;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { stage } = props;
    const removalPolicy = stage.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.key = new Key(this, 'Key', {
      alias: `alias/lrs-gateway-${stage.name}`,
      description: `lrs-gateway ${stage.name}: learner data, organisation secrets and alarm topic`,
      enableKeyRotation: true,
      removalPolicy,
      pendingWindow: Duration.days(stage.retainData ? 30 : 7),
    });

    this.table = new TableV2(this, 'Table', {
      tableName: tableName(stage.name),
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      timeToLiveAttribute: TABLE.ttlAttribute,
      // The same indexes as the local table (local/resources.ts createTable).
      globalSecondaryIndexes: Object.values(TABLE.indexes).map((i) => ({
        indexName: i.name,
        partitionKey: { name: i.partitionKey, type: AttributeType.STRING },
        sortKey: { name: i.sortKey, type: AttributeType.STRING },
      })),
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.customerManagedKey(this.key),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: stage.retainData,
      removalPolicy,
    });

    const secrets = new Map<string, Secret>();
    for (const organisationId of stage.organisations) {
      const secret = new Secret(this, `OrganisationSecret-${organisationId}`, {
        secretName: `${orgSecretPrefix(stage.name)}${organisationId}`,
        description: `LRS client certificate and credentials of organisation ${organisationId} (see infra/README.md)`,
        encryptionKey: this.key,
        // Created with a placeholder; the operator puts the real JSON in with put-secret-value. CloudFormation
        // generates this value only on creation, so later deploys never overwrite the stored certificate.
        generateSecretString: {
          secretStringTemplate: JSON.stringify(UNCONFIGURED_SECRET_TEMPLATE),
          generateStringKey: 'placeholder',
          excludePunctuation: true,
        },
        removalPolicy,
      });
      acknowledge(
        secret,
        'AwsSolutions-SMG4',
        'The LRS issues the client certificate and organisation password; they cannot be rotated by a Lambda. ' +
          'Expiry is watched by the certificate-expiry function and its alarm.',
      );
      secrets.set(organisationId, secret);
      new CfnOutput(this, `OrganisationSecretName-${organisationId}`, {
        value: secret.secretName,
        description: `Put the LRS certificate and credentials of ${organisationId} here (infra/README.md)`,
      });
    }
    this.organisationSecrets = secrets;

    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      topicName: `lrs-gateway-${stage.name}-alarms`,
      masterKey: this.key,
      enforceSSL: true,
    });
    // CloudWatch alarms must be able to publish to a topic encrypted with a customer-managed key.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    if (stage.alarms.email !== undefined) {
      this.alarmTopic.addSubscription(new EmailSubscription(stage.alarms.email));
    }
  }
}
