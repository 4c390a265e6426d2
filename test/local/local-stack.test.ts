import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleRequests } from '../../local/examples.js';
import { DynamoDbResultsStore } from '../../shared/adapters/dynamodb-results-store.js';
import { notableLearner } from '../../simulator/seed.js';
import { type LocalStack, startLocalStack } from '../support/local-stack.js';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack();
});
afterAll(async () => {
  await stack?.stop();
});

const waitFor = async <T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('local stack with the real functions', () => {
  it('runs a find by demographics over HTTP → operation function → simulator over mutual TLS', async () => {
    const find = exampleRequests()[0];
    const res = await fetch(`${stack.apiUrl}${find?.path}`, {
      method: 'POST',
      headers: stack.headers('TEST0001'),
      body: JSON.stringify(find?.body),
    });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(text).toContain(notableLearner('exact').uln);
    expect(text).toContain('WSRC0004');

    // The requests function reads the stored record back from the table.
    const { requestId } = JSON.parse(text) as { requestId: string };
    const again = await fetch(`${stack.apiUrl}/v1/requests/${requestId}`, {
      headers: stack.headers('TEST0001'),
    });
    const stored = await again.text();
    expect(again.status, stored).toBe(200);
    expect(JSON.parse(stored)).toMatchObject({ requestId, status: 'COMPLETED', organisationId: 'TEST0001' });
  });

  it('serves the OpenAPI document through the platform route', async () => {
    const res = await fetch(`${stack.apiUrl}/v1/openapi.json`, { headers: stack.headers() });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi?: string; paths?: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths ?? {})).toContain('/v1/learners/find-by-demographics');
  });

  it('refuses a caller without a valid bearer token before any function runs', async () => {
    const res = await fetch(`${stack.apiUrl}/v1/learners/find-by-demographics`, {
      method: 'POST',
      headers: { ...stack.headers('TEST0001'), authorization: 'Bearer wrong' },
      body: '{}',
    });
    expect(res.status).toBe(401);
  });

  it('runs a queued request through the poller and stores its result', async () => {
    const exact = notableLearner('exact');
    const requestId = `local-stack-${Date.now()}`;
    await stack.sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.queueUrls.findLearnerByUln,
        MessageBody: JSON.stringify({
          requestId,
          operation: 'findLearnerByUln',
          organisationId: 'TEST0001',
          request: {
            findType: 'FUL',
            uln: exact.uln,
            familyName: exact.familyName,
            givenName: exact.givenName,
          },
        }),
      }),
    );
    const store = new DynamoDbResultsStore({ tableName: stack.tableName, client: stack.dynamoClient });
    const record = await waitFor(async () => {
      const r = await store.get(requestId);
      return r?.status === 'COMPLETED' || r?.status === 'FAILED' ? r : undefined;
    });
    expect(record.status, JSON.stringify(record.error)).toBe('COMPLETED');
    expect(JSON.stringify(record.result)).toContain(exact.uln);
    // Acknowledged: deleted from the queue, nothing in the DLQ.
    const left = await stack.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: stack.queueUrls.findLearnerByUln,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(left.Attributes).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
  });

  it('answers every single-call README example as the README says', async () => {
    for (const example of exampleRequests().filter((e) => e.path !== '/v1/jobs')) {
      const res = await fetch(`${stack.apiUrl}${example.path}`, {
        method: example.method,
        headers: stack.headers('TEST0001', example.headers),
        body: JSON.stringify(example.body),
      });
      const text = await res.text();
      expect(res.status, `${example.title}: ${text}`).toBe(200);
      expect(JSON.parse(text), example.title).toMatchObject({
        status: 'COMPLETED',
        outcome: { lrsCode: 'WSRC0004' },
      });
    }
  });

  it('runs the README bulk job: jobs function → operation queue → pollers → results', async () => {
    const example = exampleRequests().find((e) => e.path === '/v1/jobs');
    const submitted = await fetch(`${stack.apiUrl}/v1/jobs`, {
      method: 'POST',
      headers: stack.headers('TEST0001', example?.headers),
      body: JSON.stringify(example?.body),
    });
    const submittedText = await submitted.text();
    expect(submitted.status, submittedText).toBe(202);
    const { jobId } = JSON.parse(submittedText) as { jobId: string };

    const job = await waitFor(async () => {
      const res = await fetch(`${stack.apiUrl}/v1/jobs/${jobId}`, { headers: stack.headers('TEST0001') });
      const view = (await res.json()) as { status: string; counts: { pending: number; completed: number } };
      return view.counts.pending === 0 ? view : undefined;
    });
    expect(job.counts.completed).toBe(2);
    const results = await fetch(`${stack.apiUrl}/v1/jobs/${jobId}/results`, {
      headers: stack.headers('TEST0001'),
    });
    const resultsText = await results.text();
    expect(results.status, resultsText).toBe(200);
    expect(resultsText).toContain(notableLearner('exact').uln);
    expect(resultsText).toContain(notableLearner('plrExact').uln);
  });

  it("refuses a second stack in a process whose function modules hold the first one's config", async () => {
    await expect(startLocalStack({ pollers: false })).rejects.toThrow(/one stack per test file/);
  });
});
