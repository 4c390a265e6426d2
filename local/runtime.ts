/**
 * The whole local runtime in one process: the LRS simulator over mutual TLS, the AWS emulators, the
 * deployed resources recreated on them, the functions' environment, the API Gateway stand-in and the SQS
 * pollers. Used by `npm start` (local/start.ts) and by the integration tests (test/support/local-stack.ts).
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, SQSEvent } from 'aws-lambda';
import { DynamoDbRegistry } from '../shared/adapters/dynamodb-registry.js';
import { registryTableName } from '../shared/config/names.js';
import { operationEntry, PLATFORM_FUNCTIONS } from '../shared/config/resources.js';
import { kebab, type OperationId } from '../shared/lrs/contract/operations.js';
import type { CertificateSet } from '../simulator/certs.js';
import { startSimulator } from '../simulator/index.js';
import { SIMULATOR_ORGANISATIONS } from '../simulator/seed.js';
import { type ApiRoute, type ApiServer, gatewayRoutes, startApiServer } from './api-server.js';
import type { AuthorizerHandler } from './authorizer-stand-in.js';
import {
  type EmulatorPorts,
  type Emulators,
  PortInUseError,
  type RunningEmulator,
  startEmulators,
} from './emulators.js';
import { type AsyncHandler, handlerLoader, lambdaContext, loadedFunctionEntries } from './lambda.js';
import { type Poller, startPoller } from './poller.js';
import {
  type CreateLocalResourcesOptions,
  createLocalResources,
  type LocalCaller,
  type LocalOrganisation,
  type LocalResources,
} from './resources.js';
import { startTokenIssuer, type TokenIssuer } from './token-issuer.js';

/** The authorizer function's entry (its module reads the token issuer and registry from process.env). */
export const AUTHORIZER_ENTRY = 'functions/authorizer/handler.ts';

export type Simulator = Awaited<ReturnType<typeof startSimulator>>;
export type SimulatorOptions = NonNullable<Parameters<typeof startSimulator>[0]>;

/** The settings the runtime hands on to the resources it creates (the deployed values by default). */
type ResourceSettings = Pick<
  CreateLocalResourcesOptions,
  | 'certificateFormat'
  | 'operations'
  | 'visibilityTimeoutSeconds'
  | 'maxReceiveCount'
  | 'lrsTimeoutMs'
  | 'dataTtlDays'
  | 'lrsMaxConcurrency'
>;

export interface LocalRuntimeOptions extends ResourceSettings {
  readonly stage: string;
  readonly certificates: CertificateSet;
  readonly region?: string;
  readonly ports?: EmulatorPorts & {
    readonly api?: number;
    readonly simulator?: number;
    readonly token?: number;
  };
  /** Added to a port-in-use error (e.g. which env var changes the port). */
  readonly portHints?: Partial<
    Record<'api' | 'simulator' | 'dynamodb' | 'sqs' | 'secretsManager' | 'token', string>
  >;
  /** A DynamoDB emulator running elsewhere (its own process) to use instead of one in this process. */
  readonly dynamodb?: RunningEmulator;
  /** How long the functions reuse a registry read (default 30 s). */
  readonly registryCacheSeconds?: number;
  /** Start the API Gateway stand-in (default true). */
  readonly api?: boolean;
  /** Start the SQS pollers (default true). */
  readonly pollers?: boolean;
  /** Which of the simulator's organisations to seed (ids as the gateway keys them; default all). */
  readonly organisations?: readonly string[];
  /** Callers (OAuth clients) seeded in the registry; default: one caller for every seeded organisation. */
  readonly callers?: readonly LocalCaller[];
  /** Replace the API routes (default: every operation and platform route, see gatewayRoutes()). */
  readonly routes?: readonly ApiRoute[];
  /** Replace the function a queue's poller calls (default: the operation's function entry). */
  readonly queueHandler?: (id: OperationId) => () => Promise<AsyncHandler<SQSEvent, unknown>>;
  /** Extra simulator options (behaviour, seed…); port and certificates are set from this runtime. */
  readonly simulator?: Partial<SimulatorOptions>;
  /** Write the functions' env into process.env (default true); restored by stop(). */
  readonly setProcessEnv?: boolean;
  /** Long-poll wait of the pollers (default 20 s, as the event source mapping). */
  readonly pollWaitTimeSeconds?: number;
  /**
   * How often the jobs function's outbox sweep runs (the deployed EventBridge schedule: every minute).
   * Default 60000 when the pollers run; 0 turns it off.
   */
  readonly sweepIntervalMs?: number;
  /** Request lines of the API server and poller failures (never bodies). Default: none. */
  readonly log?: (line: string) => void;
}

export interface LocalRuntime {
  readonly stage: string;
  readonly simulator: Simulator;
  readonly emulators: Emulators;
  readonly resources: LocalResources;
  readonly organisations: readonly LocalOrganisation[];
  readonly callers: readonly LocalCaller[];
  /** The local OAuth token endpoint and JWKS. */
  readonly tokenIssuer: TokenIssuer;
  /** The functions' environment (also in process.env unless setProcessEnv was false). */
  readonly env: Readonly<Record<string, string>>;
  readonly api?: ApiServer;
  readonly poller?: Poller;
  /** An SQS client aimed at the emulator (explicit endpoint). */
  readonly sqs: SQSClient;
  stop(): Promise<void>;
}

/**
 * The organisation id the gateway knows an organisation by: its UKPRN, or its organisation reference when
 * it has no UKPRN (the rule of shared/ports/credentials.ts and X-LRS-Organisation).
 */
export const gatewayOrganisationId = (org: {
  readonly organisationId: string;
  readonly ukprn?: string;
  readonly organisationRef?: string;
}): string => org.ukprn ?? org.organisationRef ?? org.organisationId;

/** The simulator's seeded organisations, keyed as the gateway keys them. */
export const seededOrganisations = (): LocalOrganisation[] =>
  SIMULATOR_ORGANISATIONS.map((o) => ({
    organisationId: gatewayOrganisationId(o),
    ...(o.ukprn !== undefined ? { ukprn: o.ukprn } : {}),
    ...(o.organisationRef !== undefined ? { organisationRef: o.organisationRef } : {}),
    orgPassword: o.orgPassword,
    userName: o.userName,
    vendorId: o.vendorId,
  }));

/** The local seed's caller: every scope, every seeded organisation. */
export const LOCAL_CALLER_ID = 'local-mis';

/** A caller that may act for every seeded organisation, with a fresh random secret unless one is given. */
export const defaultCallers = (clientSecret = randomBytes(24).toString('base64url')): LocalCaller[] => [
  { clientId: LOCAL_CALLER_ID, clientSecret, name: 'Local MIS', organisations: ['*'] },
];

export const startLocalRuntime = async (options: LocalRuntimeOptions): Promise<LocalRuntime> => {
  const stoppers: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    const errors: unknown[] = [];
    for (const stop of stoppers.splice(0).reverse()) await stop().catch((e: unknown) => errors.push(e));
    if (errors.length > 0) throw errors[0];
  };
  const alreadyLoaded = loadedFunctionEntries();
  if ((options.setProcessEnv ?? true) && alreadyLoaded.length > 0) {
    // Their module-scope config and SDK clients still point at the earlier runtime's table and ports.
    throw new Error(
      `Function modules (${alreadyLoaded.join(', ')}) were already loaded in this process with an earlier ` +
        "local runtime's configuration. Start one local runtime per process (one stack per test file).",
    );
  }
  try {
    const certs = options.certificates;
    const simulatorPort = options.ports?.simulator ?? 0;
    const simulator = await startSimulator({ ...options.simulator, certs, port: simulatorPort }).catch(
      (error: NodeJS.ErrnoException) => {
        throw error.code === 'EADDRINUSE'
          ? new PortInUseError('the LRS simulator', simulatorPort, options.portHints?.simulator)
          : error;
      },
    );
    stoppers.push(() => simulator.close());

    const emulators = await startEmulators({
      ...(options.region ? { region: options.region } : {}),
      ...(options.dynamodb ? { dynamodb: options.dynamodb } : {}),
      ...(options.ports ? { ports: options.ports } : {}),
      ...(options.portHints ? { portHints: options.portHints } : {}),
    });
    stoppers.push(() => emulators.close());

    const registryClient = new DynamoDBClient({
      region: emulators.region,
      endpoint: emulators.dynamodb.url,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    stoppers.push(async () => registryClient.destroy());
    const tokenIssuer = await startTokenIssuer({
      registry: new DynamoDbRegistry({ tableName: registryTableName(options.stage), client: registryClient }),
      ...(options.ports?.token !== undefined ? { port: options.ports.token } : {}),
      ...(options.portHints?.token ? { portHint: options.portHints.token } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    stoppers.push(() => tokenIssuer.close());

    const organisations = seededOrganisations().filter(
      (o) => options.organisations === undefined || options.organisations.includes(o.organisationId),
    );
    const callers = options.callers ?? defaultCallers();
    const resources = await createLocalResources({
      tokenIssuer,
      ...(options.registryCacheSeconds !== undefined
        ? { registryCacheSeconds: options.registryCacheSeconds }
        : {}),
      emulators,
      stage: options.stage,
      lrsEndpoint: simulator.url,
      organisations,
      certificates: certs,
      callers,
      ...(options.certificateFormat ? { certificateFormat: options.certificateFormat } : {}),
      ...(options.operations ? { operations: options.operations } : {}),
      ...(options.visibilityTimeoutSeconds !== undefined
        ? { visibilityTimeoutSeconds: options.visibilityTimeoutSeconds }
        : {}),
      ...(options.maxReceiveCount !== undefined ? { maxReceiveCount: options.maxReceiveCount } : {}),
      ...(options.lrsTimeoutMs !== undefined ? { lrsTimeoutMs: options.lrsTimeoutMs } : {}),
      ...(options.dataTtlDays !== undefined ? { dataTtlDays: options.dataTtlDays } : {}),
      ...(options.lrsMaxConcurrency !== undefined ? { lrsMaxConcurrency: options.lrsMaxConcurrency } : {}),
    });

    // The functions read their config when their module first loads: set env before any import.
    if (options.setProcessEnv ?? true) {
      const previous = new Map(Object.keys(resources.env).map((k) => [k, process.env[k]]));
      Object.assign(process.env, resources.env);
      stoppers.push(async () => {
        for (const [k, v] of previous) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      });
    }

    const sqs = new SQSClient({
      region: emulators.region,
      endpoint: emulators.sqs.url,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    stoppers.push(async () => sqs.destroy());

    let api: ApiServer | undefined;
    if (options.api ?? true) {
      api = await startApiServer({
        routes: options.routes ?? gatewayRoutes(),
        authorizer: handlerLoader<Parameters<AuthorizerHandler>[0], Awaited<ReturnType<AuthorizerHandler>>>(
          AUTHORIZER_ENTRY,
        ),
        region: emulators.region,
        ...(options.ports?.api !== undefined ? { port: options.ports.api } : {}),
        ...(options.portHints?.api ? { portHint: options.portHints.api } : {}),
        ...(options.log ? { log: options.log } : {}),
      });
      stoppers.push(() => (api as ApiServer).close());
    }

    let poller: Poller | undefined;
    if (options.pollers ?? true) {
      const handlerFor =
        options.queueHandler ?? ((id: OperationId) => handlerLoader<SQSEvent, unknown>(operationEntry(id)));
      poller = startPoller({
        sqs,
        region: emulators.region,
        maxConcurrency: resources.lrsMaxConcurrency,
        ...(options.pollWaitTimeSeconds !== undefined
          ? { waitTimeSeconds: options.pollWaitTimeSeconds }
          : {}),
        ...(options.log ? { log: options.log } : {}),
        subscriptions: [
          ...(Object.keys(resources.queueUrls) as OperationId[]).map((id) => ({
            name: kebab(id),
            queueUrl: resources.queueUrls[id],
            queueArn: resources.queueArns[id],
            handler: handlerFor(id),
          })),
          {
            name: 'job-callbacks',
            queueUrl: resources.callbackQueueUrl,
            queueArn: resources.callbackQueueArn,
            handler: handlerLoader<SQSEvent, unknown>(PLATFORM_FUNCTIONS.jobCallbacks.entry),
          },
        ],
      });
      stoppers.push(() => (poller as Poller).stop());
      const every = options.sweepIntervalMs ?? 60_000;
      if (every > 0) {
        const jobsHandler = handlerLoader<unknown, unknown>(PLATFORM_FUNCTIONS.jobs.entry);
        const timer = setInterval(() => {
          const event = { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} };
          void jobsHandler()
            .then((h) => h(event, lambdaContext('jobs', emulators.region)))
            .catch((e: unknown) => options.log?.(`outbox sweep failed: ${(e as Error).name}`));
        }, every);
        timer.unref();
        stoppers.push(async () => clearInterval(timer));
      }
    }

    return {
      stage: options.stage,
      simulator,
      emulators,
      resources,
      organisations,
      callers,
      tokenIssuer,
      env: resources.env,
      ...(api ? { api } : {}),
      ...(poller ? { poller } : {}),
      sqs,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
};

/** Handler types re-exported for callers that pass their own routes or queue handlers. */
export type { APIGatewayProxyEvent, APIGatewayProxyResult };
