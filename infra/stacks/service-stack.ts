/**
 * Stateless resources: the API and its caller authorizer, one function + queue + DLQ per LRS operation, the
 * platform functions (request and job reads, bulk jobs, certificate expiry check) and the alarms. The stateful
 * resources come in as props from the data stack. Nothing here names an organisation or a caller: both are
 * run-time data in the registry, so the template is the same for one organisation or a thousand.
 */
import { CfnOutput, Duration, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { REFERENCE_BUNDLE_FILES } from '../../shared/api/reference-page.js';
import { LRS_BUDGET_ENV } from '../../shared/app/lrs-budget.js';
import { ENV, METRICS, orgSecretPrefix } from '../../shared/config/names.js';
import { orgSecretArnPattern, orgSecretReaderRolePath } from '../../shared/config/org-secret-access.js';
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
import { PUBLIC_ROUTES } from '../../shared/config/scopes.js';
import { JOBS_ENV } from '../../shared/jobs/settings.js';
import { kebab, OPERATION_LIST, type OperationId } from '../../shared/lrs/contract/operations.js';
import { PLATFORM_ROUTES } from '../config/routes.js';
import { lrsBudgetOf, type StageConfig } from '../config/stages.js';
import type { TokenVerification } from '../constructs/caller-auth.js';
import { CallerAuthorizer } from '../constructs/caller-authorizer.js';
import { GatewayApi, type Route } from '../constructs/gateway-api.js';
import { GatewayFunction } from '../constructs/gateway-function.js';
import { DATA_TABLE_INDEXES, grantReadOrgSecrets, grantTableData } from '../constructs/grants.js';
import { JobCallbacks } from '../constructs/job-callbacks.js';
import { OperationFunction } from '../constructs/operation-function.js';
import { restrictQueueSenders } from '../constructs/queue-senders.js';
import { grantRegistryList } from '../constructs/registry.js';

export interface ServiceStackProps extends StackProps {
  readonly stage: StageConfig;
  readonly table: ITableV2;
  /** The organisation and caller registry (read by every function; written only by the admin CLI). */
  readonly registryTable: ITableV2;
  /** The key of both tables. */
  readonly key: IKey;
  /** The key of the organisation secrets (created at run time under `lrs-gateway/<stage>/org/`). */
  readonly orgSecretsKey: IKey;
  /** How the authorizer verifies caller tokens (the stage's Cognito pool or another OIDC issuer). */
  readonly tokenVerification: TokenVerification;
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
  public readonly jobCallbacks: JobCallbacks;
  public readonly authorizer: CallerAuthorizer;
  public readonly api: GatewayApi;
  public readonly certificateExpiryAlarm: Alarm;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { stage, table, registryTable, key, alarmTopic } = props;
    // The functions that call the LRS (and the certificate check) may read organisation secrets: only those
    // under the stage's prefix, and only through roles under the readers' IAM path, which the key policy and
    // each secret's resource policy name.
    const orgSecrets = {
      arnPattern: orgSecretArnPattern(
        { partition: this.partition, region: this.region, account: this.account },
        stage.name,
      ),
      key: props.orgSecretsKey,
      rolePath: orgSecretReaderRolePath(stage.name),
    };
    const removalPolicy = stage.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const functionName = (suffix: string) => `lrs-gateway-${stage.name}-${suffix}`;

    const environment = (service: string): Record<string, string> => ({
      [ENV.stage]: stage.name,
      [ENV.tableName]: table.tableName,
      [ENV.registryTableName]: registryTable.tableName,
      [ENV.lrsEndpoint]: stage.lrsEndpoint,
      [ENV.lrsTimeoutMs]: String(LRS_TIMEOUT_MS),
      [ENV.orgSecretPrefix]: orgSecretPrefix(stage.name),
      [ENV.dataTtlDays]: String(stage.dataTtlDays),
      [ENV.lrsMaxConcurrency]: String(stage.lrsMaxConcurrency),
      // One budget of LRS calls in flight for the whole stage, HTTP and queues together.
      [LRS_BUDGET_ENV.limit]: String(lrsBudgetOf(stage)),
      ...(stage.lrsBudgetOrganisations
        ? { [LRS_BUDGET_ENV.organisations]: stage.lrsBudgetOrganisations }
        : {}),
      // The queue worker must know which delivery is the last before the DLQ (the queues' redrive policy).
      [JOBS_ENV.maxReceiveCount]: String(MAX_RECEIVE_COUNT),
      ...(stage.lrsServiceHours === undefined ? {} : { [ENV.lrsServiceHours]: stage.lrsServiceHours }),
      POWERTOOLS_SERVICE_NAME: service,
      POWERTOOLS_METRICS_NAMESPACE: METRICS.namespace(stage.name),
    });
    const baseEnvironment = environment;
    this.jobCallbacks = new JobCallbacks(this, 'JobCallbacks', {
      stageName: stage.name,
      functionName: functionName('job-callbacks'),
      codeRoot: props.codeRoot,
      memorySize: stage.functionMemoryMb,
      environment: baseEnvironment('job-callbacks'),
      table,
      key,
      logRetentionDays: stage.logRetentionDays,
      removalPolicy,
      alarmTopic,
      errorThreshold: stage.alarms.errorThreshold,
    });
    const callbacksEnvironment = this.jobCallbacks.environment;
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
          // Settling a job's last item queues its callback.
          environment: { ...environment(name), ...callbacksEnvironment },
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
          registryTable,
          key,
          orgSecrets,
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
    grantTableData(this.requestsFunction.role, table, key, 'read', DATA_TABLE_INDEXES);
    grantTableData(this.requestsFunction.role, registryTable, key, 'read');

    const queueUrls = Object.fromEntries([...operations].map(([id, op]) => [id, op.queue.queueUrl]));
    this.jobsFunction = new GatewayFunction(this, 'Jobs', {
      ...common,
      functionName: functionName('jobs'),
      entry: PLATFORM_FUNCTIONS.jobs.entry,
      description: 'Accepts bulk jobs, fans them out to the operation queues and reports their progress',
      timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS),
      // Queue URLs are tokens inside the JSON text; CDK resolves the string into an Fn::Join.
      environment: {
        ...environment('jobs'),
        ...callbacksEnvironment,
        [ENV.operationQueueUrls]: JSON.stringify(queueUrls),
      },
    });
    grantTableData(this.jobsFunction.role, table, key, 'readWrite', DATA_TABLE_INDEXES);
    grantTableData(this.jobsFunction.role, registryTable, key, 'read');
    for (const op of operations.values()) {
      op.queue.grantSendMessages(this.jobsFunction.role);
      // Only the gateway's own roles and registered callers may send; the worker trusts the callers named in
      // messages from its own role and the jobs function's, and checks every other sender against the registry.
      const gatewayRoles = [op.handler.role, this.jobsFunction.role];
      restrictQueueSenders(op.queue, {
        stageName: stage.name,
        gatewayRoles,
        callerArns: stage.queueSenderArns,
      });
      op.handler.function.addEnvironment(
        ENV.trustedSenderIds,
        Fn.join(
          ',',
          gatewayRoles.map((role) => role.roleId),
        ),
      );
    }
    this.jobCallbacks.queue.grantSendMessages(this.jobsFunction.role);
    this.jobCallbacks.grantReadSecrets(this.jobsFunction);
    for (const op of operations.values()) this.jobCallbacks.queue.grantSendMessages(op.handler.role);
    // The outbox sweep: resumes fan-outs cut short and hands off callbacks a crash left behind.
    new Rule(this, 'JobsOutboxSweep', {
      description: 'Every minute: resume interrupted job fan-outs and queue callbacks left behind',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(this.jobsFunction.function, { retryAttempts: 0 })],
    });

    this.certificateExpiryFunction = new GatewayFunction(this, 'CertificateExpiry', {
      ...common,
      functionName: functionName(CERTIFICATE_EXPIRY_SERVICE),
      entry: PLATFORM_FUNCTIONS.certificateExpiry.entry,
      description: 'Daily: publishes the days left on each organisation client certificate',
      timeout: CERTIFICATE_EXPIRY_TIMEOUT,
      environment: environment(CERTIFICATE_EXPIRY_SERVICE),
      rolePath: orgSecrets.rolePath,
    });
    grantTableData(this.certificateExpiryFunction.role, registryTable, key, 'read');
    grantRegistryList(this.certificateExpiryFunction.role, registryTable);
    grantReadOrgSecrets(
      this.certificateExpiryFunction.role,
      orgSecrets.arnPattern,
      orgSecrets.key,
      this.region,
    );
    new Rule(this, 'CertificateExpirySchedule', {
      description: 'Checks the LRS client certificates every day at 06:00 UTC',
      schedule: Schedule.cron({ minute: '0', hour: '6' }),
      targets: [new LambdaFunction(this.certificateExpiryFunction.function, { retryAttempts: 2 })],
    });

    const action = new SnsAction(alarmTopic);
    // One alarm for every organisation, present or future: the lowest days left over all of them (a Metrics
    // Insights query over the per-organisation data points). The metric names the organisation that is short.
    this.certificateExpiryAlarm = new Alarm(this, 'CertificateExpiryAlarm', {
      alarmDescription:
        `An organisation's LRS client certificate expires in ${stage.alarms.certificateExpiryDays} days or fewer: ` +
        `find it in metric ${METRICS.certificateDaysRemaining} by ${METRICS.organisationDimension}, request a new ` +
        'certificate from the LRS and rotate it with npm run admin (infra/README.md)',
      metric: new MathExpression({
        label: 'Fewest days left on any organisation certificate',
        expression:
          `SELECT MIN(${METRICS.certificateDaysRemaining}) ` +
          `FROM SCHEMA("${METRICS.namespace(stage.name)}", ${METRICS.organisationDimension}, service) ` +
          `WHERE service = '${CERTIFICATE_EXPIRY_SERVICE}'`,
        usingMetrics: {},
        period: Duration.hours(1),
      }),
      threshold: stage.alarms.certificateExpiryDays,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
      // A data point arrives once a day: keep the last state in between. A check that stops running is caught
      // by the function's error alarm.
      treatMissingData: TreatMissingData.IGNORE,
    });
    this.certificateExpiryAlarm.addAlarmAction(action);
    this.certificateExpiryAlarm.addOkAction(action);

    const handlers: Record<keyof typeof PLATFORM_FUNCTIONS, IFunction | undefined> = {
      requests: this.requestsFunction.function,
      jobs: this.jobsFunction.function,
      certificateExpiry: undefined,
      jobCallbacks: undefined,
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
    this.authorizer = new CallerAuthorizer(this, 'CallerAuthorizer', {
      ...common,
      functionName: functionName('authorizer'),
      environment: environment('authorizer'),
      tokenVerification: props.tokenVerification,
      registryTable,
      key,
    });
    this.api = new GatewayApi(this, 'Api', {
      stageName: stage.name,
      routes,
      publicRoutes: PUBLIC_ROUTES,
      authorizer: this.authorizer.authorizer,
      usageTiers: stage.usageTiers,
      requireUsageKey: stage.requireUsageKey ?? false,
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
    for (const [tier, plan] of this.api.usagePlans) {
      new CfnOutput(
        this,
        `UsagePlanId${tier.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase())}`,
        {
          value: plan.usagePlanId,
          description: `Usage plan of tier ${tier}: npm run admin adds the usage key of each caller of this tier`,
        },
      );
    }
  }
}
