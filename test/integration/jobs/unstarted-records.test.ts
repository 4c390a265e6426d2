/**
 * Invocations that run out of time: with the deployed batch of 10 records, taken one at a time, and a
 * start margin of the LRS timeout + 3 s, only the first second of each 30-second invocation may start a
 * record. Every delivery costs a receive, so records handed back as failures would reach the DLQ after
 * maxReceiveCount (2 here) deliveries without one LRS attempt. Handed back as fresh messages instead,
 * each is verified exactly once and nothing reaches the DLQ.
 */
import { describe, expect, it } from 'vitest';
import { JOBS_ENV } from '../../../shared/jobs/settings.js';
import { verifiableLearners } from '../../../simulator/seed.js';
import { messagesIn, postVerifyJob, useLoggedJobsStack, waitForJob } from './support.js';

const jobs = useLoggedJobsStack({
  maxReceiveCount: 2,
  // 26 s + 3 s margin of a 30 s invocation: a record may start only in its first second.
  lrsTimeoutMs: 26_000,
  settings: { [JOBS_ENV.recordConcurrency]: '1' },
});

describe('records an invocation has no time to start', () => {
  it('go back as fresh messages: each is done once, none reaches the DLQ without an LRS attempt', async () => {
    jobs.stack.simulator.clearRequests();
    // Each LRS call takes longer than a third of the start window: about two records start per invocation.
    jobs.stack.simulator.setConditions({ latencyMs: 400 });
    const learners = verifiableLearners(40);
    try {
      const jobId = await postVerifyJob(jobs.stack, learners);
      const job = await waitForJob(jobs.stack, jobId, 100_000);
      expect(job).toMatchObject({
        counts: { pending: 0, completed: 40, failed: 0, deadLettered: 0 },
        outcomes: { WSVRC001: 40 },
      });
    } finally {
      jobs.stack.simulator.setConditions({ latencyMs: 0 });
    }
    const handedBack = jobs.output
      .text()
      .split('\n')
      .filter((l) => l.includes('Queue message not started (too little time left)')).length;
    console.log(`${handedBack} records handed back unstarted`);
    // Many records went back unstarted, far more than two deliveries each would have allowed.
    expect(handedBack).toBeGreaterThan(40);
    expect(
      jobs.stack.simulator.requests().filter((r) => r.operation === 'verifyLearner' && r.status === 200),
    ).toHaveLength(40);
    expect(await messagesIn(jobs.stack, jobs.stack.dlqUrls.verifyLearner)).toBe(0);
    expect(jobs.output.text()).not.toContain('Queue message goes to the dead-letter queue');
  }, 120_000);
});
