/**
 * End to end as deployed, on loopback: an HTTP client → the API Gateway stand-in → the operation and
 * requests functions; and a message on an operation's queue → the event source stand-in (poller) → the
 * same function → the stored result, read back over HTTP.
 */
import { randomUUID } from 'node:crypto';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notableLearner } from '../../../simulator/seed.js';
import { type LocalStack, startLocalStack } from '../../support/local-stack.js';
import { captureOutput, personalDataIn } from '../../support/output.js';

let stack: LocalStack;
let output: ReturnType<typeof captureOutput>;
beforeAll(async () => {
  output = captureOutput();
  stack = await startLocalStack({ api: true, pollers: true, pollWaitTimeSeconds: 1 });
});
afterAll(async () => {
  output?.restore();
  await stack?.stop();
});

const exact = notableLearner('exact');
const ORG = 'TEST0001';

describe('over HTTP', () => {
  it('answers an operation call and serves the stored request and the OpenAPI document', async () => {
    const res = await fetch(`${stack.apiUrl}/v1/learners/find-by-uln`, {
      method: 'POST',
      headers: stack.headers(ORG),
      body: JSON.stringify({ uln: exact.uln, givenName: exact.givenName, familyName: exact.familyName }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { requestId: string; outcome: { lrsCode: string } };
    expect(body.outcome.lrsCode).toBe('WSRC0004');
    expect(res.headers.get('x-request-id')).toBe(body.requestId);

    const read = await fetch(`${stack.apiUrl}/v1/requests/${body.requestId}`, {
      headers: stack.headers(ORG),
    });
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual(body);

    const doc = await fetch(`${stack.apiUrl}/v1/openapi.json`, { headers: stack.headers(ORG) });
    expect(doc.status).toBe(200);
    expect(((await doc.json()) as { openapi: string }).openapi).toBe('3.1.0');
  });
});

describe('through the queue', () => {
  it('processes a message from the operation queue and stores the result, readable over HTTP', async () => {
    const requestId = randomUUID();
    await stack.sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.queueUrls.verifyLearner,
        MessageBody: JSON.stringify({
          requestId,
          operation: 'verifyLearner',
          organisationId: ORG,
          caller: stack.callers[0]?.clientId,
          request: { uln: exact.uln, givenName: exact.givenName, familyName: exact.familyName },
        }),
      }),
    );
    let status = 0;
    let body: { status?: string; outcome?: { code: string; lrsCode?: string } } = {};
    for (let i = 0; i < 50 && body.status !== 'COMPLETED'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const res = await fetch(`${stack.apiUrl}/v1/requests/${requestId}`, { headers: stack.headers(ORG) });
      status = res.status;
      body = (await res.json()) as typeof body;
    }
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'COMPLETED', outcome: { lrsCode: 'WSVRC001' } });
  });

  it('wrote no learner name, date of birth or postcode', () => {
    expect(output.text()).toContain('"message":"LRS request completed"');
    expect(personalDataIn(output.text(), [exact])).toEqual([]);
  });
});
