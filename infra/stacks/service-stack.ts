/**
 * Stateless resources: the API, one function + queue + DLQ per LRS operation, the platform functions
 * (request and job reads, bulk jobs, certificate expiry check) and the alarms. The stateful resources come in
 * as props from the data stack.
 */

import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { REFERENCE_BUNDLE_FILES } from '../../shared/api/reference-page.js';
import { ENV, METRICS, orgSecretPrefix } from '../../shared/config/names.js';
import {
  DLQ_RETENTION_SECONDS,
  FUNCTION_TIMEOUT_SECONDS,
  LRS_TIMEOUT_MS,
  MAX_RECEIVE_COUNT,
  operationDlqName,
  operationEntry,
  operationQueueName,
  PLATFORM_FUNCTIONS,
  QUEUE_BATCH_SIZE,
  QUEUE_RETENTION_SECONDS,
  QUEUE_VISIBILITY_TIMEOUT_SECONDS,
} from '../../shared/config/resources.js';
import { JOBS_ENV } from '../../shared/jobs/settings.js';
import { kebab, OPERATION_LIST, type OperationId } from '../../shared/lrs/operations.js';
import type { StageConfig } from '../config/stages.js';
import { CallerKeys, GatewayApi, type Route } from '../constructs/gateway-api.js';
import { GatewayFunction } from '../constructs/gateway-function.js';
import { grantReadSecrets, grantTableData } from '../constructs/grants.js';
import { OperationFunction } from '../constructs/operation-function.js';
import { PLATFORM_ROUTES } from '../routes.js';

export interface ServiceStackProps extends StackProps {
  readonly stage: StageConfig;
  readonly table: ITableV2;
  readonly key: IKey;
  readonly organisationSecrets: ReadonlyMap<string, ISecret>;
  readonly alarmTopic: ITopic;
  /** Directory holding the function entries and package-lock.json. Default: the repository root. */
  readonly codeRoot?: string;
}

/** Powertools service name of the certificate-expiry function (the `service` dimension of its metric). */
export const CERTIFICATE_EXPIRY_SERVICE = 'certificate-expiry';
const CERTIFICATE_EXPIRY_TIMEOUT = Duration.seconds(60);

export class ServiceStack extends Stack {
  public readonly operations: ReadonlyMap<OperationId, OperationFunction>;
  public readonly requestsFunction: GatewayFunction;
  public readonly jobsFunction: GatewayFunction;
  public readonly certificateExpiryFunction: GatewayFunction;
  public readonly callerKeys: CallerKeys;
  public readonly api: GatewayApi;
  public readonly certificateExpiryAlarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { stage, table, key, alarmTopic } = props;
    const secrets = stage.organisations.map((org) => {
      const secret = props.organisationSecrets.get(org);
      if (secret === undefined) throw new Error(`ServiceStack: no secret was passed for organisation ${org}`);
      return secret;
    });
    const removalPolicy = stage.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const functionName = (suffix: string) => `lrs-gateway-${stage.name}-${suffix}`;

    this.callerKeys = new CallerKeys(this, 'Callers', { stageName: stage.name, callers: stage.callers });

    const environment = (service: string): Record<string, string> => ({
      [ENV.stage]: stage.name,
      [ENV.tableName]: table.tableName,
      [ENV.lrsEndpoint]: stage.lrsEndpoint,
      [ENV.lrsTimeoutMs]: String(LRS_TIMEOUT_MS),
      [ENV.orgSecretPrefix]: orgSecretPrefix(stage.name),
      [ENV.callerAccess]: this.callerKeys.callerAccessJson(),
      [ENV.dataTtlDays]: String(stage.dataTtlDays),
      [ENV.lrsMaxConcurrency]: String(stage.lrsMaxConcurrency),
      // The queue worker must know which delivery is the last before the DLQ (the queues' redrive policy).
      [JOBS_ENV.maxReceiveCount]: String(MAX_RECEIVE_COUNT),
      [ENV.organisationIds]: JSON.stringify(stage.organisations),
      ...(stage.lrsServiceHours === undefined ? {} : { [ENV.lrsServiceHours]: stage.lrsServiceHours }),
      POWERTOOLS_SERVICE_NAME: service,
      POWERTOOLS_METRICS_NAMESPACE: METRICS.namespace(stage.name),
    });
    const common = {
      codeRoot: props.codeRoot,
      memorySize: stage.functionMemoryMb,
      logRetentionDays: stage.logRetentionDays,
      removalPolicy,
      alarmTopic,
      errorThreshold: stage.alarms.errorThreshold,
    };

    const operations = new Map<OperationId, OperationFunction>();
    for (const operation of OPERATION_LIST) {
      const name = kebab(operation.id);
      operations.set(
        operation.id,
        new OperationFunction(this, `Operation-${operation.id}`, {
          ...common,
          operation,
          functionName: functionName(name),
          entry: operationEntry(operation.id),
          timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS),
          environment: environment(name),
          queueUrlsVariable: ENV.operationQueueUrls,
          queue: {
            queueName: operationQueueName(stage.name, operation.id),
            dlqName: operationDlqName(stage.name, operation.id),
            visibilityTimeout: Duration.seconds(QUEUE_VISIBILITY_TIMEOUT_SECONDS),
            retention: Duration.seconds(QUEUE_RETENTION_SECONDS),
            dlqRetention: Duration.seconds(DLQ_RETENTION_SECONDS),
            maxReceiveCount: MAX_RECEIVE_COUNT,
            batchSize: QUEUE_BATCH_SIZE,
            maxConcurrency: stage.lrsMaxConcurrency,
          },
          table,
          key,
          organisationSecrets: secrets,
        }),
      );
    }
    this.operations = operations;

    this.requestsFunction = new GatewayFunction(this, 'Requests', {
      ...common,
      functionName: functionName('requests'),
      entry: PLATFORM_FUNCTIONS.requests.entry,
      description: 'Reads request outcomes and serves the OpenAPI document and the reference pages',
      timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS),
      environment: environment('requests'),
      bundleFiles: REFERENCE_BUNDLE_FILES,
    });
    grantTableData(this.requestsFunction.role, table, key, 'read');

    const queueUrls = Object.fromEntries([...operations].map(([id, op]) => [id, op.queue.queueUrl]));
    this.jobsFunction = new GatewayFunction(this, 'Jobs', {
      ...common,
      functionName: functionName('jobs'),
      entry: PLATFORM_FUNCTIONS.jobs.entry,
      description: 'Accepts bulk jobs, fans them out to the operation queues and reports their progress',
      timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS),
      // Queue URLs are tokens inside the JSON text; CDK resolves the string into an Fn::Join.
      environment: { ...environment('jobs'), [ENV.operationQueueUrls]: JSON.stringify(queueUrls) },
    });
    grantTableData(this.jobsFunction.role, table, key, 'readWrite');
    for (const op of operations.values()) op.queue.grantSendMessages(this.jobsFunction.role);

    this.certificateExpiryFunction = new GatewayFunction(this, 'CertificateExpiry', {
      ...common,
      functionName: functionName(CERTIFICATE_EXPIRY_SERVICE),
      entry: PLATFORM_FUNCTIONS.certificateExpiry.entry,
      description: 'Daily: publishes the days left on each organisation client certificate',
      timeout: CERTIFICATE_EXPIRY_TIMEOUT,
      environment: environment(CERTIFICATE_EXPIRY_SERVICE),
    });
    grantReadSecrets(this.certificateExpiryFunction.role, secrets, key, this.region);
    new Rule(this, 'CertificateExpirySchedule', {
      description: 'Checks the LRS client certificates every day at 06:00 UTC',
      schedule: Schedule.cron({ minute: '0', hour: '6' }),
      targets: [new LambdaFunction(this.certificateExpiryFunction.function, { retryAttempts: 2 })],
    });

    const action = new SnsAction(alarmTopic);
    this.certificateExpiryAlarms = stage.organisations.map((organisationId) => {
      const alarm = new Alarm(this, `CertificateExpiryAlarm-${organisationId}`, {
        alarmDescription:
          `The LRS client certificate of organisation ${organisationId} expires in ` +
          `${stage.alarms.certificateExpiryDays} days or fewer: request a new one from the LRS and update its secret`,
        metric: new Metric({
          namespace: METRICS.namespace(stage.name),
          metricName: METRICS.certificateDaysRemaining,
          dimensionsMap: {
            service: CERTIFICATE_EXPIRY_SERVICE,
            [METRICS.organisationDimension]: organisationId,
          },
          statistic: 'Minimum',
          period: Duration.days(1),
        }),
        threshold: stage.alarms.certificateExpiryDays,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
        // A daily data point may fall just outside the window: keep the last state. A check that stops
        // running is caught by the function's error alarm.
        treatMissingData: TreatMissingData.IGNORE,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      return alarm;
    });

    const handlers: Record<keyof typeof PLATFORM_FUNCTIONS, IFunction | undefined> = {
      requests: this.requestsFunction.function,
      jobs: this.jobsFunction.function,
      certificateExpiry: undefined,
    };
    const routes: Route[] = [
      ...[...operations.values()].map((op) => ({
        method: op.operation.route.method,
        path: op.operation.route.path,
        handler: op.handler.function,
      })),
      ...PLATFORM_ROUTES.map((r) => {
        const handler = handlers[r.function];
        if (handler === undefined) throw new Error(`ServiceStack: ${r.function} has no HTTP handler`);
        return { method: r.method, path: r.path, handler };
      }),
    ];
    this.api = new GatewayApi(this, 'Api', {
      stageName: stage.name,
      routes,
      callerKeys: this.callerKeys,
      throttle: stage.apiThrottle,
      logRetentionDays: stage.logRetentionDays,
      removalPolicy,
    });

    const apiErrors = new Alarm(this, 'Api5xxAlarm', {
      alarmDescription: `lrs-gateway-${stage.name} API answered with 5xx errors`,
      metric: this.api.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: stage.alarms.errorThreshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    apiErrors.addAlarmAction(action);
    apiErrors.addOkAction(action);

    new CfnOutput(this, 'ApiUrl', {
      value: this.api.api.url,
      description: 'Base URL of the API (append /v1/...)',
    });
    for (const { caller, apiKey } of this.callerKeys.keys) {
      new CfnOutput(this, `CallerKeyId-${caller.name}`, {
        value: apiKey.keyId,
        description: `API key id (caller id) of ${caller.name}; get its value with aws apigateway get-api-key --include-value`,
      });
    }
  }
}
