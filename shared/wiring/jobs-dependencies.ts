/**
 * The adapters of the jobs function (jobs and results tables, the operation queues, the registry, the
 * callback secrets) and of the job-callbacks function, built once per cold start.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDbJobsStore } from '../adapters/dynamodb-jobs-store.js';
import { DynamoDbResultsStore } from '../adapters/dynamodb-results-store.js';
import { SecretsManagerCallbackSecrets } from '../adapters/secrets-manager-callback-secrets.js';
import { loadReadConfig, loadRuntimeConfig } from '../config/runtime.js';
import { ConfigurationError } from '../domain/errors.js';
import { inParallel } from '../domain/parallel.js';
import { type DeliveryDependencies, httpCallbackPoster } from '../jobs/callback-delivery.js';
import { loadCallbackSettings } from '../jobs/callback-settings.js';
import type { JobEvents } from '../jobs/job-events.js';
import type { SubmitDependencies } from '../jobs/submit-job.js';
import type { OperationId } from '../lrs/contract/operations.js';
import { validateRequest } from '../lrs/contract/schemas.js';
import { type AppLog, appLog } from '../observability/logger.js';
import type { JobsStore } from '../ports/jobs-store.js';
import type { RegistryReader } from '../ports/registry.js';
import type { ResultsStore } from '../ports/results-store.js';
import { createRegistryReader } from './dependencies.js';
import { callbackQueueSender, createJobWiring } from './job-wiring.js';

export interface JobsDependencies extends SubmitDependencies {
  readonly results: Pick<ResultsStore, 'get'>;
  readonly registry: RegistryReader;
  readonly log: AppLog;
  /** Finishing jobs and handing off their callbacks (job-events.ts). */
  readonly events: JobEvents;
}

/** Sends message bodies to an operation's queue in batches of 10, retrying entries SQS did not take. */
export const queueSender =
  (sqs: SQSClient, queueUrls: Readonly<Partial<Record<OperationId, string>>>) =>
  async (op: OperationId, bodies: readonly string[]): Promise<void> => {
    const url = queueUrls[op];
    if (!url) throw new ConfigurationError(`The jobs function does not know the queue URL of ${op}`);
    const chunks: string[][] = [];
    for (let i = 0; i < bodies.length; i += 10) chunks.push(bodies.slice(i, i + 10));
    await inParallel(chunks, 16, async (chunk) => {
      let entries = chunk.map((body, i) => ({ Id: String(i), MessageBody: body }));
      for (let attempt = 0; entries.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
        const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
        const failed = new Set((out.Failed ?? []).map((f) => f.Id));
        entries = entries.filter((e) => failed.has(e.Id));
        if (entries.length > 0 && attempt >= 4) {
          throw new Error(`SQS did not take ${entries.length} message(s) for ${op}`);
        }
      }
    });
  };

export const createJobsDependencies = (): JobsDependencies => {
  const config = loadRuntimeConfig();
  const dynamo = new DynamoDBClient({});
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const results = new DynamoDbResultsStore({ tableName: config.tableName, client: dynamo });
  const wiring = createJobWiring({
    store: new DynamoDbJobsStore({ tableName: config.tableName, client: dynamo }),
    results,
    dataTtlDays: config.dataTtlDays,
  });
  const jobs: JobsStore = wiring.jobs;
  return {
    jobs,
    events: wiring.events,
    results,
    send: queueSender(sqs, config.operationQueueUrls),
    validate: validateRequest,
    registry: createRegistryReader(config, dynamo).reader,
    dataTtlDays: config.dataTtlDays,
    log: appLog,
    callbackSettings: wiring.settings,
    ...(wiring.settings.secretPrefix
      ? { callbackSecrets: new SecretsManagerCallbackSecrets({ secretPrefix: wiring.settings.secretPrefix }) }
      : {}),
  };
};

/** The job-callbacks function's adapters: the jobs table, the callback secrets, HTTP and the callback queue. */
export const createCallbackDependencies = (): DeliveryDependencies => {
  const config = loadReadConfig();
  const settings = loadCallbackSettings();
  if (!settings.queueUrl || !settings.secretPrefix) {
    throw new ConfigurationError(
      'Invalid function configuration: JOB_CALLBACK_QUEUE_URL and CALLBACK_SECRET_PREFIX are required',
    );
  }
  return {
    jobs: new DynamoDbJobsStore({ tableName: config.tableName, client: new DynamoDBClient({}) }),
    secrets: new SecretsManagerCallbackSecrets({ secretPrefix: settings.secretPrefix }),
    post: httpCallbackPoster({
      timeoutMs: settings.timeoutMs,
      allowLoopback: settings.allowLoopbackHttp,
    }),
    resend: callbackQueueSender(settings.queueUrl),
    settings,
    log: appLog,
  };
};
