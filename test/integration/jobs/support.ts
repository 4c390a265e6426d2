/**
 * What the bulk-job integration tests share: a local stack (simulator over mutual TLS, dynalite, fauxqs,
 * the API Gateway stand-in and the SQS pollers running the real functions) with the retry and poll waits
 * shortened through their environment variables, and small clients for the jobs API.
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { expect } from 'vitest';
import { JOBS_ENV } from '../../../shared/jobs/settings.js';
import { useFileFixture } from '../../support/file-fixture.js';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../support/local-stack.js';
import { captureOutput } from '../../support/output.js';

export const ORG = 'TEST0001';

// Thousands of requests: keep the test output to warnings (the logs themselves are tested elsewhere).
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

/** Waits measured in seconds, so a test sees retries, out-of-hours waits and batch polls within seconds. */
export const FAST_SETTINGS: Record<string, string> = {
  [JOBS_ENV.retryBaseSeconds]: '1',
  [JOBS_ENV.retryMaxSeconds]: '2',
  [JOBS_ENV.outOfHoursMaxDelaySeconds]: '1',
  [JOBS_ENV.outOfHoursMaxWaitSeconds]: '2',
  [JOBS_ENV.batchPollSeconds]: '1',
};

export const startJobsStack = async (
  options: LocalStackOptions & { settings?: Record<string, string> } = {},
): Promise<LocalStack> => {
  const { settings, ...rest } = options;
  const stack = await startLocalStack({ pollWaitTimeSeconds: 1, ...rest });
  // The functions load lazily, on their first event: their settings are read after this point.
  // (QUEUE_MAX_RECEIVE_COUNT comes with the local stack's env, from its maxReceiveCount.)
  Object.assign(process.env, FAST_SETTINGS, settings ?? {});
  return stack;
};

/**
 * A jobs stack for a file that checks the logs: every line at INFO (the functions read the level when
 * they load) and all of them captured from before the stack starts. Restore the output after the file.
 */
export const startLoggedJobsStack = async (
  options: Parameters<typeof startJobsStack>[0] = {},
): Promise<{ stack: LocalStack; output: ReturnType<typeof captureOutput> }> => {
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  const output = captureOutput();
  try {
    return { stack: await startJobsStack(options), output };
  } catch (error) {
    output.restore();
    throw error;
  }
};

/**
 * One jobs stack for the file (see startJobsStack): started before its tests, stopped after them. The
 * stack returned reads through to the running one: use it inside tests and hooks.
 */
export const useJobsStack = (options: Parameters<typeof startJobsStack>[0] = {}): LocalStack =>
  useFileFixture(
    'The jobs stack',
    () => startJobsStack(options),
    (stack) => stack.stop(),
  );

/**
 * One logged jobs stack for the file (see startLoggedJobsStack): started before its tests, the output
 * restored and the stack stopped after them. Read `stack` and `output` inside tests and hooks.
 */
export const useLoggedJobsStack = (options: Parameters<typeof startJobsStack>[0] = {}) =>
  useFileFixture(
    'The jobs stack',
    () => startLoggedJobsStack(options),
    async ({ stack, output }) => {
      output.restore();
      await stack.stop();
    },
  );

/** How many messages a queue holds, visible or in flight. */
export const messagesIn = async (stack: LocalStack, url: string): Promise<number> => {
  const out = await stack.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
};

export interface Answer<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
}

export const request = async <T = Record<string, unknown>>(
  stack: LocalStack,
  method: 'GET' | 'POST',
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; contentType?: string } = {},
): Promise<Answer<T>> => {
  const headers: Record<string, string> = { ...stack.headers(ORG), ...(options.headers ?? {}) };
  if (options.contentType) headers['content-type'] = options.contentType;
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers,
    ...(options.body === undefined
      ? {}
      : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // CSV or JSON lines: left as text.
  }
  return { status: res.status, headers: res.headers, body: body as T, text };
};

/** POSTs a verifyLearner job of `learners` (ULN and names each), expects it accepted (202): its id. */
export const postVerifyJob = async (
  stack: LocalStack,
  learners: readonly { uln: string; givenName: string; familyName: string }[],
): Promise<string> => {
  const posted = await request<{ jobId: string }>(stack, 'POST', '/v1/jobs', {
    body: {
      operation: 'verifyLearner',
      items: learners.map((l) => ({ uln: l.uln, givenName: l.givenName, familyName: l.familyName })),
    },
  });
  expect(posted.status, posted.text).toBe(202);
  return posted.body.jobId;
};

export interface JobBody {
  jobId: string;
  status: string;
  total: number;
  counts: { pending: number; completed: number; failed: number; deadLettered: number };
  outcomes: Record<string, number>;
  errors: Record<string, number>;
  batches?: number;
}

/** Polls GET /v1/jobs/{jobId} until the job is COMPLETED (or the time is up). */
export const waitForJob = async (stack: LocalStack, jobId: string, timeoutMs = 40_000): Promise<JobBody> => {
  const until = Date.now() + timeoutMs;
  let last: JobBody | undefined;
  while (Date.now() < until) {
    const r = await request<JobBody>(stack, 'GET', `/v1/jobs/${jobId}`);
    if (r.status !== 200) throw new Error(`GET job answered ${r.status}: ${r.text}`);
    last = r.body;
    if (last.status === 'COMPLETED') return last;
    // Counting a big job's items costs the emulator CPU the job itself needs: ask less often.
    const total = last?.total ?? 0;
    await new Promise((res) => setTimeout(res, total > 1500 ? 3000 : total > 500 ? 1000 : 200));
  }
  throw new Error(`job ${jobId} did not complete in time: ${JSON.stringify(last)}`);
};

export interface ResultItem {
  index: number;
  status: string;
  requestId?: string;
  outcome?: { code: string; lrsCode?: string };
  result?: Record<string, unknown>;
  error?: { code: string; issues?: { field: string; rule: string }[] };
}

/** Every result item of a job, following the cursor page by page. */
export const allResults = async (stack: LocalStack, jobId: string, limit = 250): Promise<ResultItem[]> => {
  const items: ResultItem[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const q = new URLSearchParams({ limit: String(limit), ...(cursor ? { cursor } : {}) });
    const r = await request<{ items: ResultItem[]; nextCursor?: string }>(
      stack,
      'GET',
      `/v1/jobs/${jobId}/results?${q}`,
    );
    if (r.status !== 200) throw new Error(`GET results answered ${r.status}: ${r.text}`);
    items.push(...r.body.items);
    cursor = r.body.nextCursor;
    if (!cursor) break;
  }
  return items;
};

/** A name of letters only, distinct for each n below 26^4. */
const letters = (n: number) => {
  let s = '';
  for (let i = 0, v = n; i < 4; i++, v = Math.floor(v / 26)) s += String.fromCharCode(97 + (v % 26));
  return s;
};

/**
 * `count` (up to 3,360) new learners to register, none matching a seeded learner or each other: the names
 * share a prefix (similar to the LRS), so every date of birth and gender pair is far from every other
 * (odd days from 13, never a month, so no swapped day and month; odd months; even years; gender 1 or 2).
 */
export const newLearners = (tag: string, count: number) =>
  Array.from({ length: count }, (_, i) => {
    const day = 13 + (i % 8) * 2;
    const month = 1 + (Math.floor(i / 8) % 6) * 2;
    const year = 1940 + (Math.floor(i / 48) % 35) * 2;
    return {
      learner: {
        givenName: `Zq${tag}${letters(i)}`,
        familyName: `Xj${letters(i)}${tag}`,
        dateOfBirth: `${year}-${String(month).padStart(2, '0')}-${day}`,
        gender: String(1 + (Math.floor(i / 1680) % 2)),
        lastKnownPostCode: 'S1 2HE',
        verificationType: '1',
        abilityToShare: '1',
      },
    };
  });

/** Most requests the simulator had in flight at once (from its request log). */
export const peakInFlight = (log: readonly { at: string; durationMs: number }[]): number => {
  const calls = log.map((r) => ({ start: Date.parse(r.at), end: Date.parse(r.at) + r.durationMs }));
  return Math.max(0, ...calls.map((c) => calls.filter((o) => o.start <= c.start && o.end > c.start).length));
};

/**
 * POST /v1/jobs as a careful MIS does: a 504 (the API's time limit passed while a big job was being
 * created) is sent again with the same Idempotency-Key, which answers the same job.
 */
export const postJob = async (stack: LocalStack, body: unknown, idempotencyKey: string) => {
  let last: Answer<{ jobId: string }> | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    last = await request<{ jobId: string }>(stack, 'POST', '/v1/jobs', {
      body,
      headers: { 'idempotency-key': idempotencyKey },
    });
    if (last.status !== 504) return last;
  }
  return last as Answer<{ jobId: string }>;
};
