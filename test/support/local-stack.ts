/**
 * The integration-test stack: the LRS simulator over mutual TLS, DynamoDB/SQS/Secrets Manager emulators
 * on 127.0.0.1 with ephemeral ports, the deployed resources recreated under a unique stage name, the
 * organisation secrets seeded, the functions' env in process.env, and (optionally) the API Gateway
 * stand-in and the SQS pollers running the real handlers in-process.
 *
 * Usage (one stack per test file: vitest runs each file in its own process, and the functions read their
 * config once, when their module is first imported):
 *
 *   let stack: LocalStack;
 *   beforeAll(async () => { stack = await startLocalStack(); });
 *   afterAll(async () => { await stack?.stop(); });
 *   const res = await fetch(`${stack.apiUrl}/v1/learners/find-by-demographics`, {
 *     method: 'POST', headers: stack.headers('TEST0001'), body: JSON.stringify({...}) });
 *
 * Import handler modules (or anything that loads shared/config at import time) only after
 * startLocalStack() resolved, e.g. with `await import('../../functions/jobs/handler.js')`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type LocalCaller, type LocalOrganisation, uniqueStage } from '../../local/resources.js';
import { type LocalRuntimeOptions, type Simulator, startLocalRuntime } from '../../local/runtime.js';
import { clientCredentialsToken } from '../../local/token-client.js';
import type { TokenIssuer } from '../../local/token-issuer.js';
import type { OperationId } from '../../shared/lrs/contract/operations.js';
import { testCertificates } from '../certs.js';
import { useFileFixture } from './file-fixture.js';

export interface LocalStackOptions extends Partial<Omit<LocalRuntimeOptions, 'certificates'>> {}

export interface LocalStack {
  readonly stage: string;
  readonly simulator: Simulator;
  /** The functions' environment (already in process.env). */
  readonly env: Readonly<Record<string, string>>;
  /** Base URL of the API Gateway stand-in (throws if the stack was started with `api: false`). */
  readonly apiUrl: string;
  /** An access token of the first caller (by default one that may act for every seeded organisation). */
  readonly token: string;
  readonly callers: readonly LocalCaller[];
  /** The local OAuth token endpoint and JWKS. */
  readonly tokenIssuer: TokenIssuer;
  /** A token for a seeded caller (client credentials grant at the local token endpoint). */
  tokenFor(caller: LocalCaller, scope?: string): Promise<string>;
  readonly registryTableName: string;
  /** The seeded organisations, keyed by the id the gateway uses (UKPRN). */
  readonly organisations: readonly LocalOrganisation[];
  readonly tableName: string;
  readonly queueUrls: Readonly<Record<OperationId, string>>;
  readonly dlqUrls: Readonly<Record<OperationId, string>>;
  readonly queueArns: Readonly<Record<OperationId, string>>;
  /** The job callback queue and each caller's callback signing secret (by caller id). */
  readonly callbackQueueUrl: string;
  readonly callbackSecrets: Readonly<Record<string, string>>;
  readonly dynamo: DynamoDBDocumentClient;
  /** The plain client under `dynamo` (e.g. for DynamoDbResultsStore). */
  readonly dynamoClient: DynamoDBClient;
  readonly sqs: SQSClient;
  /** Headers for an API call: content type, bearer token, organisation and any extra headers. */
  headers(organisationId?: string, extra?: Record<string, string>): Record<string, string>;
  stop(): Promise<void>;
}

export const startLocalStack = async (options: LocalStackOptions = {}): Promise<LocalStack> => {
  const runtime = await startLocalRuntime({
    stage: options.stage ?? uniqueStage(),
    certificates: testCertificates(),
    ...options,
  });
  const dynamoClient = new DynamoDBClient({
    region: runtime.emulators.region,
    endpoint: runtime.emulators.dynamodb.url,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const dynamo = DynamoDBDocumentClient.from(dynamoClient, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const caller = runtime.callers[0];
  if (!caller) throw new Error('startLocalStack needs at least one caller');
  const firstOrg = runtime.organisations[0]?.organisationId ?? '';
  const tokenFor = async (c: LocalCaller, scope?: string) =>
    (await clientCredentialsToken(runtime.tokenIssuer.tokenEndpoint, c.clientId, c.clientSecret, scope))
      .accessToken;
  const token = await tokenFor(caller);
  return {
    stage: runtime.stage,
    simulator: runtime.simulator,
    env: runtime.env,
    get apiUrl(): string {
      if (!runtime.api) throw new Error('The API server is not running: start the stack with { api: true }');
      return runtime.api.url;
    },
    token,
    callers: runtime.callers,
    tokenIssuer: runtime.tokenIssuer,
    tokenFor,
    registryTableName: runtime.resources.registryTableName,
    organisations: runtime.organisations,
    tableName: runtime.resources.tableName,
    queueUrls: runtime.resources.queueUrls,
    dlqUrls: runtime.resources.dlqUrls,
    queueArns: runtime.resources.queueArns,
    callbackQueueUrl: runtime.resources.callbackQueueUrl,
    callbackSecrets: runtime.resources.callbackSecrets,
    dynamo,
    dynamoClient,
    sqs: runtime.sqs,
    headers: (organisationId = firstOrg, extra = {}) => ({
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      'x-lrs-organisation': organisationId,
      ...extra,
    }),
    stop: async () => {
      dynamoClient.destroy();
      await runtime.stop();
    },
  };
};

/**
 * One local stack for the calling test file (see startLocalStack): started before its tests (within
 * `timeoutMs` if given), stopped after them. The stack returned reads through to the running one: use
 * it inside tests and hooks.
 */
export const useLocalStack = (options: LocalStackOptions = {}, timeoutMs?: number): LocalStack =>
  useFileFixture(
    'The local stack',
    () => startLocalStack(options),
    (stack) => stack.stop(),
    timeoutMs,
  );
