/**
 * The SQS path of the operation handlers against the real stack (simulator over mTLS, dynalite, fauxqs):
 * partial batch failures, a poison message recorded and acknowledged, an invalid request recorded,
 * a redelivered message not sent to the LRS again, and an unavailable LRS: failure recorded, then either
 * the message hidden for a backoff (ChangeMessageVisibility on the real queue) and processed on redelivery,
 * or, out of hours, a delayed copy re-sent so that a long wait burns no receive count.
 */
import { randomUUID } from 'node:crypto';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationId } from '../../../shared/lrs/operations.js';
import { notableLearner } from '../../../simulator/seed.js';
import { lambdaContext, personalDataIn, sqsEvent, sqsRecord } from './events.js';
import { type Harness, ORG, startHarness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

const exact = notableLearner('exact');
const findBody = { uln: exact.uln, givenName: exact.givenName, familyName: exact.familyName };

const message = (op: OperationId, request: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ requestId: randomUUID(), operation: op, organisationId: ORG, request, ...extra });

const requestIdOf = (body: string) => (JSON.parse(body) as { requestId: string }).requestId;

const deliver = async (op: OperationId, records: ReturnType<typeof sqsRecord>[]) => {
  const handler = await h.handler(op);
  return (await handler(sqsEvent(records), lambdaContext(`lrs-gateway-test-${op}`))) as SQSBatchResponse;
};

const record = (op: OperationId, body: string) => sqsRecord(body, h.stack.queueArns[op]);

describe('a batch of messages', () => {
  it('reports only the record that can succeed later; a poison message is recorded FAILED and acknowledged', async () => {
    const ok = record('findLearnerByUln', message('findLearnerByUln', findBody, { caller: 'job-runner' }));
    const poison = record('findLearnerByUln', 'this is not json');
    // A request another worker holds the lease on: this delivery must come back later.
    const busyId = randomUUID();
    await h.store.begin({
      requestId: busyId,
      operation: 'findLearnerByUln',
      organisationId: ORG,
      caller: 'other-worker',
      source: 'queue',
      now: new Date(),
      leaseExpiresAt: Date.now() + 60_000,
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
    });
    const busy = record(
      'findLearnerByUln',
      JSON.stringify({
        requestId: busyId,
        operation: 'findLearnerByUln',
        organisationId: ORG,
        request: findBody,
      }),
    );

    const response = await deliver('findLearnerByUln', [ok, poison, busy]);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: busy.messageId }]);
    expect(await h.stored(requestIdOf(ok.body))).toMatchObject({
      status: 'COMPLETED',
      outcome: { code: 'WSRC0004' },
      caller: 'job-runner',
      source: 'queue',
    });
    const poisoned = await h.stored(`sqs-${poison.messageId}`);
    expect(poisoned).toMatchObject({
      status: 'FAILED',
      attempts: 0,
      error: { code: 'VALIDATION_FAILED', retryable: false, issues: [{ field: 'message', rule: 'json' }] },
    });
    expect(await h.stored(busyId)).toMatchObject({ status: 'IN_PROGRESS', caller: 'other-worker' });
  });

  it('records an invalid request (bad ULN check digit) FAILED under its request id and acknowledges it', async () => {
    const before = h.stack.simulator.requestCount();
    const bad = record('findLearnerByUln', message('findLearnerByUln', { ...findBody, uln: '1234567890' }));
    const response = await deliver('findLearnerByUln', [bad]);
    expect(response.batchItemFailures).toEqual([]);
    expect(await h.stored(requestIdOf(bad.body))).toMatchObject({
      status: 'FAILED',
      error: { code: 'VALIDATION_FAILED', issues: [{ field: 'request.uln', rule: 'ulnCheckDigit' }] },
    });
    expect(h.stack.simulator.requestCount()).toBe(before);
  });

  it('records a message for another operation FAILED and acknowledges it', async () => {
    const wrong = record('findLearnerByUln', message('verifyLearner', findBody));
    expect((await deliver('findLearnerByUln', [wrong])).batchItemFailures).toEqual([]);
    expect(await h.stored(requestIdOf(wrong.body))).toMatchObject({
      status: 'FAILED',
      error: { issues: [{ field: 'message.operation', rule: 'operation' }] },
    });
  });
});

describe('redelivery', () => {
  it('does not call the LRS again for a request that already completed', async () => {
    const body = message(
      'registerLearner',
      {
        learner: {
          givenName: 'Queuedonce',
          familyName: 'Redelivered',
          dateOfBirth: '2006-06-06',
          gender: '1',
          lastKnownPostCode: 'S1 2HE',
          verificationType: '1',
          abilityToShare: '1',
        },
      },
      { jobId: 'job-1' },
    );
    const registered = h.stack.simulator.registeredUlns().length;
    expect((await deliver('registerLearner', [record('registerLearner', body)])).batchItemFailures).toEqual(
      [],
    );
    const calls = h.stack.simulator.requestCount();

    // SQS delivers the same message again (at-least-once), twice.
    for (let i = 0; i < 2; i++) {
      expect((await deliver('registerLearner', [record('registerLearner', body)])).batchItemFailures).toEqual(
        [],
      );
    }
    expect(h.stack.simulator.requestCount()).toBe(calls);
    expect(h.stack.simulator.registeredUlns()).toHaveLength(registered + 1);
    expect(await h.stored(requestIdOf(body))).toMatchObject({
      status: 'COMPLETED',
      attempts: 1,
      outcome: { code: 'WSRC0005' },
      jobId: 'job-1',
      source: 'job',
    });
  });
});

describe('the LRS unavailable', () => {
  /** A real message on the operation's queue, received with a 1 s visibility timeout. */
  const receiveOne = async (op: OperationId, body: string) => {
    await h.stack.sqs.send(new SendMessageCommand({ QueueUrl: h.stack.queueUrls[op], MessageBody: body }));
    const received = await h.stack.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: h.stack.queueUrls[op],
        VisibilityTimeout: 1,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    const m = received.Messages?.[0];
    expect(m?.Body).toBe(body);
    return sqsRecord(body, h.stack.queueArns[op], {
      messageId: m?.MessageId ?? '',
      receiptHandle: m?.ReceiptHandle ?? '',
    });
  };

  it('in maintenance: records the failure, hides the message for a backoff, and processes it on redelivery', async () => {
    const op = 'findLearnerByUln';
    const body = message(op, findBody);
    const delivered = await receiveOne(op, body);

    h.stack.simulator.setConditions({ maintenance: true });
    let response: SQSBatchResponse;
    try {
      response = await deliver(op, [delivered]);
    } finally {
      h.stack.simulator.setConditions({ maintenance: false });
    }
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: delivered.messageId }]);
    expect(await h.stored(requestIdOf(body))).toMatchObject({
      status: 'FAILED',
      error: { code: 'LRS_UNAVAILABLE', reason: 'MAINTENANCE', retryable: true },
    });

    // Received with a 1 s visibility timeout: without the handler's ChangeMessageVisibility it would be back.
    await new Promise((r) => setTimeout(r, 1500));
    const again = await h.stack.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: h.stack.queueUrls[op], WaitTimeSeconds: 0 }),
    );
    expect(again.Messages ?? []).toEqual([]);

    // SQS redelivers once the LRS is back: the same request id completes on its second attempt.
    expect((await deliver(op, [delivered])).batchItemFailures).toEqual([]);
    expect(await h.stored(requestIdOf(body))).toMatchObject({ status: 'COMPLETED', attempts: 2 });
  });

  it('out of hours: records the failure and re-sends a delayed copy instead of burning a receive', async () => {
    const op = 'verifyLearner';
    const body = message(op, findBody);
    const delivered = await receiveOne(op, body);
    const calls = h.stack.simulator.requestCount();

    h.stack.simulator.setConditions({ outOfHours: true });
    let response: SQSBatchResponse;
    try {
      response = await deliver(op, [delivered]);
    } finally {
      h.stack.simulator.setConditions({ outOfHours: false });
    }
    // Acknowledged: the copy carries the wait.
    expect(response.batchItemFailures).toEqual([]);
    expect(h.stack.simulator.requestCount()).toBe(calls + 1);
    expect(await h.stored(requestIdOf(body))).toMatchObject({
      status: 'FAILED',
      outcome: { code: 'WSEC0004', class: 'retry-later' },
      error: { reason: 'OUT_OF_HOURS', retryable: true },
    });
    const attributes = await h.stack.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: h.stack.queueUrls[op],
        AttributeNames: ['ApproximateNumberOfMessagesDelayed'],
      }),
    );
    expect(Number(attributes.Attributes?.ApproximateNumberOfMessagesDelayed)).toBe(1);
  });
});

describe('logs', () => {
  it('wrote no learner name, date of birth or postcode', () => {
    const text = h.output.text();
    expect(text).toContain('"message":"Invalid queue message acknowledged"');
    expect(
      personalDataIn(text, [
        exact,
        { givenName: 'Queuedonce', familyName: 'Redelivered', dateOfBirth: '2006-06-06', postcode: 'S1 2HE' },
      ]),
    ).toEqual([]);
  });
});
