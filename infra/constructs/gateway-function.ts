/**
 * A Lambda function with the defaults every lrs-gateway function shares: Node 22 on ARM64, ESM bundle made
 * locally by esbuild, X-Ray tracing, JSON logs in its own log group with a retention, its own role (no
 * managed policies), and alarms on errors and throttles. No business logic: the code lives in functions/.
 */

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { LEFT_OUT_MODULES, type LeftOutModule } from '../bundling/left-out.js';
import { acknowledge } from '../support/nag.js';
import { REPO_ROOT } from '../support/paths.js';

/** ESM bundles need `require` for the CommonJS dependencies esbuild leaves as dynamic requires. */
export const ESM_REQUIRE_BANNER =
  "import{createRequire}from'module';const require=createRequire(import.meta.url);";

/** The stand-in esbuild bundles instead of a module soap loads but never uses here (infra/bundling/left-out.ts). */
export const leftOutStandIn = (module: LeftOutModule): string =>
  join(REPO_ROOT, 'infra', 'bundling', 'left-out', `${module}.ts`);

/**
 * The SDK clients' default credential chain, bundled as the environment link alone: the credentials Lambda
 * gives a function are in its environment, and the other links with the clients they load are ~90 KB of
 * every bundle (infra/bundling/env-credentials.ts).
 */
export const CREDENTIALS_ALIAS = `@aws-sdk/credential-provider-node=${join(REPO_ROOT, 'infra', 'bundling', 'env-credentials.ts')}`;

/**
 * soap's `debug` loggers, silent in the bundles: the real package's colour probe and environment scan stay
 * out of the cold start (infra/bundling/silent-debug.ts).
 */
export const DEBUG_ALIAS = `debug=${join(REPO_ROOT, 'infra', 'bundling', 'silent-debug.ts')}`;

/**
 * How every function is bundled (exported so that the benchmark builds the very same production bundles).
 * The modules soap needs only for WS-Security, NTLM, attachments and its own axios client are aliased to
 * stand-ins that throw if called (~530 KB of the bundle, and axios's fetch probe at load time), and its
 * `debug` loggers to silent ones. The test
 * test/integration/adapter/bundled-handlers.test.ts runs every bundled handler against the simulator to
 * prove that none of them is reached.
 */
export const FUNCTION_BUNDLING = {
  format: OutputFormat.ESM,
  target: 'node22',
  mainFields: ['module', 'main'],
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  banner: ESM_REQUIRE_BANNER,
  // Bundle the pinned AWS SDK too, rather than the runtime's copy: the code runs what the lockfile says.
  externalModules: [],
  loader: { '.wsdl': 'text', '.xsd': 'text' },
  // An absolute path: esbuild resolves an alias in its working directory, and a codeRoot may be elsewhere.
  esbuildArgs: {
    '--alias': [
      ...(Object.keys(LEFT_OUT_MODULES) as LeftOutModule[]).map((m) => `${m}=${leftOutStandIn(m)}`),
      CREDENTIALS_ALIAS,
      DEBUG_ALIAS,
    ],
  },
} as const satisfies BundlingOptions;

/**
 * Environment every function gets before its own variables. No `--enable-source-maps`: reading the map
 * at start costs about 17 ms of every cold start (bench/README), the logs never carry a stack, and the
 * `.map` ships beside the bundle, so a crash's stack is mapped afterwards (`npm run map-stack`).
 */
export const FUNCTION_BASE_ENVIRONMENT: Readonly<Record<string, string>> = {};

export interface GatewayFunctionProps {
  /** Physical function name (1-64 characters). */
  readonly functionName: string;
  /** Entry file relative to `codeRoot` (e.g. `functions/find-learner-by-uln/handler.ts`). */
  readonly entry: string;
  /** Directory holding the entries and package-lock.json. Default: the repository root. */
  readonly codeRoot?: string;
  readonly description: string;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetentionDays: number;
  readonly removalPolicy: RemovalPolicy;
  readonly alarmTopic: ITopic;
  /** Errors in 5 minutes that raise the error alarm. */
  readonly errorThreshold: number;
  /** Files copied into the bundle: path in the bundle → path under `codeRoot` (e.g. the reference pages). */
  readonly bundleFiles?: Readonly<Record<string, string>>;
  /** IAM path of the function's role (e.g. the organisation secret readers' path). Default `/`. */
  readonly rolePath?: string;
}

/** esbuild hooks that copy `files` into the bundle after it is built. */
const copyIntoBundle = (
  files: Readonly<Record<string, string>>,
): NonNullable<BundlingOptions['commandHooks']> => ({
  beforeBundling: () => [],
  beforeInstall: () => [],
  afterBundling: (inputDir, outputDir) =>
    Object.entries(files).map(
      ([to, from]) =>
        `mkdir -p "${dirname(join(outputDir, to))}" && cp "${join(inputDir, from)}" "${join(outputDir, to)}"`,
    ),
});

export class GatewayFunction extends Construct {
  public readonly function: NodejsFunction;
  public readonly role: Role;
  public readonly logGroup: LogGroup;
  public readonly errorsAlarm: Alarm;
  public readonly throttlesAlarm: Alarm;

  constructor(scope: Construct, id: string, props: GatewayFunctionProps) {
    super(scope, id);
    if (!/^[a-zA-Z0-9-_]{1,64}$/.test(props.functionName)) {
      throw new Error(
        `${this.node.path}: functionName "${props.functionName}" must be 1-64 letters, digits, - or _`,
      );
    }
    const codeRoot = props.codeRoot ?? REPO_ROOT;
    const entry = join(codeRoot, props.entry);
    if (!existsSync(entry)) {
      throw new Error(`${this.node.path}: entry file ${props.entry} does not exist`);
    }
    if (!Number.isInteger(props.memorySize) || props.memorySize < 128 || props.memorySize > 10240) {
      throw new Error(
        `${this.node.path}: memorySize must be an integer from 128 to 10240 MB, got ${props.memorySize}`,
      );
    }

    // CloudFormation names the log group: a retained group (test, live) never blocks a redeploy of the stack.
    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetentionDays,
      removalPolicy: props.removalPolicy,
    });

    // Our own role instead of AWSLambdaBasicExecutionRole: it may write only to its own log group.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.functionName}`,
      path: props.rolePath,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      functionName: props.functionName,
      description: props.description,
      entry,
      handler: 'handler',
      projectRoot: codeRoot,
      depsLockFilePath: join(codeRoot, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: { ...FUNCTION_BASE_ENVIRONMENT, ...props.environment },
      bundling: props.bundleFiles
        ? { ...FUNCTION_BUNDLING, commandHooks: copyIntoBundle(props.bundleFiles) }
        : FUNCTION_BUNDLING,
    });
    acknowledge(
      this.role,
      'AwsSolutions-IAM5[Resource::*]',
      'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions; data and secret ' +
        'grants are scoped to named resources (checked by test/infra).',
    );
    acknowledge(
      this.function,
      'AwsSolutions-L1',
      'Node.js 22 is the newest runtime the code is tested against (local development runs Node 20).',
    );

    const action = new SnsAction(props.alarmTopic);
    this.errorsAlarm = new Alarm(this, 'ErrorsAlarm', {
      alarmDescription: `${props.functionName} failed ${props.errorThreshold}+ times in 5 minutes`,
      metric: this.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: props.errorThreshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.throttlesAlarm = new Alarm(this, 'ThrottlesAlarm', {
      alarmDescription: `${props.functionName} was throttled`,
      metric: this.function.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [this.errorsAlarm, this.throttlesAlarm]) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }
}
