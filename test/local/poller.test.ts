import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulators, startEmulators } from '../../local/emulators.js';
import {
  failedMessageIds,
  type PollerOptions,
  type QueueSubscription,
  startPoller,
} from '../../local/poller.js';
import { localClients } from '../../local/resources.js';

let emulators: Emulators;
let aws: ReturnType<typeof localClients>;
let sqs: SQSClient;

beforeAll(async () => {
  emulators = await startEmulators();
  aws = localClients(emulators);
  sqs = aws.sqs;
});
afterAll(async () => {
  for (const client of aws ? [aws.dynamodb, aws.sqs, aws.secretsManager] : []) client.destroy();
  await emulators?.close();
});

/** A queue with a DLQ after `maxReceiveCount` receives and a short visibility timeout, as tests need. */
const queueWithDlq = async (name: string, maxReceiveCount = 2) => {
  const arnOf = async (url: string) =>
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })))
      .Attributes?.QueueArn ?? '';
  const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl ?? '';
  const queueUrl =
    (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: name,
          Attributes: {
            VisibilityTimeout: '1',
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await arnOf(dlqUrl), maxReceiveCount }),
          },
        }),
      )
    ).QueueUrl ?? '';
  return { queueUrl, dlqUrl, queueArn: await arnOf(queueUrl) };
};

const waitFor = async (check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> => {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
};

const visibleAndInFlight = async (url: string): Promise<number> => {
  const a = (
    await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    )
  ).Attributes;
  return Number(a?.ApproximateNumberOfMessages ?? 0) + Number(a?.ApproximateNumberOfMessagesNotVisible ?? 0);
};

/**
 * A quiet poller of one queue whose function is `handler`: one invocation at a time and 1 s long polls
 * unless `options` says otherwise.
 */
const pollOne = (
  q: { queueUrl: string; queueArn: string },
  name: string,
  handler: Awaited<ReturnType<QueueSubscription['handler']>>,
  options: Partial<Pick<PollerOptions, 'batchSize' | 'maxConcurrency' | 'waitTimeSeconds'>> = {},
) =>
  startPoller({
    sqs,
    region: emulators.region,
    maxConcurrency: 1,
    waitTimeSeconds: 1,
    ...options,
    subscriptions: [{ name, queueUrl: q.queueUrl, queueArn: q.queueArn, handler: async () => handler }],
    log: () => undefined,
  });

describe('failedMessageIds (ReportBatchItemFailures rules)', () => {
  const ids = ['a', 'b', 'c'];
  it('no response or an empty list: nothing failed', () => {
    expect(failedMessageIds(ids, undefined, false)).toEqual([]);
    expect(failedMessageIds(ids, { batchItemFailures: [] }, false)).toEqual([]);
  });
  it('named ids fail', () => {
    expect(failedMessageIds(ids, { batchItemFailures: [{ itemIdentifier: 'b' }] }, false)).toEqual(['b']);
  });
  it('a thrown error, an unknown id or an empty id fails the whole batch', () => {
    expect(failedMessageIds(ids, undefined, true)).toEqual(ids);
    expect(failedMessageIds(ids, { batchItemFailures: [{ itemIdentifier: 'zz' }] }, false)).toEqual(ids);
    expect(failedMessageIds(ids, { batchItemFailures: [{ itemIdentifier: '' }] }, false)).toEqual(ids);
  });
});

describe('SQS poller', () => {
  it('delivers a faithful SQSEvent; deletes successes, retries reported failures until the DLQ', async () => {
    const q = await queueWithDlq('poll-partial');
    const seen: SQSRecord[] = [];
    const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
      seen.push(...event.Records);
      return {
        batchItemFailures: event.Records.filter((r) => r.body === 'bad').map((r) => ({
          itemIdentifier: r.messageId,
        })),
      };
    };
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: q.queueUrl,
        MessageBody: 'good',
        MessageAttributes: { requestId: { DataType: 'String', StringValue: 'req-1' } },
      }),
    );
    const bad = await sqs.send(new SendMessageCommand({ QueueUrl: q.queueUrl, MessageBody: 'bad' }));
    const poller = pollOne(q, 'partial', handler);
    try {
      // Delivered twice (maxReceiveCount 2), then parked in the DLQ by the redrive policy.
      await waitFor(() => seen.filter((r) => r.body === 'bad').length >= 2);
      const parked = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.dlqUrl, WaitTimeSeconds: 5 }));
      expect(parked.Messages?.map((m) => m.MessageId)).toEqual([bad.MessageId]);
    } finally {
      await poller.stop();
    }
    expect(seen.filter((r) => r.body === 'good')).toHaveLength(1);
    expect(await visibleAndInFlight(q.queueUrl)).toBe(0);

    const good = seen.find((r) => r.body === 'good');
    expect(good).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: q.queueArn,
      awsRegion: emulators.region,
      messageAttributes: { requestId: { dataType: 'String', stringValue: 'req-1' } },
    });
    expect(good?.receiptHandle).toBeTruthy();
    expect(good?.md5OfBody).toMatch(/^[0-9a-f]{32}$/);
    expect(good?.attributes.ApproximateReceiveCount).toBe('1');
    expect(Number(good?.attributes.SentTimestamp)).toBeGreaterThan(0);
    expect(seen.filter((r) => r.body === 'bad').map((r) => r.attributes.ApproximateReceiveCount)).toEqual([
      '1',
      '2',
    ]);
  });

  it('a handler that throws leaves the whole batch for redelivery', async () => {
    const q = await queueWithDlq('poll-throw', 5);
    let calls = 0;
    const handler = async (event: SQSEvent): Promise<void> => {
      calls++;
      if (event.Records[0]?.attributes.ApproximateReceiveCount === '1')
        throw new Error('first attempt fails');
    };
    await sqs.send(new SendMessageCommand({ QueueUrl: q.queueUrl, MessageBody: 'x' }));
    const poller = pollOne(q, 'throw', handler);
    try {
      await waitFor(async () => calls >= 2 && (await visibleAndInFlight(q.queueUrl)) === 0);
    } finally {
      await poller.stop();
    }
    expect(poller.invocations.map((i) => i.failedIds.length)).toEqual([1, 0]);
  });

  it("gives the function receipt handles it can use for its own ChangeMessageVisibility (the worker's backoff)", async () => {
    const q = await queueWithDlq('poll-visibility', 5);
    await sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: q.queueUrl, Attributes: { VisibilityTimeout: '60' } }),
    );
    const receiveCounts: string[] = [];
    const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
      const record = event.Records[0];
      if (!record) return { batchItemFailures: [] };
      receiveCounts.push(record.attributes.ApproximateReceiveCount);
      if (record.attributes.ApproximateReceiveCount !== '1') return { batchItemFailures: [] };
      // Without this the message would stay invisible for the queue's 60 s.
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: q.queueUrl,
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: 0,
        }),
      );
      return { batchItemFailures: [{ itemIdentifier: record.messageId }] };
    };
    await sqs.send(new SendMessageCommand({ QueueUrl: q.queueUrl, MessageBody: 'retry-soon' }));
    const poller = pollOne(q, 'vis', handler);
    try {
      await waitFor(() => receiveCounts.length >= 2, 5000);
    } finally {
      await poller.stop();
    }
    expect(receiveCounts).toEqual(['1', '2']);
  });

  it('runs at most maxConcurrency invocations per queue at a time', async () => {
    const q = await queueWithDlq('poll-concurrency', 5);
    let active = 0;
    let peak = 0;
    let done = 0;
    const handler = async (): Promise<void> => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 150));
      active--;
      done++;
    };
    for (let i = 0; i < 6; i++)
      await sqs.send(new SendMessageCommand({ QueueUrl: q.queueUrl, MessageBody: `m${i}` }));
    const poller = pollOne(q, 'conc', handler, { batchSize: 1, maxConcurrency: 2 });
    try {
      await waitFor(() => done === 6);
    } finally {
      await poller.stop();
    }
    expect(peak).toBe(2);
  });

  it('stop() returns promptly while long polls are waiting', async () => {
    const q = await queueWithDlq('poll-stop');
    const poller = startPoller({
      sqs,
      region: emulators.region,
      maxConcurrency: 2,
      waitTimeSeconds: 20,
      subscriptions: [
        {
          name: 'stop',
          queueUrl: q.queueUrl,
          queueArn: q.queueArn,
          handler: async () => async () => undefined,
        },
      ],
      log: () => undefined,
    });
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    await poller.stop();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
