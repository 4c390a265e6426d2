/**
 * The composition root of an operation function: everything made once per cold start and reused by
 * every invocation (SDK clients, the credentials source, the LRS client and its TLS agents, the store).
 * Endpoints come from the SDK's standard variables (AWS_ENDPOINT_URL_DYNAMODB, ..._SQS,
 * ..._SECRETS_MANAGER), so the same code runs on AWS and against the local emulators.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { DynamoDbJobsStore } from '../adapters/dynamodb-jobs-store.js';
import { DynamoDbLrsBudget } from '../adapters/dynamodb-lrs-budget.js';
import { DynamoDbRegistry } from '../adapters/dynamodb-registry.js';
import { DynamoDbResultsStore } from '../adapters/dynamodb-results-store.js';
import { SecretsManagerCredentialsSource } from '../adapters/secrets-manager-credentials.js';
import { loadLrsBudgetSettings, withLrsBudget } from '../app/lrs-budget.js';
import { lrsResultNoter } from '../app/lrs-status.js';
import { cachedRegistry } from '../app/registry-cache.js';
import { registryCredentials } from '../app/registry-credentials.js';
import { loadReadConfig, type RuntimeConfig } from '../config/runtime.js';
import { ConfigurationError } from '../domain/errors.js';
import { createJobHook } from '../jobs/job-hooks.js';
import { loadJobSettings } from '../jobs/settings.js';
import type { OperationId } from '../lrs/contract/operations.js';
import { outcomeFor } from '../lrs/contract/outcomes.js';
import { validateRequest } from '../lrs/contract/schemas.js';
import { createLrsClient } from '../lrs/soap/client.js';
import { type AppLog, appLog } from '../observability/logger.js';
import { appMetrics } from '../observability/metrics.js';
import { tracedClient, tracedLrs } from '../observability/tracer.js';
import type { RegistryReader } from '../ports/registry.js';
import type { ResultsStore } from '../ports/results-store.js';
import { checkQueueSender } from '../queue/queue-access.js';
import type { QueueDependencies } from '../queue/queue-worker.js';
import { queueUrlFor } from '../queue/queue-worker.js';
import { createJobWiring } from './job-wiring.js';
import { lazySqs } from './lazy-sqs.js';

export interface OperationDependencies extends QueueDependencies {
  readonly config: Pick<RuntimeConfig, 'dataTtlDays'>;
  /** The organisation and caller registry, through the function's short cache. */
  readonly registry: RegistryReader;
}

/** The registry as a function reads it: the DynamoDB table behind the short cache. */
export const createRegistryReader = (
  config: Pick<RuntimeConfig, 'registryTableName' | 'registryCacheSeconds'>,
  dynamo: DynamoDBClient,
) => {
  const table = new DynamoDbRegistry({ tableName: config.registryTableName, client: dynamo });
  return { table, reader: cachedRegistry(table, config.registryCacheSeconds * 1000) };
};

export const createOperationDependencies = (
  op: OperationId,
  config: RuntimeConfig,
): OperationDependencies => {
  const dynamo = tracedClient(new DynamoDBClient({}));
  // Only retries and bulk-job follow-ups send to a queue.
  const loadSqs = lazySqs();
  const registry = createRegistryReader(config, dynamo);
  const credentials = registryCredentials(
    new SecretsManagerCredentialsSource({ secretPrefix: config.orgSecretPrefix }),
    registry.reader,
  );
  const lrs = tracedLrs(
    createLrsClient({
      endpoint: config.lrsEndpoint,
      credentials,
      timeoutMs: config.lrsTimeoutMs,
      ...(config.lrsServiceHours ? { serviceHours: config.lrsServiceHours } : {}),
      ...(config.lrsMaxResponseBytes ? { maxResponseBytes: config.lrsMaxResponseBytes } : {}),
    }),
  );
  const budgetSettings = loadLrsBudgetSettings();
  const budgeted = withLrsBudget(
    lrs,
    new DynamoDbLrsBudget({ tableName: config.tableName, client: dynamo }),
    budgetSettings,
    // A slot outlives any call (the LRS timeout) with a margin; a crashed holder frees it after that.
    config.lrsTimeoutMs + 5000,
  );
  const queueUrl = config.operationQueueUrls[op];
  const settings = loadJobSettings();
  // The jobs store with job events (a job finishes, and calls back, when its last item settles).
  const store = new DynamoDbResultsStore({ tableName: config.tableName, client: dynamo });
  const jobWiring = createJobWiring({
    store: new DynamoDbJobsStore({ tableName: config.tableName, client: dynamo }),
    results: store,
    dataTtlDays: config.dataTtlDays,
  });
  /** Sends to the queue the record came from (the function may send only to its own queue). */
  const sendToQueue = async (record: SQSRecord, body: string, delaySeconds: number) => {
    const url = queueUrlFor(record, queueUrl);
    if (!url) throw new ConfigurationError(`The ${op} function does not know the URL of its own queue`);
    const { api, sqs } = await loadSqs();
    await sqs.send(
      new api.SendMessageCommand({ QueueUrl: url, MessageBody: body, DelaySeconds: delaySeconds }),
    );
  };
  return {
    config,
    registry: registry.reader,
    checkSender: (record, message, op, fallback) =>
      checkQueueSender(
        { registry: registry.reader, trustedSenderIds: config.trustedSenderIds },
        record,
        message,
        op,
        fallback,
      ),
    noteLrsResult: lrsResultNoter(registry.table, appLog),
    lrs: budgeted,
    store,
    cancelGate: jobWiring.cancelGate,
    outcomeFor,
    validate: validateRequest,
    log: appLog,
    metrics: appMetrics,
    dataTtlDays: config.dataTtlDays,
    retrySettings: settings.retry,
    recordConcurrency: settings.queue.recordConcurrency,
    // Room for one more LRS call (its timeout) and the store writes around it.
    minRemainingMs: config.lrsTimeoutMs + 3000,
    resend: sendToQueue,
    onSettled: createJobHook({
      jobs: jobWiring.jobs,
      sendToQueue,
      outcomeFor,
      settings: settings.batch,
      log: appLog,
    }),
    changeVisibility: async (record: SQSRecord, seconds: number) => {
      const url = queueUrlFor(record, queueUrl);
      if (!url) return;
      const { api, sqs } = await loadSqs();
      await sqs.send(
        new api.ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: seconds,
        }),
      );
    },
  };
};

/** The requests function's adapters: the results table and the registry (both traced). */
export const createRequestsDependencies = (): {
  store: ResultsStore;
  registry: RegistryReader;
  log: AppLog;
} => {
  const config = loadReadConfig();
  const dynamo = tracedClient(new DynamoDBClient({}));
  return {
    store: new DynamoDbResultsStore({ tableName: config.tableName, client: dynamo }),
    registry: createRegistryReader(config, dynamo).reader,
    log: appLog,
  };
};
