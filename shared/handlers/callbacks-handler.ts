/**
 * The job-callbacks function: triggered by the callback queue, one message per delivery attempt of a
 * job callback (shared/jobs/callback-delivery.ts). An invalid message is logged and dropped (nothing can
 * fix it); a failure to record or re-queue an attempt is reported so that SQS delivers the message again.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  callbackMessageSchema,
  type DeliveryDependencies,
  deliverCallback,
} from '../jobs/callback-delivery.js';
import { withInvocationLogs } from '../observability/logger.js';
import { createCallbackDependencies } from '../wiring/jobs-dependencies.js';

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
  const d: DeliveryDependencies = deps ?? createCallbackDependencies();
  return withInvocationLogs<SQSEvent, SQSBatchResponse>((event, context) =>
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
