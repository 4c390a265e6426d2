/**
 * A message that keeps failing past the longest wait the retry policy allows (here 0 s, so the first
 * failure gives up, as a week-long outage would) ends in its DLQ with the reason on its stored request,
 * and the redrive tool
 * (tools/redrive-dlq.ts, against the real SQS emulator) brings it back to be processed once the cause is
 * fixed. Also: a message that is not even JSON is recorded with its reason and acknowledged, not crashed on.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbResultsStore } from '../../../shared/adapters/dynamodb-results-store.js';
import { JOBS_ENV } from '../../../shared/jobs/settings.js';
import type { StoredRequest } from '../../../shared/ports/results-store.js';
import { notableLearner, verifiableLearners } from '../../../simulator/seed.js';
import { redriveDlq, main as redriveMain } from '../../../tools/redrive-dlq.js';
import { personalDataIn } from '../../support/output.js';
import { type JobBody, messagesIn, ORG, request, useLoggedJobsStack, waitForJob } from './support.js';

// Two deliveries before the DLQ; a visibility timeout longer than one delivery takes on a loaded machine
// (a message delivered again while its first delivery still runs would meet its own lease).
// This file checks the logs: all of them, captured.
const jobs = useLoggedJobsStack({
  maxReceiveCount: 2,
  visibilityTimeoutSeconds: 10,
  settings: { [JOBS_ENV.maxWaitSeconds]: '0' },
});
let store: DynamoDbResultsStore;
beforeAll(() => {
  store = new DynamoDbResultsStore({ tableName: jobs.stack.tableName, client: jobs.stack.dynamoClient });
});

const op = 'findLearnerByUln';
const exact = notableLearner('exact');

const until = async <T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> => {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
};

describe('a message that keeps failing', () => {
  it('lands in the DLQ with its reason recorded, and is processed once redriven after the fix', async () => {
    const requestId = randomUUID();
    const body = JSON.stringify({
      requestId,
      operation: op,
      organisationId: ORG,
      request: { uln: exact.uln, givenName: exact.givenName, familyName: exact.familyName },
    });
    jobs.stack.simulator.setConditions({ maintenance: true });
    try {
      await jobs.stack.sqs.send(
        new SendMessageCommand({ QueueUrl: jobs.stack.queueUrls[op], MessageBody: body }),
      );
      await until('the message in the DLQ', async () =>
        (await messagesIn(jobs.stack, jobs.stack.dlqUrls[op])) > 0 ? true : undefined,
      );
    } finally {
      jobs.stack.simulator.setConditions({ maintenance: false });
    }
    const parked = (await store.get(requestId)) as StoredRequest;
    expect(parked).toMatchObject({
      status: 'FAILED',
      attempts: 2,
      error: { code: 'LRS_UNAVAILABLE', reason: 'MAINTENANCE', retryable: true },
      deadLetter: { receiveCount: 2, reason: 'MAINTENANCE', errorCode: 'LRS_UNAVAILABLE' },
    });
    expect(parked.deadLetter?.message).toMatch(/^Gave up after 2 deliveries/);

    // A dry run lists it and moves nothing.
    const dry = await redriveDlq({
      sqs: jobs.stack.sqs,
      dlqUrl: jobs.stack.dlqUrls[op],
      targetUrl: jobs.stack.queueUrls[op],
      dryRun: true,
    });
    expect(dry.moved).toEqual([expect.objectContaining({ requestId })]);
    expect(await messagesIn(jobs.stack, jobs.stack.dlqUrls[op])).toBe(1);

    // The operator's command, as run with `npm run redrive`, against the emulator's endpoint.
    const previous = process.env.AWS_ENDPOINT_URL_SQS;
    process.env.AWS_ENDPOINT_URL_SQS = jobs.stack.env.AWS_ENDPOINT_URL_SQS;
    const lines: string[] = [];
    const log = console.log;
    console.log = (line: string) => lines.push(line);
    try {
      expect(await redriveMain(['--stage', jobs.stack.stage, '--operation', op])).toBe(0);
    } finally {
      console.log = log;
      process.env.AWS_ENDPOINT_URL_SQS = previous;
    }
    expect(lines[0]).toBe(
      `${op}: moved 1 message(s) from lrs-gateway-${jobs.stack.stage}-find-learner-by-uln-dlq`,
    );
    expect(lines.join('\n')).not.toContain(exact.familyName);

    const done = await until('the redriven request to complete', async () => {
      const r = await store.get(requestId);
      return r?.status === 'COMPLETED' ? r : undefined;
    });
    expect(done).toMatchObject({ attempts: 3, outcome: { code: 'WSRC0004' } });
    expect(await messagesIn(jobs.stack, jobs.stack.dlqUrls[op])).toBe(0);
  });

  it('shows a job item stuck in the DLQ, and the job completes once it is redriven', async () => {
    jobs.stack.simulator.setConditions({ maintenance: true });
    let jobId: string;
    try {
      const posted = await request<{ jobId: string }>(jobs.stack, 'POST', '/v1/jobs', {
        body: {
          operation: op,
          items: [{ uln: exact.uln, givenName: exact.givenName, familyName: exact.familyName }],
        },
      });
      expect(posted.status, posted.text).toBe(202);
      jobId = posted.body.jobId;
      const stuck = await until('the job to show a dead-lettered item', async () => {
        const r = await request<JobBody>(jobs.stack, 'GET', `/v1/jobs/${jobId}`);
        return r.body.counts.deadLettered === 1 ? r.body : undefined;
      });
      expect(stuck).toMatchObject({ status: 'RUNNING', counts: { pending: 1, deadLettered: 1 } });
      // Flagged on its last delivery; SQS moves it when it would deliver it again.
      await until('the message in the DLQ', async () =>
        (await messagesIn(jobs.stack, jobs.stack.dlqUrls[op])) > 0 ? true : undefined,
      );
    } finally {
      jobs.stack.simulator.setConditions({ maintenance: false });
    }
    await redriveDlq({
      sqs: jobs.stack.sqs,
      dlqUrl: jobs.stack.dlqUrls[op],
      targetUrl: jobs.stack.queueUrls[op],
    });
    const done = await waitForJob(jobs.stack, jobId);
    expect(done).toMatchObject({ counts: { pending: 0, completed: 1, failed: 0, deadLettered: 0 } });
  });

  it('records a message that is not JSON with its reason and acknowledges it', async () => {
    const sent = await jobs.stack.sqs.send(
      new SendMessageCommand({ QueueUrl: jobs.stack.queueUrls[op], MessageBody: '{not json' }),
    );
    const record = await until('the poison message record', async () => store.get(`sqs-${sent.MessageId}`));
    expect(record).toMatchObject({
      status: 'FAILED',
      error: { code: 'VALIDATION_FAILED', issues: [{ field: 'message', rule: 'json' }] },
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await messagesIn(jobs.stack, jobs.stack.queueUrls[op])).toBe(0);
    expect(await messagesIn(jobs.stack, jobs.stack.dlqUrls[op])).toBe(0);
  });

  it('runs as `npm run redrive` against the emulator', async () => {
    const { execFile } = await import('node:child_process');
    const out = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(
        'npm',
        ['run', '-s', 'redrive', '--', '--stage', jobs.stack.stage, '--operation', op, '--dry-run'],
        {
          cwd: join(import.meta.dirname, '..', '..', '..'),
          env: { ...process.env, ...jobs.stack.env },
          timeout: 30_000,
        },
        (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
      );
    });
    expect(out).toEqual({
      code: 0,
      stdout: `${op}: would move 0 message(s) from lrs-gateway-${jobs.stack.stage}-find-learner-by-uln-dlq\n`,
    });
  });

  it('refuses bad arguments', async () => {
    const err = console.error;
    console.error = () => undefined;
    try {
      expect(await redriveMain(['--stage', jobs.stack.stage])).toBe(2);
      expect(await redriveMain(['--stage', jobs.stack.stage, '--operation', 'noSuchOperation'])).toBe(2);
    } finally {
      console.error = err;
    }
  });

  it('log ids, operations and codes, never a learner name, date of birth or postcode', async () => {
    const learners = verifiableLearners(2);
    const posted = await request<{ jobId: string }>(jobs.stack, 'POST', '/v1/jobs', {
      body: {
        operation: 'verifyLearner',
        items: [
          ...learners.map((l) => ({ uln: l.uln, givenName: l.givenName, familyName: l.familyName })),
          { uln: '1234567890', givenName: 'Invalidrow', familyName: 'Badulnperson' },
        ],
      },
    });
    expect(posted.status).toBe(202);
    await waitForJob(jobs.stack, posted.body.jobId);
    const text = jobs.output.text();
    expect(text).toContain('"message":"Queue message goes to the dead-letter queue"');
    expect(text).toContain('"message":"Job accepted and queued"');
    expect(text).toContain('items[2].uln');
    const people = [
      { ...exact },
      ...learners,
      { givenName: 'Invalidrow', familyName: 'Badulnperson', dateOfBirth: '1900-01-01', postcode: 'ZZ9 9ZZ' },
    ];
    expect(personalDataIn(text, people)).toEqual([]);
  });
});
