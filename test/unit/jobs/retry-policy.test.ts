/** The queue retry policy: every wait a fresh delayed copy, jittered backoff by LRS attempts, bounded. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_JOB_SETTINGS, loadJobSettings, type RetrySettings } from '../../../shared/jobs/settings.js';
import { backoffSeconds, decideRetry, deferral, jittered } from '../../../shared/queue/retry-policy.js';

const settings: RetrySettings = { ...DEFAULT_JOB_SETTINGS.retry };
const now = Date.UTC(2026, 10, 27, 1, 0, 0);

describe('backoff of transient failures', () => {
  it('doubles with each LRS attempt and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 10].map((n) => backoffSeconds(settings, n))).toEqual([
      30, 60, 120, 240, 480, 900, 900,
    ]);
  });

  it('jitters between half the ceiling and the ceiling', () => {
    expect(jittered(900, 0)).toBe(450);
    expect(jittered(900, 0.999)).toBe(900);
    expect(jittered(1, 0.5)).toBe(1);
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 43_200 }), fc.double({ min: 0, max: 1, noNaN: true }), (s, r) => {
        const j = jittered(s, r);
        return j >= s / 2 && j <= s;
      }),
    );
  });

  it('re-sends a fresh copy for maintenance, whatever the receive count, carrying the attempt count', () => {
    const first = decideRetry(settings, { reason: 'MAINTENANCE', receiveCount: 1, now, random: 0 });
    expect(first).toEqual({
      kind: 'resend',
      delaySeconds: 15,
      nextAttemptAt: now + 15_000,
      retry: { resends: 1, attempts: 1, since: now, reason: 'MAINTENANCE' },
    });
    // The copy comes back with receive count 1: the attempt counter drives the backoff, `since` stays.
    const later = decideRetry(settings, {
      reason: 'TIMEOUT',
      receiveCount: 1,
      now: now + 3600_000,
      retry: { resends: 9, attempts: 9, since: now },
      random: 0.999,
    });
    expect(later).toMatchObject({
      kind: 'resend',
      delaySeconds: 900,
      retry: { resends: 10, attempts: 10, since: now, reason: 'TIMEOUT' },
    });
  });

  it('never gives up while the LRS is down for hours or days, until the longest wait is over', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: settings.maxWaitSeconds - 1 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.constantFrom('MAINTENANCE', 'TIMEOUT', 'CONNECTION', 'HTTP_ERROR', 'THROTTLED', 'OUT_OF_HOURS'),
        (waitedSeconds, attempts, reason) => {
          const d = decideRetry(settings, {
            reason: reason as 'MAINTENANCE',
            receiveCount: settings.maxReceiveCount + 3,
            now: now + waitedSeconds * 1000,
            retry: { resends: attempts, attempts, since: now },
          });
          return d.kind === 'resend' && d.delaySeconds >= 1 && d.delaySeconds <= 900;
        },
      ),
    );
    const over = decideRetry(settings, {
      reason: 'MAINTENANCE',
      receiveCount: settings.maxReceiveCount,
      now: now + settings.maxWaitSeconds * 1000,
      retry: { resends: 600, attempts: 600, since: now },
    });
    expect(over).toEqual({ kind: 'give-up', visibilitySeconds: 480, lastAttempt: true });
  });

  it("respects a throttling LRS's or the budget's Retry-After within the cap, and counts no attempt for the budget", () => {
    expect(
      decideRetry(settings, { reason: 'THROTTLED', retryAfterSeconds: 200, receiveCount: 1, now, random: 0 }),
    ).toMatchObject({ delaySeconds: 200 });
    expect(
      decideRetry(settings, { reason: 'THROTTLED', retryAfterSeconds: 5000, receiveCount: 1, now }),
    ).toMatchObject({ delaySeconds: 900 });
    expect(
      decideRetry(settings, {
        reason: 'RATE_LIMITED',
        retryAfterSeconds: 2,
        receiveCount: 1,
        now,
        lrsAttempted: false,
        random: 0,
      }),
    ).toMatchObject({ delaySeconds: 15, retry: { attempts: 0 } });
  });
});

describe('out-of-hours waits', () => {
  it('waits until the expected opening time, hopping 15-minute delays', () => {
    const d = decideRetry(settings, {
      reason: 'OUT_OF_HOURS',
      retryAfterSeconds: 5 * 3600,
      receiveCount: 4,
      now,
    });
    expect(d).toMatchObject({
      kind: 'resend',
      delaySeconds: 900,
      nextAttemptAt: now + 5 * 3600_000,
      retry: { resends: 1, attempts: 1, notBefore: now + 5 * 3600_000, reason: 'OUT_OF_HOURS' },
    });
  });

  it('uses the backoff, not a fixed 15 minutes, when the LRS is closed while it should be open', () => {
    // The adapter's hint while it believes the LRS open is 900 s: no better than a guess.
    const d = decideRetry(settings, {
      reason: 'OUT_OF_HOURS',
      retryAfterSeconds: 900,
      receiveCount: 1,
      now,
      random: 0,
    });
    expect(d).toMatchObject({ kind: 'resend', delaySeconds: 15 });
  });

  it('caps the wait at outOfHoursMaxWaitSeconds', () => {
    const short = { ...settings, outOfHoursMaxWaitSeconds: 2, outOfHoursMaxDelaySeconds: 1, maxSeconds: 1 };
    expect(
      decideRetry(short, { reason: 'OUT_OF_HOURS', retryAfterSeconds: 6 * 3600, receiveCount: 1, now }),
    ).toMatchObject({ delaySeconds: 1, retry: { notBefore: now + 2000 } });
  });

  it('re-sends an early copy for the rest of the wait without calling the LRS', () => {
    const retry = { resends: 3, attempts: 1, since: now, notBefore: now + 2 * 3600_000 };
    expect(deferral(settings, retry, now)).toEqual({
      delaySeconds: 900,
      retry: { ...retry, resends: 4 },
    });
    expect(deferral(settings, retry, retry.notBefore - 500)).toBeUndefined();
    expect(deferral(settings, undefined, now)).toBeUndefined();
  });
});

describe('settings', () => {
  it('reads the environment and names a bad variable', () => {
    const s = loadJobSettings({ QUEUE_RETRY_BASE_SECONDS: '1', QUEUE_RETRY_MAX_WAIT_SECONDS: '60' });
    expect(s.retry).toMatchObject({ baseSeconds: 1, maxWaitSeconds: 60 });
    expect(() => loadJobSettings({ OUT_OF_HOURS_MAX_DELAY_SECONDS: '901' })).toThrow(
      /OUT_OF_HOURS_MAX_DELAY_SECONDS must be a whole number from 0 to 900/,
    );
    expect(() => loadJobSettings({ QUEUE_RETRY_MAX_WAIT_SECONDS: 'soon' })).toThrow(
      /QUEUE_RETRY_MAX_WAIT_SECONDS must be a whole number/,
    );
  });
});
