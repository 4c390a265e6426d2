/**
 * Stands in for the Lambda SQS event source mapping (with ReportBatchItemFailures on, as deployed):
 * long-polls each operation queue, hands the batch to the function as an `SQSEvent`, deletes the records
 * that succeeded, and leaves failed ones to reappear after the visibility timeout and, after
 * maxReceiveCount receives, to be moved to the DLQ by the queue's redrive policy. Each queue runs at most
 * `maxConcurrency` invocations at a time (the event source's maximum concurrency).
 */
import { setMaxListeners } from 'node:events';
import {
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type {
  SQSBatchResponse,
  SQSEvent,
  SQSMessageAttributes,
  SQSRecord,
  SQSRecordAttributes,
} from 'aws-lambda';
import { FUNCTION_TIMEOUT_SECONDS, QUEUE_BATCH_SIZE } from '../shared/config/resources.js';
import { type AsyncHandler, lambdaContext } from './lambda.js';

export interface QueueSubscription {
  /** A name for logs, e.g. the operation id. */
  readonly name: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  /** The function; called lazily so its module loads on the first batch (after env is set). */
  readonly handler: () => Promise<AsyncHandler<SQSEvent, SQSBatchResponse | unknown>>;
}

export interface PollerOptions {
  readonly sqs: SQSClient;
  readonly region: string;
  readonly subscriptions: readonly QueueSubscription[];
  /** Records per event (1-10). Default QUEUE_BATCH_SIZE, as deployed. */
  readonly batchSize?: number;
  /** Concurrent invocations per queue. */
  readonly maxConcurrency: number;
  /** Long-poll wait (0-20 s). Default 20, as the event source mapping does. */
  readonly waitTimeSeconds?: number;
  /** An invocation that runs longer counts as failed (its records are not deleted). */
  readonly functionTimeoutSeconds?: number;
  /** One line per notable event; never given message bodies. Default: console.error for failures. */
  readonly log?: (line: string) => void;
}

export interface InvocationReport {
  readonly queue: string;
  readonly messageIds: readonly string[];
  readonly failedIds: readonly string[];
  readonly error?: string;
}

/** Invocation reports kept (the newest), so a long `npm start` session does not grow without bound. */
const MAX_REPORTS = 1000;

export interface Poller {
  /** The latest invocations, oldest first (for tests and diagnostics). */
  readonly invocations: readonly InvocationReport[];
  stop(): Promise<void>;
}

const toLambdaAttributes = (m: Message): SQSRecordAttributes => {
  const a = m.Attributes ?? {};
  const out: Record<string, string> = {
    ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
    SentTimestamp: a.SentTimestamp ?? String(Date.now()),
    // As SQS gives it (the worker checks it against the registry); empty if the queue gave none.
    SenderId: a.SenderId ?? '',
    ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
  };
  for (const key of [
    'AWSTraceHeader',
    'SequenceNumber',
    'MessageGroupId',
    'MessageDeduplicationId',
    'DeadLetterQueueSourceArn',
  ] as const) {
    const value = a[key];
    if (value !== undefined) out[key] = value;
  }
  return out as unknown as SQSRecordAttributes;
};

const toLambdaMessageAttributes = (
  attrs: Record<string, MessageAttributeValue> | undefined,
): SQSMessageAttributes =>
  Object.fromEntries(
    Object.entries(attrs ?? {}).map(([name, v]) => [
      name,
      {
        dataType: v.DataType ?? 'String',
        ...(v.StringValue !== undefined ? { stringValue: v.StringValue } : {}),
        ...(v.BinaryValue !== undefined
          ? { binaryValue: Buffer.from(v.BinaryValue).toString('base64') }
          : {}),
        stringListValues: v.StringListValues ?? [],
        binaryListValues: (v.BinaryListValues ?? []).map((b) => Buffer.from(b).toString('base64')),
      },
    ]),
  ) as SQSMessageAttributes;

/** Builds the `SQSEvent` Lambda delivers for these received messages. */
export const toSqsEvent = (messages: readonly Message[], queueArn: string, region: string): SQSEvent => ({
  Records: messages.map(
    (m): SQSRecord => ({
      messageId: m.MessageId ?? '',
      receiptHandle: m.ReceiptHandle ?? '',
      body: m.Body ?? '',
      attributes: toLambdaAttributes(m),
      messageAttributes: toLambdaMessageAttributes(m.MessageAttributes),
      md5OfBody: m.MD5OfBody ?? '',
      ...(m.MD5OfMessageAttributes ? { md5OfMessageAttributes: m.MD5OfMessageAttributes } : {}),
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: region,
    }),
  ),
});

/**
 * Which of `messageIds` failed, by Lambda's rules for ReportBatchItemFailures: a thrown error or a
 * timeout fails the whole batch; a response naming an id that is empty or not in the batch fails the
 * whole batch; otherwise exactly the named ids fail.
 */
export const failedMessageIds = (
  messageIds: readonly string[],
  response: unknown,
  threw: boolean,
): readonly string[] => {
  if (threw) return messageIds;
  if (response === null || typeof response !== 'object' || !('batchItemFailures' in response)) return [];
  const failures = (response as { batchItemFailures: unknown }).batchItemFailures;
  if (failures === null || failures === undefined) return [];
  if (!Array.isArray(failures)) return messageIds;
  const ids = failures.map((f: unknown) =>
    f !== null && typeof f === 'object' ? (f as { itemIdentifier?: unknown }).itemIdentifier : undefined,
  );
  if (ids.some((id) => typeof id !== 'string' || id.length === 0 || !messageIds.includes(id)))
    return messageIds;
  return [...new Set(ids as string[])];
};

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

const withTimeout = <T>(work: Promise<T>, ms: number): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Task timed out after ${ms / 1000} seconds`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
};

export const startPoller = (options: PollerOptions): Poller => {
  const batchSize = Math.min(10, Math.max(1, options.batchSize ?? QUEUE_BATCH_SIZE));
  const waitTimeSeconds = options.waitTimeSeconds ?? 20;
  const timeoutMs = (options.functionTimeoutSeconds ?? FUNCTION_TIMEOUT_SECONDS) * 1000;
  const log = options.log ?? ((line: string) => console.error(line));
  const stopping = new AbortController();
  // Every worker's long poll listens on this one signal.
  setMaxListeners(0, stopping.signal);
  const invocations: InvocationReport[] = [];

  const invoke = async (sub: QueueSubscription, messages: Message[]): Promise<void> => {
    const event = toSqsEvent(messages, sub.queueArn, options.region);
    const messageIds = event.Records.map((r) => r.messageId);
    let response: unknown;
    let threw = false;
    let error: string | undefined;
    try {
      const handler = await sub.handler();
      response = await withTimeout(
        handler(event, lambdaContext(sub.name, options.region, timeoutMs / 1000)),
        timeoutMs,
      );
    } catch (e) {
      threw = true;
      error = e instanceof Error ? `${e.name}: ${e.message}` : 'non-error thrown';
      log(
        `[poller] ${sub.name}: invocation failed (${error}); ${messageIds.length} record(s) left for retry`,
      );
    }
    const failed = failedMessageIds(messageIds, response, threw);
    if (!threw && failed.length > 0) {
      log(`[poller] ${sub.name}: ${failed.length} of ${messageIds.length} record(s) reported as failed`);
    }
    invocations.push({ queue: sub.name, messageIds, failedIds: failed, ...(error ? { error } : {}) });
    if (invocations.length > MAX_REPORTS) invocations.splice(0, invocations.length - MAX_REPORTS);
    const done = messages.filter((m) => !failed.includes(m.MessageId ?? ''));
    for (let i = 0; i < done.length; i += 10) {
      const chunk = done.slice(i, i + 10);
      const result = await options.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: sub.queueUrl,
          Entries: chunk.map((m, n) => ({ Id: String(n), ReceiptHandle: m.ReceiptHandle ?? '' })),
        }),
      );
      if (result.Failed && result.Failed.length > 0) {
        log(
          `[poller] ${sub.name}: ${result.Failed.length} delete(s) failed: ${result.Failed.map((f) => f.Code).join(', ')}`,
        );
      }
    }
  };

  const worker = async (sub: QueueSubscription): Promise<void> => {
    while (!stopping.signal.aborted) {
      let messages: Message[];
      try {
        const received = await options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: sub.queueUrl,
            MaxNumberOfMessages: batchSize,
            WaitTimeSeconds: waitTimeSeconds,
            AttributeNames: ['All'],
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: stopping.signal },
        );
        messages = received.Messages ?? [];
      } catch (e) {
        if (stopping.signal.aborted) return;
        log(
          `[poller] ${sub.name}: ReceiveMessage failed (${e instanceof Error ? e.name : 'error'}); retrying in 1 s`,
        );
        await sleep(1000, stopping.signal);
        continue;
      }
      if (messages.length === 0) continue;
      try {
        await invoke(sub, messages);
      } catch (e) {
        log(`[poller] ${sub.name}: DeleteMessageBatch failed (${e instanceof Error ? e.name : 'error'})`);
      }
    }
  };

  const running = options.subscriptions.flatMap((sub) =>
    Array.from({ length: Math.max(1, options.maxConcurrency) }, () => worker(sub)),
  );

  return {
    invocations,
    stop: async () => {
      stopping.abort();
      await Promise.allSettled(running);
    },
  };
};
