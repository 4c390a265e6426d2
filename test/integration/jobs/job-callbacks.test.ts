/**
 * Job callbacks against real HTTP receivers on loopback: the completion and cancellation events through
 * the callback queue (fauxqs) and the real job-callbacks function, signatures checked the way a receiver
 * checks them (recompute the HMAC over the raw body, constant-time compare, reject old timestamps), no
 * learner data in the body, every attempt shown on the job; retries against a failing receiver with time
 * compressed through the clock (a day of backoff in milliseconds); no redirects, a timeout, a bounded read,
 * and no private addresses.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CALLER_ID } from '../../../local/runtime.js';
import { DynamoDbJobsStore } from '../../../shared/adapters/dynamodb-jobs-store.js';
import { SecretsManagerCallbackSecrets } from '../../../shared/adapters/secrets-manager-callback-secrets.js';
import {
  type CallbackMessage,
  type DeliveryOutcome,
  deliverCallback,
  httpCallbackPoster,
} from '../../../shared/jobs/callback-delivery.js';
import { CALLBACK_ENV, DEFAULT_CALLBACK_SETTINGS } from '../../../shared/jobs/callback-settings.js';
import { callbackEventId } from '../../../shared/jobs/callbacks.js';
import { verifiableLearners } from '../../../simulator/seed.js';
import { pour } from '../../support/net.js';
import { request, useJobsStack } from './support.js';

interface Received {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

const stack = useJobsStack({ sweepIntervalMs: 0 });
let receiver: Server;
let base: string;
const received: Received[] = [];
/** Per path: how many more requests answer 503 before the path answers 200. */
const failures = new Map<string, number>();

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (path === '/redirect') {
        res.writeHead(302, { location: `${base}/trap` }).end();
      } else if (path === '/slow') {
        // Never answers.
      } else if (path === '/endless') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        pour(res, Buffer.alloc(64 * 1024, 97), Number.POSITIVE_INFINITY);
      } else {
        const left = failures.get(path) ?? 0;
        if (left > 0) failures.set(path, left - 1);
        res.writeHead(left > 0 ? 503 : 200).end(left > 0 ? 'busy' : 'ok');
      }
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  receiver?.closeAllConnections();
  await new Promise((r) => receiver?.close(r));
});

const CALLER = LOCAL_CALLER_ID;

/** A receiver's check: recompute the HMAC over the raw body, compare in constant time, reject old stamps. */
const verifySignature = (header: string | undefined, rawBody: string, secret: string, nowSeconds: number) => {
  if (!header) return false;
  const parts = new Map(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > 300 || !/^[0-9a-f]{64}$/.test(v1)) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  return timingSafeEqual(Buffer.from(v1, 'hex'), expected);
};

const until = async (what: string, probe: () => boolean, timeoutMs = 30_000) => {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

const learners = verifiableLearners(40).slice(30);
const items = learners.map((l) => ({ uln: l.uln, givenName: l.givenName, familyName: l.familyName }));

interface Deliveries {
  callback?: {
    url: string;
    deliveries: { event: string; state: string; attempts: { statusCode?: number; at: string }[] }[];
  };
}

describe('a job with a callbackUrl', () => {
  it('POSTs a signed completion event without learner data, and shows the delivery on the job', async () => {
    const url = `${base}/hooks/completed`;
    const posted = await request<{ jobId: string; callbackUrl: string }>(stack, 'POST', '/v1/jobs', {
      body: { operation: 'verifyLearner', items: items.slice(0, 5), callbackUrl: url },
    });
    expect(posted.status, posted.text).toBe(202);
    expect(posted.body.callbackUrl).toBe(url);
    const jobId = posted.body.jobId;
    await until('the callback', () => received.some((r) => r.path === '/hooks/completed'));
    const hit = received.find((r) => r.path === '/hooks/completed') as Received;

    const secret = stack.callbackSecrets[CALLER] as string;
    const signature = hit.headers['lrs-gateway-signature'] as string;
    const now = Math.floor(Date.now() / 1000);
    expect(verifySignature(signature, hit.body, secret, now)).toBe(true);
    // What a receiver must refuse: another secret, a changed body, a replay after five minutes.
    expect(verifySignature(signature, hit.body, `${secret}x`, now)).toBe(false);
    expect(
      verifySignature(signature, hit.body.replace('"job.completed"', '"job.cancelled"'), secret, now),
    ).toBe(false);
    expect(verifySignature(signature, hit.body, secret, now + 301)).toBe(false);

    const event = JSON.parse(hit.body) as { id: string; type: string; data: Record<string, unknown> };
    expect(hit.headers['lrs-gateway-event-id']).toBe(event.id);
    expect(event.id).toBe(callbackEventId(jobId, 'job.completed'));
    expect(event).toMatchObject({
      type: 'job.completed',
      data: {
        jobId,
        operation: 'verifyLearner',
        status: 'COMPLETED',
        total: 5,
        counts: { pending: 0, completed: 5, failed: 0, cancelled: 0, deadLettered: 0 },
        links: { self: `/v1/jobs/${jobId}`, results: `/v1/jobs/${jobId}/results` },
      },
    });
    for (const l of learners) {
      for (const v of [l.uln, l.givenName, l.familyName]) expect(hit.body).not.toContain(v);
    }

    let job: Deliveries = {};
    for (let i = 0; i < 50; i++) {
      job = (await request<Deliveries>(stack, 'GET', `/v1/jobs/${jobId}`)).body;
      if (job.callback?.deliveries[0]?.state === 'DELIVERED') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(job.callback).toMatchObject({
      url,
      deliveries: [{ event: 'job.completed', state: 'DELIVERED', attempts: [{ statusCode: 200 }] }],
    });
    expect(received.filter((r) => r.path === '/hooks/completed')).toHaveLength(1);
  });

  it('POSTs job.cancelled when the job is cancelled', async () => {
    stack.simulator.setConditions({ latencyMs: 200 });
    try {
      const posted = await request<{ jobId: string }>(stack, 'POST', '/v1/jobs', {
        body: { operation: 'verifyLearner', items, callbackUrl: `${base}/hooks/cancelled` },
      });
      expect(posted.status, posted.text).toBe(202);
      const cancel = await request(stack, 'POST', `/v1/jobs/${posted.body.jobId}/cancel`, { body: {} });
      expect(cancel.status, cancel.text).toBe(200);
      await until('the cancellation callback', () => received.some((r) => r.path === '/hooks/cancelled'));
    } finally {
      stack.simulator.setConditions({ latencyMs: 0 });
    }
    const hit = received.find((r) => r.path === '/hooks/cancelled') as Received;
    const event = JSON.parse(hit.body) as {
      type: string;
      data: { status: string; counts: { pending: number } };
    };
    expect(event).toMatchObject({
      type: 'job.cancelled',
      data: { status: 'CANCELLED', counts: { pending: 0 } },
    });
    expect(
      verifySignature(
        hit.headers['lrs-gateway-signature'] as string,
        hit.body,
        stack.callbackSecrets[CALLER] as string,
        Math.floor(Date.now() / 1000),
      ),
    ).toBe(true);
  });

  it('refuses a callbackUrl that is not https to a public host, naming the rule', async () => {
    const cases: [string, string][] = [
      ['ftp://mis.example.ac.uk/hook', 'https'],
      ['http://mis.example.ac.uk/hook', 'https'],
      ['https://10.1.2.3/hook', 'publicHost'],
      ['https://169.254.169.254/latest/meta-data', 'publicHost'],
      ['https://user:pw@mis.example.ac.uk/hook', 'noCredentials'],
      ['not a url', 'url'],
    ];
    for (const [callbackUrl, rule] of cases) {
      const r = await request<{ error: { issues: { field: string; rule: string; message: string }[] } }>(
        stack,
        'POST',
        '/v1/jobs',
        { body: { operation: 'verifyLearner', items: items.slice(0, 1), callbackUrl } },
      );
      expect(r.status, callbackUrl).toBe(400);
      expect(r.body.error.issues, callbackUrl).toEqual([
        expect.objectContaining({ field: 'callbackUrl', rule }),
      ]);
      expect(r.body.error.issues[0]?.message).not.toContain(callbackUrl);
    }
  });
});

describe('delivery attempts (time compressed through the clock)', () => {
  const jobs = () => new DynamoDbJobsStore({ tableName: stack.tableName, client: stack.dynamoClient });
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

  /** Runs one callback until it is delivered or given up, moving the clock to each queued copy's delay. */
  const runCallback = async (path: string, jobId: string) => {
    let clock = Date.parse('2026-09-01T08:00:00Z');
    const eventId = callbackEventId(jobId, 'job.completed');
    await jobs().createCallback(
      {
        jobId,
        eventId,
        event: 'job.completed',
        state: 'PENDING',
        createdAt: new Date(clock).toISOString(),
        attempts: [],
      },
      Math.floor(clock / 1000) + 86_400 * 3,
    );
    const queue: { body: string; delaySeconds: number }[] = [];
    const posts: number[] = [];
    const deps = {
      jobs: jobs(),
      secrets: new SecretsManagerCallbackSecrets({
        secretPrefix: stack.env[CALLBACK_ENV.secretPrefix] as string,
      }),
      post: async (url: string, headers: Readonly<Record<string, string>>, body: string) => {
        posts.push(clock);
        expect(
          verifySignature(
            headers['LRS-Gateway-Signature'],
            body,
            stack.callbackSecrets[CALLER] as string,
            Math.floor(clock / 1000),
          ),
        ).toBe(true);
        return httpCallbackPoster({ timeoutMs: 2000, allowLoopback: true })(url, headers, body);
      },
      resend: async (body: string, delaySeconds: number) => {
        expect(delaySeconds).toBeLessThanOrEqual(900);
        queue.push({ body, delaySeconds });
      },
      settings: DEFAULT_CALLBACK_SETTINGS,
      log: quiet,
      now: () => new Date(clock),
    };
    let message: CallbackMessage = {
      jobId,
      eventId,
      event: 'job.completed',
      url: `${base}${path}`,
      caller: CALLER,
      body: JSON.stringify({ id: eventId, type: 'job.completed', data: { jobId } }),
      attempt: 0,
    };
    const outcomes: DeliveryOutcome[] = [];
    for (let i = 0; i < 500; i++) {
      const outcome = await deliverCallback(deps, message);
      outcomes.push(outcome);
      const next = queue.shift();
      if (!next) break;
      clock += next.delaySeconds * 1000;
      message = JSON.parse(next.body) as CallbackMessage;
    }
    return { outcomes, posts, eventId };
  };

  it('retries a failing receiver with exponential backoff until it answers, each attempt on the job', async () => {
    failures.set('/flaky', 3);
    const jobId = 'job-0000000000000000000000000000f1a1';
    const { outcomes, posts, eventId } = await runCallback('/flaky', jobId);
    expect(outcomes.filter((o) => o !== 'WAITING')).toEqual([
      'RETRYING',
      'RETRYING',
      'RETRYING',
      'DELIVERED',
    ]);
    // 30 s, then 60 s, then 120 s between the attempts.
    expect(posts.slice(1).map((t, i) => (t - (posts[i] as number)) / 1000)).toEqual([30, 60, 120]);
    const [record] = (await jobs().listCallbacks(jobId)).filter((c) => c.eventId === eventId);
    expect(record?.state).toBe('DELIVERED');
    expect(record?.attempts.map((a) => a.statusCode)).toEqual([503, 503, 503, 200]);
    expect(record?.attempts.map((a) => Boolean(a.nextAttemptAt))).toEqual([true, true, true, false]);
    expect(record?.attempts[0]?.nextAttemptAt).toBe(new Date(posts[1] as number).toISOString());
  });

  it('gives up after 24 hours of attempts against a receiver that never answers 2xx', async () => {
    failures.set('/down', 1_000_000);
    const jobId = 'job-0000000000000000000000000000d0e1';
    const { outcomes, posts, eventId } = await runCallback('/down', jobId);
    expect(outcomes.at(-1)).toBe('FAILED');
    // The schedule: 30 s doubling, at most an hour apart, none later than a day after the first.
    const waits = posts.slice(1).map((t, i) => (t - (posts[i] as number)) / 1000);
    const expected: number[] = [];
    for (let n = 1, total = 0; ; n++) {
      const wait = Math.min(3600, 30 * 2 ** (n - 1));
      if (total + wait > 86_400) break;
      total += wait;
      expected.push(wait);
    }
    expect(waits).toEqual(expected);
    expect((posts.at(-1) as number) - (posts[0] as number)).toBeLessThanOrEqual(86_400_000);
    // Waits over 15 minutes are chains of delayed copies that do not call the receiver.
    expect(outcomes).toContain('WAITING');
    const [record] = (await jobs().listCallbacks(jobId)).filter((c) => c.eventId === eventId);
    expect(record?.state).toBe('FAILED');
    expect(record?.attempts).toHaveLength(posts.length);
    expect(record?.attempts.at(-1)?.nextAttemptAt).toBeUndefined();
  });

  it('follows no redirect, times out, reads a bounded answer, and never calls a private address', async () => {
    const post = httpCallbackPoster({ timeoutMs: 300, allowLoopback: true });
    const redirected = await post(`${base}/redirect`, {}, '{}');
    expect(redirected).toMatchObject({ statusCode: 302 });
    expect(received.some((r) => r.path === '/trap')).toBe(false);

    const slow = await post(`${base}/slow`, {}, '{}');
    expect(slow).toMatchObject({ error: 'No answer within the timeout' });
    expect(slow.durationMs).toBeLessThan(5000);

    const endless = await post(`${base}/endless`, {}, '{}');
    expect(endless).toMatchObject({ statusCode: 200 });

    const strict = httpCallbackPoster({ timeoutMs: 300, allowLoopback: false });
    const before = received.length;
    for (const url of [`${base}/ok`, base.replace('127.0.0.1', 'localhost')]) {
      expect(await strict(url, {}, '{}')).toMatchObject({
        error: 'The callback host resolves to a private or loopback address',
      });
    }
    expect(received.length).toBe(before);
  });
});
