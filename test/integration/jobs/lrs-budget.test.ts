/**
 * One LRS budget for both paths: while a bulk job holds every slot, HTTP callers get 429 with Retry-After
 * (nothing sent to the LRS for them), the job slows down instead of failing, and the simulator never
 * sees more calls in flight than the budget, although the queues alone could run more.
 */
import { describe, expect, it } from 'vitest';
import { LRS_BUDGET_ENV } from '../../../shared/app/lrs-budget.js';
import { JOBS_ENV } from '../../../shared/jobs/settings.js';
import { notableLearner, verifiableLearners } from '../../../simulator/seed.js';
import { postVerifyJob, request, useJobsStack, waitForJob } from './support.js';

const BUDGET = 2;
// Four invocations per queue could call the LRS at once; the budget allows two for the whole stage.
const stack = useJobsStack({
  lrsMaxConcurrency: 4,
  settings: { [LRS_BUDGET_ENV.limit]: String(BUDGET), [JOBS_ENV.recordConcurrency]: '1' },
});

const exact = notableLearner('exact');

describe('the LRS budget', () => {
  it('answers HTTP 429 while a job holds it, slows the job down without losing anything, and bounds the LRS', async () => {
    stack.simulator.clearRequests();
    stack.simulator.setConditions({ latencyMs: 60 });
    const learners = verifiableLearners(150);
    try {
      const jobId = await postVerifyJob(stack, learners);

      // Interactive calls while the job runs.
      const answers: { status: number; retryAfter: string | null; code?: string }[] = [];
      const until = Date.now() + 20_000;
      while (Date.now() < until && !answers.some((a) => a.status === 429)) {
        const batch = await Promise.all(
          Array.from({ length: 4 }, () =>
            request<{ error?: { code: string } }>(stack, 'POST', '/v1/learners/find-by-uln', {
              body: { uln: exact.uln, givenName: exact.givenName, familyName: exact.familyName },
            }),
          ),
        );
        answers.push(
          ...batch.map((a) => ({
            status: a.status,
            retryAfter: a.headers.get('retry-after'),
            ...(a.body.error ? { code: a.body.error.code } : {}),
          })),
        );
      }
      const refused = answers.filter((a) => a.status === 429);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused[0]).toEqual({ status: 429, retryAfter: '1', code: 'RATE_LIMITED' });
      expect(answers.every((a) => a.status === 200 || a.status === 429)).toBe(true);

      const job = await waitForJob(stack, jobId, 100_000);
      expect(job).toMatchObject({
        counts: { pending: 0, completed: 150, failed: 0, deadLettered: 0 },
        outcomes: { WSVRC001: 150 },
      });
      // Every learner verified once; every answered HTTP call was one LRS call, the refused ones none.
      const log = stack.simulator.requests();
      expect(log.filter((r) => r.operation === 'verifyLearner' && r.status === 200)).toHaveLength(150);
      expect(log.filter((r) => r.operation === 'learnerByULN')).toHaveLength(
        answers.filter((a) => a.status === 200).length,
      );
      const calls = log.map((r) => ({ start: Date.parse(r.at), end: Date.parse(r.at) + r.durationMs }));
      const inFlight = Math.max(
        ...calls.map((c) => calls.filter((o) => o.start <= c.start && o.end > c.start).length),
      );
      console.log(
        `at most ${inFlight} LRS calls in flight; ${refused.length} of ${answers.length} HTTP calls refused`,
      );
      expect(inFlight).toBeLessThanOrEqual(BUDGET);
      expect(inFlight).toBe(BUDGET);
    } finally {
      stack.simulator.setConditions({ latencyMs: 0 });
    }
  }, 120_000);
});
