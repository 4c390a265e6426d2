/** The queue retry policy: backoff by receive count, out-of-hours waits by delayed re-send. */
import { describe, expect, it } from 'vitest';
import { backoffSeconds, decideRetry, deferral } from '../../../shared/jobs/retry-policy.js';
import { DEFAULT_JOB_SETTINGS, loadJobSettings, type RetrySettings } from '../../../shared/jobs/settings.js';

const settings: RetrySettings = { ...DEFAULT_JOB_SETTINGS.retry };
const now = Date.UTC(2026, 10, 27, 1, 0, 0);

describe('backoff of transient failures', () => {
  it('doubles with each receive and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 10].map((n) => backoffSeconds(settings, n))).toEqual([
      30, 60, 120, 240, 480, 900, 900,
    ]);
  });

  it('hides a maintenance failure for the backoff and marks the last receive before the DLQ', () => {
    expect(
      decideRetry(settings, { reason: 'MAINTENANCE', retryAfterSeconds: 300, receiveCount: 2, now }),
    ).toEqual({
      kind: 'backoff',
      visibilitySeconds: 60,
      lastAttempt: false,
    });
    expect(
      decideRetry(settings, { reason: 'TIMEOUT', receiveCount: settings.maxReceiveCount, now }),
    ).toMatchObject({ kind: 'backoff', lastAttempt: true });
  });

  it("respects a throttling LRS's Retry-After within the cap", () => {
    expect(
      decideRetry(settings, { reason: 'THROTTLED', retryAfterSeconds: 200, receiveCount: 1, now }),
    ).toMatchObject({
      visibilitySeconds: 200,
    });
    expect(
      decideRetry(settings, { reason: 'THROTTLED', retryAfterSeconds: 5000, receiveCount: 1, now }),
    ).toMatchObject({
      visibilitySeconds: 900,
    });
  });
});

describe('out of hours', () => {
  it('re-sends a copy delayed by at most 15 minutes, remembering when the LRS should open', () => {
    const d = decideRetry(settings, {
      reason: 'OUT_OF_HOURS',
      retryAfterSeconds: 5 * 3600,
      receiveCount: 1,
      now,
    });
    expect(d).toEqual({
      kind: 'resend',
      delaySeconds: 900,
      retry: { resends: 1, notBefore: now + 5 * 3600 * 1000 },
    });
  });

  it('does not use the receive count: the fifth re-send is still a re-send', () => {
    const d = decideRetry(settings, {
      reason: 'OUT_OF_HOURS',
      retryAfterSeconds: 60,
      receiveCount: 1,
      retry: { resends: 4 },
      now,
    });
    expect(d).toMatchObject({ kind: 'resend', delaySeconds: 60, retry: { resends: 5 } });
  });

  it('falls back to the backoff path after the most re-sends', () => {
    const d = decideRetry(settings, {
      reason: 'OUT_OF_HOURS',
      retryAfterSeconds: 60,
      receiveCount: 1,
      retry: { resends: settings.outOfHoursMaxResends },
      now,
    });
    expect(d.kind).toBe('backoff');
  });

  it('caps the wait at outOfHoursMaxWaitSeconds', () => {
    const short = { ...settings, outOfHoursMaxWaitSeconds: 2, outOfHoursMaxDelaySeconds: 1 };
    expect(
      decideRetry(short, { reason: 'OUT_OF_HOURS', retryAfterSeconds: 6 * 3600, receiveCount: 1, now }),
    ).toEqual({
      kind: 'resend',
      delaySeconds: 1,
      retry: { resends: 1, notBefore: now + 2000 },
    });
  });

  it('keeps a copy that arrives early waiting, without calling the LRS, and lets it through on time', () => {
    const retry = { resends: 1, notBefore: now + 3600 * 1000 };
    expect(deferral(settings, retry, now)).toEqual({
      delaySeconds: 900,
      retry: { resends: 2, notBefore: retry.notBefore },
    });
    expect(deferral(settings, retry, retry.notBefore - 500)).toBeUndefined();
    expect(deferral(settings, undefined, now)).toBeUndefined();
  });
});

describe('settings', () => {
  it('reads the variables and names a bad one', () => {
    expect(loadJobSettings({ QUEUE_RETRY_BASE_SECONDS: '1', LRS_BATCH_POLL_SECONDS: '5' })).toMatchObject({
      retry: { baseSeconds: 1, maxSeconds: 900 },
      batch: { pollSeconds: 5, maxPolls: 1440 },
    });
    expect(loadJobSettings({}).queue.recordConcurrency).toBe(1);
    expect(loadJobSettings({ QUEUE_RECORD_CONCURRENCY: '10' }).queue.recordConcurrency).toBe(10);
    expect(() => loadJobSettings({ QUEUE_RECORD_CONCURRENCY: '11' })).toThrow(/QUEUE_RECORD_CONCURRENCY/);
    expect(() => loadJobSettings({ OUT_OF_HOURS_MAX_DELAY_SECONDS: '901' })).toThrow(
      /OUT_OF_HOURS_MAX_DELAY_SECONDS must be a whole number from 0 to 900/,
    );
  });
});
