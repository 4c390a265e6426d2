/**
 * Values normalised before validation, through the real operation handlers against the simulator
 * (mutual TLS, the WCF-strict xs:dateTime and the MIAP facets): an achievement with minutes-only
 * times is accepted (200, never a retryable 503 the LRS would keep refusing), a search with a
 * lower-case, badly spaced postcode and padded names finds the learner, and what cannot be normalised
 * is a 400 naming the rule.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorEnvelope as ErrorBody, RequestView } from '../../../shared/http/http-response.js';
import { notableLearner } from '../../../simulator/seed.js';
import { achievementFor } from '../../support/learner-requests.js';
import { type Harness, startHarness } from '../api/harness.js';

type View = RequestView & { result: Record<string, unknown> };

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ simulator: { batchDurationMs: 200 } });
});
afterAll(async () => h?.stop());

const exact = notableLearner('exact');
const NBSP = '\u00a0';
const key = () => `test-${randomUUID()}`;

const achievement = (over: Record<string, unknown>) => ({
  achievements: [
    achievementFor(exact, {
      achievementAwardDate: '2026-06-02T10:00',
      actionDate: '2026-06-02T10:05',
      ...over,
    }),
  ],
});

describe('normalised input through the handlers', () => {
  it('an achievement with minutes-only times answers 200 (WSRC0007), and the job completes', async () => {
    const res = await h.call<View>('submitAchievementBatch', achievement({}), { idempotencyKey: key() });
    expect(res.statusCode, JSON.stringify(res.body).slice(0, 300)).toBe(200);
    expect(res.body.outcome).toMatchObject({ lrsCode: 'WSRC0007' });
    const jobId = res.body.result.jobId as number;
    expect(jobId).toBeGreaterThan(0);
    h.stack.simulator.finishJobs();
    const out = await h.call<View>('getAchievementBatch', { jobId });
    expect(out.statusCode).toBe(200);
    expect(out.body.result).toMatchObject({ status: 'Successful', achievementsCreated: 1 });
  });

  it.each([
    ['a time with a space and fractional seconds', { actionDate: '2026-06-02 10:05:30.25' }],
    ['a date of birth as a date only', { dateOfBirth: '1976-08-16' }],
  ])('%s is sent as a valid xs:dateTime (200)', async (_name, over) => {
    const res = await h.call<View>('submitAchievementBatch', achievement(over), { idempotencyKey: key() });
    expect(res.statusCode, JSON.stringify(res.body).slice(0, 300)).toBe(200);
    expect(res.body.outcome).toMatchObject({ lrsCode: 'WSRC0007' });
  });

  it('a date-time that is not one (month 13) is a 400 naming the field and the rule', async () => {
    const res = await h.call<ErrorBody>(
      'submitAchievementBatch',
      achievement({ achievementAwardDate: '2026-13-02T10:00' }),
      {
        idempotencyKey: key(),
      },
    );
    expect(res.statusCode).toBe(400);
    expect(res.body.error.issues).toEqual([
      expect.objectContaining({ field: 'achievements[0].achievementAwardDate', rule: 'calendarDate' }),
    ]);
  });

  it('a lower-case, double-spaced postcode and padded names with no-break spaces find the exact match', async () => {
    const res = await h.call<View>('findLearnerByDemographics', {
      familyName: ` ${exact.familyName}${NBSP}`,
      givenName: `${NBSP}${exact.givenName}  `,
      dateOfBirth: exact.dateOfBirth,
      gender: exact.gender,
      lastKnownPostCode: ` ${exact.postcode.toLowerCase().replace(' ', '  ')} `,
    });
    expect(res.statusCode, JSON.stringify(res.body).slice(0, 300)).toBe(200);
    expect(res.body.outcome).toMatchObject({ lrsCode: 'WSRC0004' });
  });

  it('a name of no-break spaces is a 400 naming the rule, not a value the LRS refuses', async () => {
    const res = await h.call<ErrorBody>('findLearnerByDemographics', {
      familyName: exact.familyName,
      givenName: NBSP.repeat(4),
      dateOfBirth: exact.dateOfBirth,
      gender: exact.gender,
      lastKnownPostCode: exact.postcode,
    });
    expect(res.statusCode).toBe(400);
    expect(res.body.error.issues).toEqual([
      expect.objectContaining({ field: 'givenName', rule: 'nonBlank' }),
    ]);
  });
});
