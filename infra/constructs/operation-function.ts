/**
 * One LRS operation: its function (invoked by API Gateway and by its own queue), the queue and its
 * dead-letter queue, the SQS event source with partial batch responses, least-privilege grants and alarms.
 * Created once per entry of the operation table. Props are checked at synth time.
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { OperationDef } from '../../shared/lrs/contract/operations.js';
import { deadLetterQueue } from '../support/queues.js';
import { GatewayFunction } from './gateway-function.js';
import { DATA_TABLE_INDEXES, grantReadOrgSecrets, grantTableData } from './grants.js';
import { grantRegistryLrsStatusWrite } from './registry.js';

export interface QueueSettings {
  readonly queueName: string;
  readonly dlqName: string;
  readonly visibilityTimeout: Duration;
  readonly retention: Duration;
  readonly dlqRetention: Duration;
  readonly maxReceiveCount: number;
  readonly batchSize: number;
  /** SQS event source maximum concurrency: the most LRS calls in flight from this queue (2-1000). */
  readonly maxConcurrency: number;
}

export interface OperationFunctionProps {
  readonly operation: OperationDef;
  readonly functionName: string;
  readonly entry: string;
  readonly codeRoot?: string;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly queue: QueueSettings;
  /** Environment shared by every function; the construct adds the operation's own queue URL. */
  readonly environment: Readonly<Record<string, string>>;
  readonly table: ITableV2;
  /** The registry (organisations, callers, grants), read only. Encrypted with `key`. */
  readonly registryTable: ITableV2;
  readonly key: IKey;
  /** Organisation secrets: the stage's name prefix pattern and their key; `rolePath` is the readers' IAM path. */
  readonly orgSecrets: { readonly arnPattern: string; readonly key: IKey; readonly rolePath: string };
  readonly logRetentionDays: number;
  readonly removalPolicy: RemovalPolicy;
  readonly alarmTopic: ITopic;
  readonly errorThreshold: number;
  /** Environment variable that carries `{ [operationId]: queueUrl }` (ENV.operationQueueUrls). */
  readonly queueUrlsVariable: string;
}

/** An alarm (to the topic, and back to OK) as soon as `dlq` holds a message. */
export const deadLetterAlarm = (scope: Construct, dlq: Queue, description: string, topic: ITopic): Alarm => {
  const alarm = new Alarm(scope, 'DeadLetterAlarm', {
    alarmDescription: description,
    metric: dlq.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(1),
      statistic: 'Maximum',
    }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  const action = new SnsAction(topic);
  alarm.addAlarmAction(action);
  alarm.addOkAction(action);
  return alarm;
};

/** Throws a message naming each prop and rule that does not hold. */
export function operationFunctionProblems(props: OperationFunctionProps): string[] {
  const problems: string[] = [];
  const q = props.queue;
  const timeout = props.timeout.toSeconds();
  if (timeout < 1 || timeout > 900) problems.push(`timeout must be 1-900 seconds, got ${timeout}`);
  if (q.visibilityTimeout.toSeconds() < 6 * timeout) {
    problems.push(
      `queue.visibilityTimeout (${q.visibilityTimeout.toSeconds()} s) must be at least 6x the function timeout ` +
        `(${6 * timeout} s), or messages are redelivered while still being processed`,
    );
  }
  if (q.visibilityTimeout.toSeconds() > 43_200)
    problems.push('queue.visibilityTimeout must be at most 12 hours');
  if (!Number.isInteger(q.maxReceiveCount) || q.maxReceiveCount < 1 || q.maxReceiveCount > 1000) {
    problems.push(`queue.maxReceiveCount must be an integer from 1 to 1000, got ${q.maxReceiveCount}`);
  }
  if (!Number.isInteger(q.batchSize) || q.batchSize < 1 || q.batchSize > 10) {
    problems.push(`queue.batchSize must be an integer from 1 to 10 (no batching window), got ${q.batchSize}`);
  }
  if (!Number.isInteger(q.maxConcurrency) || q.maxConcurrency < 2 || q.maxConcurrency > 1000) {
    problems.push(`queue.maxConcurrency must be an integer from 2 to 1000, got ${q.maxConcurrency}`);
  }
  if (q.dlqRetention.toSeconds() < q.retention.toSeconds()) {
    problems.push(
      'queue.dlqRetention must be at least queue.retention, or failed messages expire before the queue',
    );
  }
  for (const [name, d] of [
    ['retention', q.retention],
    ['dlqRetention', q.dlqRetention],
  ] as const) {
    if (d.toSeconds() < 60 || d.toSeconds() > 14 * 24 * 3600)
      problems.push(`queue.${name} must be 1 minute-14 days`);
  }
  if (!/:secret:[^*]+\/\*$/.test(props.orgSecrets.arnPattern)) {
    problems.push('orgSecrets.arnPattern must be a secret name prefix pattern ending in "/*"');
  }
  return problems;
}

export class OperationFunction extends Construct {
  public readonly operation: OperationDef;
  public readonly handler: GatewayFunction;
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;
  public readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: OperationFunctionProps) {
    super(scope, id);
    const problems = operationFunctionProblems(props);
    if (problems.length > 0) {
      throw new Error(`${this.node.path} (${props.operation.id}):\n  - ${problems.join('\n  - ')}`);
    }
    this.operation = props.operation;
    const q = props.queue;

    this.deadLetterQueue = deadLetterQueue(this, {
      queueName: q.dlqName,
      retentionPeriod: q.dlqRetention,
      removalPolicy: props.removalPolicy,
      of: 'the operation queue',
    });

    this.queue = new Queue(this, 'Queue', {
      queueName: q.queueName,
      visibilityTimeout: q.visibilityTimeout,
      retentionPeriod: q.retention,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: q.maxReceiveCount },
      removalPolicy: props.removalPolicy,
    });

    this.handler = new GatewayFunction(this, 'Handler', {
      functionName: props.functionName,
      entry: props.entry,
      codeRoot: props.codeRoot,
      description:
        `LRS ${props.operation.lrsName} (${props.operation.service}): ${props.operation.summary}`.slice(
          0,
          256,
        ),
      timeout: props.timeout,
      memorySize: props.memorySize,
      // Only its own queue: the function re-queues delayed polls and retries there.
      environment: {
        ...props.environment,
        // The URL is a token inside the JSON text; CDK turns the string into an Fn::Join.
        [props.queueUrlsVariable]: JSON.stringify({ [props.operation.id]: this.queue.queueUrl }),
      },
      logRetentionDays: props.logRetentionDays,
      removalPolicy: props.removalPolicy,
      alarmTopic: props.alarmTopic,
      errorThreshold: props.errorThreshold,
      rolePath: props.orgSecrets.rolePath,
    });

    this.handler.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: q.batchSize,
        maxConcurrency: q.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
    // The event source grants receive/delete; the function also sends delayed re-polls and retries to its own
    // queue and extends a message's visibility for backoff.
    this.queue.grantSendMessages(this.handler.role);
    this.queue.grant(this.handler.role, 'sqs:ChangeMessageVisibility');
    grantTableData(this.handler.role, props.table, props.key, 'readWrite', DATA_TABLE_INDEXES);
    grantTableData(this.handler.role, props.registryTable, props.key, 'read');
    grantRegistryLrsStatusWrite(this.handler.role, props.registryTable, props.key);
    grantReadOrgSecrets(
      this.handler.role,
      props.orgSecrets.arnPattern,
      props.orgSecrets.key,
      this.queue.stack.region,
    );

    this.deadLetterAlarm = deadLetterAlarm(
      this,
      this.deadLetterQueue,
      `${q.dlqName} holds messages that failed ${q.maxReceiveCount} times`,
      props.alarmTopic,
    );
  }
}
