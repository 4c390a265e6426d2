/**
 * Job callbacks: the queue of delivery attempts (one message each, delayed for the backoff), its
 * dead-letter queue with an alarm, and the job-callbacks function it triggers, which signs each event with
 * its caller's secret (`lrs-gateway/<stage>/callback/<caller>`, created by the operator, encrypted with the
 * stage key) and POSTs it to the job's callbackUrl.
 */
import { Arn, ArnFormat, Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  callbackDlqName,
  callbackQueueName,
  callbackSecretPrefix,
  PLATFORM_FUNCTIONS,
} from '../../shared/config/resources.js';
import { CALLBACK_ENV } from '../../shared/jobs/callback-settings.js';
import { acknowledge } from '../support/nag.js';
import { deadLetterQueue } from '../support/queues.js';
import { GatewayFunction } from './gateway-function.js';
import { DATA_TABLE_INDEXES, grantTableData, nagResourceId } from './grants.js';
import { deadLetterAlarm } from './operation-function.js';

export interface JobCallbacksProps {
  readonly stageName: string;
  readonly functionName: string;
  readonly codeRoot?: string;
  readonly memorySize: number;
  /** The environment every function gets (the construct adds its queue and secret prefix). */
  readonly environment: Readonly<Record<string, string>>;
  readonly table: ITableV2;
  readonly key: IKey;
  readonly logRetentionDays: number;
  readonly removalPolicy: RemovalPolicy;
  readonly alarmTopic: ITopic;
  readonly errorThreshold: number;
}

export class JobCallbacks extends Construct {
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;
  public readonly handler: GatewayFunction;
  public readonly deadLetterAlarm: Alarm;
  /** What every function that queues or checks callbacks needs in its environment. */
  public readonly environment: Readonly<Record<string, string>>;
  private readonly secretPrefix: string;
  private readonly key: IKey;

  constructor(scope: Construct, id: string, props: JobCallbacksProps) {
    super(scope, id);
    this.secretPrefix = callbackSecretPrefix(props.stageName);
    this.key = props.key;
    this.deadLetterQueue = deadLetterQueue(this, {
      queueName: callbackDlqName(props.stageName),
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy,
      of: 'the callback queue',
    });
    this.queue = new Queue(this, 'Queue', {
      queueName: callbackQueueName(props.stageName),
      // Six times the function timeout, as for the operation queues.
      visibilityTimeout: Duration.seconds(180),
      retentionPeriod: Duration.days(4),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Attempts are new messages: only a message the function keeps failing on (a bug) gets here.
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
      removalPolicy: props.removalPolicy,
    });
    this.environment = {
      [CALLBACK_ENV.queueUrl]: this.queue.queueUrl,
      [CALLBACK_ENV.secretPrefix]: this.secretPrefix,
    };
    this.handler = new GatewayFunction(this, 'Handler', {
      functionName: props.functionName,
      entry: PLATFORM_FUNCTIONS.jobCallbacks.entry,
      codeRoot: props.codeRoot,
      description: 'Delivers signed job callbacks to the MIS, retrying with backoff for 24 hours',
      timeout: Duration.seconds(30),
      memorySize: props.memorySize,
      environment: { ...props.environment, ...this.environment },
      logRetentionDays: props.logRetentionDays,
      removalPolicy: props.removalPolicy,
      alarmTopic: props.alarmTopic,
      errorThreshold: props.errorThreshold,
    });
    this.handler.function.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 10, maxConcurrency: 5, reportBatchItemFailures: true }),
    );
    this.queue.grantSendMessages(this.handler.role);
    grantTableData(this.handler.role, props.table, props.key, 'readWrite', DATA_TABLE_INDEXES);
    this.grantReadSecrets(this.handler);

    this.deadLetterAlarm = deadLetterAlarm(
      this,
      this.deadLetterQueue,
      `${callbackDlqName(props.stageName)} holds callback messages the function failed on`,
      props.alarmTopic,
    );
  }

  /** Read the callers' signing secrets (the stage's callback prefix only), decrypted through Secrets Manager. */
  grantReadSecrets(fn: GatewayFunction): void {
    const grantee = fn.role;
    const stack = Stack.of(this);
    const resourceName = `${this.secretPrefix}*`;
    const secretArnPattern = Arn.format(
      {
        service: 'secretsmanager',
        resource: 'secret',
        resourceName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      },
      stack,
    );
    // On an environment-agnostic stage (dev without CDK_DEFAULT_ACCOUNT) the account is a token: name it the
    // way cdk-nag does, or the acknowledgement id does not resolve to a string.
    acknowledge(
      fn,
      `AwsSolutions-IAM5[Resource::${nagResourceId(fn, secretArnPattern)}]`,
      'Callers are registered at run time: their signing secrets are read by the stage prefix only (the pattern for per-tenant key material), decrypted only through Secrets Manager.',
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secretArnPattern] }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [this.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` } },
      }),
    );
  }
}
