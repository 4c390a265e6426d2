/**
 * The SQS path of the operation handlers against the real stack (simulator over mTLS, dynalite, fauxqs):
 * partial batch failures, a poison message recorded and acknowledged, an invalid request recorded,
 * a redelivered message not sent to the LRS again, and an unavailable LRS (maintenance, out of hours) or a
 * request in flight elsewhere: the wait recorded (WAITING) and a fresh delayed copy re-sent on the real
 * queue, so that waiting burns no receive count.
 */
import { randomUUID } from 'node:crypto';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationId } from '../../../shared/lrs/contract/operations.js';
import { notableLearner } from '../../../simulator/seed.js';
import { lambdaContext, sqsEvent, sqsRecord } from '../../support/events.js';
import { learnerFields } from '../../support/learner-requests.js';
import { describeLogs, type Harness, ORG, startHarness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  // Waits of a second or two (the functions read them when they load, after this).
  process.env.QUEUE_RETRY_BASE_SECONDS = '1';
  process.env.QUEUE_RETRY_MAX_SECONDS = '2';
  process.env.OUT_OF_HOURS_MAX_WAIT_SECONDS = '2';
  h = await startHarness();
});
afterAll(async () => h?.stop());

const exact = notableLearner('exact');
/** A new learner registered through the queue once, then redelivered. */
const queuedOnce = {
  givenName: 'Queuedonce',
  familyName: 'Redelivered',
  dateOfBirth: '2006-06-06',
  gender: '1',
  postcode: 'S1 2HE',
};
const findBody = { uln: exact.uln, givenName: exact.givenName, familyName: exact.familyName };

const message = (op: OperationId, request: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ requestId: randomUUID(), operation: op, organisationId: ORG, request, ...extra });

const requestIdOf = (body: string) => (JSON.parse(body) as { requestId: string }).requestId;

const deliver = async (op: OperationId, records: ReturnType<typeof sqsRecord>[]) => {
  const handler = await h.handler(op);
  return (await handler(sqsEvent(records), lambdaContext(`lrs-gateway-test-${op}`))) as SQSBatchResponse;
};

/** Delivers the records while the LRS is in maintenance or out of hours, and brings it back after. */
const deliverDuring = async (
  condition: 'maintenance' | 'outOfHours',
  op: OperationId,
  records: ReturnType<typeof sqsRecord>[],
) => {
  h.stack.simulator.setConditions({ [condition]: true });
  try {
    return await deliver(op, records);
  } finally {
    h.stack.simulator.setConditions({ [condition]: false });
  }
};

const record = (op: OperationId, body: string) => sqsRecord(body, h.stack.queueArns[op]);

/** Receives the re-sent copy of a request's message from the real queue (within `seconds`). */
/** One receive (waiting up to 1 s) on the operation's queue, with each message's receive count. */
const receiveFrom = (
  op: OperationId,
  options: { VisibilityTimeout?: number; MaxNumberOfMessages?: number },
) =>
  h.stack.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: h.stack.queueUrls[op],
      WaitTimeSeconds: 1,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      ...options,
    }),
  );

const receiveCopy = async (op: OperationId, requestId: string, seconds: number) => {
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    const received = await receiveFrom(op, { MaxNumberOfMessages: 10 });
    for (const m of received.Messages ?? []) {
      const parsed = JSON.parse(m.Body ?? '{}') as {
        requestId: string;
        retry: { resends: number; attempts: number; since: number; reason: string };
      };
      // The original stays on the queue too (these tests call the handler directly, nothing deletes it).
      if (parsed.requestId !== requestId || !parsed.retry) continue;
      return {
        retry: parsed.retry,
        receiveCount: Number(m.Attributes?.ApproximateReceiveCount),
        record: sqsRecord(m.Body ?? '', h.stack.queueArns[op], {
          messageId: m.MessageId ?? '',
          receiptHandle: m.ReceiptHandle ?? '',
        }),
      };
    }
  }
  throw new Error(`no copy of ${requestId} on the ${op} queue`);
};

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

    // None failed: the busy one was re-sent as a fresh copy to come back once the lease runs out.
    expect(response.batchItemFailures).toEqual([]);
    const copy = await receiveCopy('findLearnerByUln', busyId, 5);
    expect(copy.retry).toMatchObject({ reason: 'IN_FLIGHT', attempts: 0 });
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
    const body = message('registerLearner', { learner: learnerFields(queuedOnce) }, { jobId: 'job-1' });
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
    const received = await receiveFrom(op, { VisibilityTimeout: 1 });
    const m = received.Messages?.[0];
    expect(m?.Body).toBe(body);
    return sqsRecord(body, h.stack.queueArns[op], {
      messageId: m?.MessageId ?? '',
      receiptHandle: m?.ReceiptHandle ?? '',
    });
  };

  it('in maintenance: records the wait, re-sends a fresh delayed copy, and completes it when the LRS is back', async () => {
    const op = 'findLearnerByUln';
    const body = message(op, findBody);
    const delivered = await receiveOne(op, body);

    const response = await deliverDuring('maintenance', op, [delivered]);
    // Acknowledged: no receive is charged for waiting.
    expect(response.batchItemFailures).toEqual([]);
    const waiting = await h.stored(requestIdOf(body));
    expect(waiting).toMatchObject({
      status: 'WAITING',
      error: { code: 'LRS_UNAVAILABLE', reason: 'MAINTENANCE', retryable: true },
      waiting: { reason: 'MAINTENANCE', attempts: 1 },
    });
    expect(Date.parse(waiting?.waiting?.nextAttemptAt ?? '')).toBeGreaterThan(Date.now() - 5000);

    // The copy: a new message (receive count 1) carrying the attempt count and the start of the wait.
    const copy = await receiveCopy(op, requestIdOf(body), 5);
    expect(copy.receiveCount).toBe(1);
    expect(copy.retry).toMatchObject({ resends: 1, attempts: 1, reason: 'MAINTENANCE' });
    expect(copy.retry.since).toBeGreaterThan(Date.now() - 60_000);
    expect((await deliver(op, [copy.record])).batchItemFailures).toEqual([]);
    expect(await h.stored(requestIdOf(body))).toMatchObject({ status: 'COMPLETED', attempts: 2 });
  });

  it('out of hours: records the wait and re-sends a delayed copy instead of burning a receive', async () => {
    const op = 'verifyLearner';
    const body = message(op, findBody);
    const delivered = await receiveOne(op, body);
    const calls = h.stack.simulator.requestCount();

    const response = await deliverDuring('outOfHours', op, [delivered]);
    // Acknowledged: the copy carries the wait.
    expect(response.batchItemFailures).toEqual([]);
    expect(h.stack.simulator.requestCount()).toBe(calls + 1);
    expect(await h.stored(requestIdOf(body))).toMatchObject({
      status: 'WAITING',
      outcome: { code: 'WSEC0004', class: 'retry-later' },
      error: { reason: 'OUT_OF_HOURS', retryable: true },
      waiting: { reason: 'OUT_OF_HOURS' },
    });
    const copy = await receiveCopy(op, requestIdOf(body), 5);
    expect(copy.receiveCount).toBe(1);
    expect(copy.retry).toMatchObject({ attempts: 1, reason: 'OUT_OF_HOURS' });
  });
});

describeLogs(
  () => h,
  ['"message":"Invalid queue message acknowledged"'],
  () => [exact, queuedOnce],
);
