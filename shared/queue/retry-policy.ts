/**
 * How a queue message whose LRS call failed for a transient reason comes back (pure functions).
 *
 * The LRS is down for hours at a time (maintenance windows, its nightly closure, outages). A message
 * that waits by being hidden (ChangeMessageVisibility) burns one receive per wake-up and reaches the DLQ
 * long before the LRS is back, so every wait is a **fresh copy**: the worker sends a copy with
 * DelaySeconds (at most 900) carrying `retry`, then lets the original be deleted. A fresh copy starts at
 * receive count 1, so waiting never uses up `maxReceiveCount`: the DLQ only sees messages whose handling
 * throws (a bug, a poison message) or that waited longer than `maxWaitSeconds`.
 *
 * - Out of hours (WSEC0004): the wait is the adapter's estimate of the opening time
 *   (shared/lrs/contract/service-hours.ts secondsUntilOpen), at most `outOfHoursMaxWaitSeconds`.
 * - Everything else that is retryable (maintenance, timeout, reset, 5xx, throttling, the LRS budget
 *   full): exponential backoff over the LRS attempts of the message, `base × 2^(attempts−1)` capped at
 *   `maxSeconds`, with "equal jitter" (half fixed, half random) so that thousands of waiting items do
 *   not come back in one burst; a throttling hint (Retry-After) is respected within the cap.
 * - A wait longer than one SQS delay is hopped: the copy carries `notBefore`, and a delivery that arrives
 *   before it is re-sent again without calling the LRS (`deferral`).
 * - After `maxWaitSeconds` of waiting (default 7 days: longer than any plausible closure) the message
 *   is given up: it is hidden for a backoff and reported failed, so SQS moves it to the DLQ after
 *   maxReceiveCount deliveries, with the last failure noted on the stored request.
 */
import type { UnavailableReason } from '../domain/errors.js';
import { MAX_DELAY_SECONDS, MAX_VISIBILITY_SECONDS, type RetrySettings } from '../jobs/settings.js';

/** Why a message waits: an LRS unavailability, the shared LRS budget, or its request in flight elsewhere. */
export type WaitReason = UnavailableReason | 'RATE_LIMITED' | 'IN_FLIGHT';

/** What a queue message carries about its earlier waits. */
export interface RetryState {
  /** Copies re-sent so far (every hop counts, LRS attempt or not). */
  readonly resends: number;
  /** Epoch ms before which the LRS is not expected to answer. */
  readonly notBefore?: number;
  /** LRS attempts that failed for a transient reason (drives the backoff). */
  readonly attempts?: number;
  /** Epoch ms of the first failed attempt of this wait (the wait is bounded from it). */
  readonly since?: number;
  /** The latest reason for waiting (a WaitReason). */
  readonly reason?: string;
}

export type RetryDecision =
  | {
      /** Send a copy delayed by `delaySeconds` carrying `retry`, then acknowledge this message. */
      readonly kind: 'resend';
      readonly delaySeconds: number;
      readonly retry: RetryState;
      /** Epoch ms of the next LRS attempt (the end of the whole wait, hops included). */
      readonly nextAttemptAt: number;
    }
  | {
      /** Waited too long: hide the message for `visibilitySeconds` and report it failed (towards the DLQ). */
      readonly kind: 'give-up';
      readonly visibilitySeconds: number;
      /** This was the last receive: SQS moves the message to the DLQ instead of delivering it again. */
      readonly lastAttempt: boolean;
    };

export interface FailedAttempt {
  readonly reason?: WaitReason;
  /** The LRS's or the adapter's hint (for out of hours: seconds until the service hours start). */
  readonly retryAfterSeconds?: number;
  /** ApproximateReceiveCount of the delivery (1 on the first). */
  readonly receiveCount: number;
  readonly retry?: RetryState;
  readonly now: number;
  /** False when no LRS call was made (the budget was full, the request in flight elsewhere). */
  readonly lrsAttempted?: boolean;
  /** A number in [0, 1) for the jitter; default Math.random. */
  readonly random?: number;
}

/** Reasons whose Retry-After is a real hint (the LRS throttling us, the budget, a lease running out). */
const HINTED: ReadonlySet<WaitReason> = new Set(['THROTTLED', 'RATE_LIMITED', 'IN_FLIGHT']);

const clamp = (n: number, min: number, max: number) => Math.min(max, Math.max(min, Math.ceil(n)));

/** Backoff ceiling of the n-th failed attempt: base, 2×base, 4×base… capped. */
export const backoffSeconds = (settings: RetrySettings, attempt: number): number => {
  const n = Math.max(1, Math.floor(attempt));
  const raw = settings.baseSeconds * 2 ** Math.min(n - 1, 30);
  return clamp(Math.min(raw, settings.maxSeconds), 0, MAX_VISIBILITY_SECONDS);
};

/** Equal jitter: half the ceiling fixed, the other half random (never 0 when the ceiling is not). */
export const jittered = (seconds: number, random: number): number =>
  seconds <= 1 ? seconds : Math.ceil(seconds / 2 + (seconds / 2) * Math.min(Math.max(random, 0), 1));

export const decideRetry = (settings: RetrySettings, attempt: FailedAttempt): RetryDecision => {
  const since = attempt.retry?.since ?? attempt.now;
  if (attempt.now - since >= settings.maxWaitSeconds * 1000) {
    return {
      kind: 'give-up',
      visibilitySeconds: backoffSeconds(settings, attempt.receiveCount),
      lastAttempt: attempt.receiveCount >= settings.maxReceiveCount,
    };
  }
  const attempts = (attempt.retry?.attempts ?? 0) + (attempt.lrsAttempted === false ? 0 : 1);
  let waitSeconds: number;
  const hint = attempt.retryAfterSeconds;
  if (attempt.reason === 'OUT_OF_HOURS' && hint !== undefined && hint > settings.maxSeconds) {
    // Closed for the night: wait until the expected opening time.
    waitSeconds = Math.min(hint, settings.outOfHoursMaxWaitSeconds);
  } else {
    // Everything else, out of hours while the LRS should be open included: the backoff.
    waitSeconds = jittered(backoffSeconds(settings, Math.max(1, attempts)), attempt.random ?? Math.random());
    // The LRS (or the budget) said how long to wait: respect it, within the cap.
    if (hint !== undefined && attempt.reason !== undefined && HINTED.has(attempt.reason)) {
      waitSeconds = Math.max(waitSeconds, Math.min(settings.maxSeconds, hint));
    }
  }
  waitSeconds = Math.max(1, Math.ceil(waitSeconds));
  const delaySeconds = clamp(Math.min(waitSeconds, settings.outOfHoursMaxDelaySeconds), 0, MAX_DELAY_SECONDS);
  const nextAttemptAt = attempt.now + waitSeconds * 1000;
  return {
    kind: 'resend',
    delaySeconds,
    nextAttemptAt,
    retry: {
      resends: (attempt.retry?.resends ?? 0) + 1,
      attempts,
      since,
      ...(attempt.reason ? { reason: attempt.reason } : {}),
      ...(waitSeconds > delaySeconds ? { notBefore: nextAttemptAt } : {}),
    },
  };
};

/**
 * A delivery that arrived before its `notBefore` (a delay is at most 15 minutes, the wait can be hours):
 * re-send it for the rest of the wait without calling the LRS. Undefined when it is time to call.
 */
export const deferral = (
  settings: RetrySettings,
  retry: RetryState | undefined,
  now: number,
): { delaySeconds: number; retry: RetryState } | undefined => {
  if (!retry?.notBefore) return undefined;
  const leftMs = retry.notBefore - now;
  // Within a second of the time: go ahead (clocks and SQS delays are not that precise).
  if (leftMs <= 1000) return undefined;
  return {
    delaySeconds: clamp(Math.min(leftMs / 1000, settings.outOfHoursMaxDelaySeconds), 0, MAX_DELAY_SECONDS),
    retry: { ...retry, resends: retry.resends + 1 },
  };
};
