/**
 * The job-callbacks function: triggered by the callback queue, one message per delivery attempt of a
 * job callback (shared/jobs/callback-delivery.ts). An invalid message is logged and dropped (nothing can
 * fix it); a failure to record or re-queue an attempt is reported so that SQS delivers the message again.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { DynamoDbJobsStore } from '../adapters/dynamodb-jobs-store.js';
import { SecretsManagerCallbackSecrets } from '../adapters/secrets-manager-callback-secrets.js';
import { loadReadConfig } from '../config/runtime.js';
import { ConfigurationError } from '../domain/errors.js';
import {
  callbackMessageSchema,
  type DeliveryDependencies,
  deliverCallback,
  httpCallbackPoster,
} from '../jobs/callback-delivery.js';
import { loadCallbackSettings } from '../jobs/callback-settings.js';
import { appLog, logger } from '../observability/logger.js';
import { callbackQueueSender } from '../wiring/job-wiring.js';

export const handleCallbackRecord = async (deps: DeliveryDependencies, record: SQSRecord): Promise<void> => {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    body = undefined;
  }
  const message = callbackMessageSchema.safeParse(body);
  if (!message.success) {
    deps.log.error('Invalid callback message dropped', {
      messageId: record.messageId,
      errorCode: 'VALIDATION_FAILED',
      invalidFields: message.error.issues.map((i) => `message.${i.path.join('.')}`),
    });
    return;
  }
  await deliverCallback(deps, message.data);
};

export const createCallbacksHandler = (
  deps?: DeliveryDependencies,
): ((event: SQSEvent, context: Context) => Promise<SQSBatchResponse>) => {
  const d: DeliveryDependencies =
    deps ??
    (() => {
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
    })();
  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler((event, context) =>
      processPartialResponse(
        event,
        (r: SQSRecord) => handleCallbackRecord(d, r),
        new BatchProcessor(EventType.SQS),
        {
          context,
          throwOnFullBatchFailure: false,
        },
      ),
    );
};
