/**
 * Stateful resources: the KMS keys (data, organisation secrets, alarms), the data table, the registry table,
 * the callers' Cognito user pool and the alarm topic. Kept apart from the stateless stack so that the API and
 * functions can be replaced freely while data and callers stay. Nothing here names an organisation: their
 * secrets are created at run time by `npm run admin` under `lrs-gateway/<stage>/org/`.
 */
import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { TABLE } from '../../shared/config/names.js';
import { tableName } from '../../shared/config/resources.js';
import { pointInTimeRecoveryDays } from '../config/production.js';
import type { StageConfig } from '../config/stages.js';
import { CallerAuth } from '../constructs/caller-auth.js';
import { createLogsKey, denyGrantsExceptForAwsServices } from '../constructs/key-policies.js';
import { createRegistryTable } from '../constructs/registry.js';
import { createStageKeys } from '../constructs/stage-keys.js';

export interface DataStackProps extends StackProps {
  readonly stage: StageConfig;
}

export class DataStack extends Stack {
  /** Customer-managed key (rotated yearly) of the data and registry tables, used through DynamoDB only. */
  public readonly key: Key;
  /** Customer-managed key of the organisation secrets, used through Secrets Manager only. */
  public readonly orgSecretsKey: Key;
  /** Customer-managed key of the alarm topic. */
  public readonly alarmKey: Key;
  /** Customer-managed key of every log group of the stage (kept with the data, so retained logs stay readable). */
  public readonly logsKey: Key;
  public readonly table: TableV2;
  /** Organisations, callers, grants and queue senders (run-time data, no TTL). */
  public readonly registryTable: TableV2;
  /** The callers' token issuer (the stage's Cognito user pool, or another OIDC issuer). */
  public readonly callerAuth: CallerAuth;
  /** Every alarm of the stage publishes here. */
  public readonly alarmTopic: Topic;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { stage } = props;
    const removalPolicy = stage.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const keys = createStageKeys(this, {
      stageName: stage.name,
      removalPolicy,
      pendingWindowDays: stage.retainData ? 30 : 7,
      secretReaderArns: stage.secretReaderArns,
    });
    this.key = keys.data;
    this.orgSecretsKey = keys.orgSecrets;
    this.alarmKey = keys.alarms;
    for (const key of [this.key, this.orgSecretsKey, this.alarmKey]) denyGrantsExceptForAwsServices(key);
    this.logsKey = createLogsKey(this, stage.name, removalPolicy, stage.retainData);

    this.table = new TableV2(this, 'Table', {
      tableName: tableName(stage.name),
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      timeToLiveAttribute: TABLE.ttlAttribute,
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.customerManagedKey(this.key),
      // Restorable for no longer than learner data lives (infra/README "Data lifetime and backups").
      pointInTimeRecoverySpecification: {
        pointInTimeRecoveryEnabled: true,
        recoveryPeriodInDays: pointInTimeRecoveryDays(stage.dataTtlDays),
      },
      deletionProtection: stage.retainData,
      removalPolicy,
    });

    this.registryTable = createRegistryTable(this, 'RegistryTable', {
      stageName: stage.name,
      key: this.key,
      retainData: stage.retainData,
      removalPolicy,
    });

    this.callerAuth = new CallerAuth(this, 'CallerAuth', {
      stageName: stage.name,
      auth: stage.auth,
      removalPolicy,
    });

    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      topicName: `lrs-gateway-${stage.name}-alarms`,
      masterKey: this.alarmKey,
      enforceSSL: true,
    });
    if (stage.alarms.email !== undefined) {
      this.alarmTopic.addSubscription(new EmailSubscription(stage.alarms.email));
    }
  }
}
