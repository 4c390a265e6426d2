/**
 * A 1,000-learner register job while the LRS loses answers: 20 % of connections reset after the LRS
 * processed the request (the learner is registered, the answer never arrives), 10 % of requests fail with
 * a 5xx, and every answer is delayed. The gateway never sends a register again blindly: it finds out what
 * happened with the demographic search. The simulator's new learners are exactly those reported
 * registered, each with its own ULN: none reported wrongly, none registered twice, none lost.
 */
import { describe, expect, it } from 'vitest';
import { allResults, newLearners, postJob, useJobsStack, waitForJob } from './support.js';

const stack = useJobsStack({ maxReceiveCount: 5, lrsMaxConcurrency: 4 });

describe('a register job through lost answers', () => {
  it('reports exactly the learners the LRS registered, each with its ULN, none twice', async () => {
    const items = newLearners('rst', 1000);
    const before = new Set(stack.simulator.registeredUlns());
    stack.simulator.clearRequests();
    stack.simulator.setConditions({ resetRate: 0.2, resetPhase: 'after', failureRate: 0.1, latencyMs: 3 });
    let jobId: string;
    try {
      const posted = await postJob(
        stack,
        { operation: 'registerLearner', items },
        `lost-answers-${stack.stage}`,
      );
      expect(posted.status, posted.text).toBe(202);
      jobId = posted.body.jobId;
      const job = await waitForJob(stack, jobId, 420_000);
      expect(job).toMatchObject({
        counts: { pending: 0, completed: 1000, failed: 0, deadLettered: 0 },
        outcomes: { WSRC0005: 1000 },
        errors: {},
      });
    } finally {
      stack.simulator.resetConditions();
    }
    const log = stack.simulator.requests();
    const resetsAfterRegister = log.filter(
      (r) => r.operation === 'registerSingleLearner' && r.code === 'RESET',
    );
    console.log(
      `${log.length} LRS requests, ${resetsAfterRegister.length} registers whose answer was lost, ${log.filter((r) => r.code === 'INJECTED').length} injected failures`,
    );
    expect(resetsAfterRegister.length).toBeGreaterThan(50);
    // Never sent again blindly: the LRS refused no register as a duplicate.
    expect(log.filter((r) => r.operation === 'registerSingleLearner' && r.code === 'WSRC0021')).toEqual([]);

    const created = stack.simulator.registeredUlns().filter((u) => !before.has(u));
    const results = await allResults(stack, jobId, 1000);
    expect(results).toHaveLength(1000);
    const reported = new Map<string, number>();
    for (const r of results) {
      expect(r.status).toBe('COMPLETED');
      expect(r.result?.registered).toBe(true);
      const uln = String(r.result?.uln);
      expect(uln).toMatch(/^[1-9][0-9]{9}$/);
      // Each ULN is the learner submitted at that index, as the LRS holds it.
      const held = stack.simulator.learner(uln);
      const sent = items[r.index]?.learner;
      expect([held?.givenName, held?.familyName, held?.dateOfBirth]).toEqual([
        sent?.givenName,
        sent?.familyName,
        sent?.dateOfBirth,
      ]);
      reported.set(uln, (reported.get(uln) ?? 0) + 1);
    }
    // Exactly the learners the LRS registered, each reported once: 0 wrong, 0 duplicates, 0 lost.
    expect([...reported.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(created)).toEqual(new Set(reported.keys()));
    expect(created).toHaveLength(1000);
    const reconciled = results.filter((r) => r.result?.reconciled === true).length;
    console.log(`${reconciled} registrations confirmed by a search after their answer was lost`);
    expect(reconciled).toBeGreaterThan(0);
  }, 480_000);
});
