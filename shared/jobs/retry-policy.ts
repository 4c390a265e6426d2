/**
 * How a queue message whose LRS call failed for a transient reason comes back (pure functions).
 *
 * - Out of hours (WSEC0004): the LRS will refuse every call until it opens, possibly hours later. Hiding
 *   the message (ChangeMessageVisibility) would burn one receive per wake-up and park it in the DLQ long
 *   before morning, so the worker re-sends a copy with DelaySeconds (at most 900) and deletes the
 *   original. The copy carries `retry.resends` and `retry.notBefore` (when the LRS should be open): until
 *   then a delivery is re-sent again without calling the LRS. The wait is the adapter's estimate of
 *   the opening time (shared/lrs/faults.ts secondsUntilOpen), at most `outOfHoursMaxWaitSeconds`. Each copy starts at receive count 1.
 *   After `outOfHoursMaxResends` copies it falls back to the backoff path below.
 * - Everything else that is retryable (timeout, reset, 5xx, maintenance, throttling): the message is
 *   hidden for `base * 2^(receiveCount-1)` seconds, capped at `maxSeconds`, and reported failed; SQS
 *   delivers it again, and after maxReceiveCount receives moves it to the DLQ. The worker records that
 *   last failure on the stored request before it goes.
 */
import type { UnavailableReason } from '../domain/errors.js';
import { MAX_DELAY_SECONDS, MAX_VISIBILITY_SECONDS, type RetrySettings } from './settings.js';

/** What a queue message carries about its earlier re-sends. */
export interface RetryState {
  /** Copies re-sent so far for an out-of-hours wait. */
  readonly resends: number;
  /** Epoch ms before which the LRS is not expected to answer. */
  readonly notBefore?: number;
}

export type RetryDecision =
  | {
      /** Delete this message and send a copy delayed by `delaySeconds` carrying `retry`. */
      readonly kind: 'resend';
      readonly delaySeconds: number;
      readonly retry: RetryState;
    }
  | {
      /** Hide the message for `visibilitySeconds` and report it failed. */
      readonly kind: 'backoff';
      readonly visibilitySeconds: number;
      /** This was the last receive: SQS moves the message to the DLQ instead of delivering it again. */
      readonly lastAttempt: boolean;
    };

export interface FailedAttempt {
  readonly reason?: UnavailableReason;
  /** The LRS's or the adapter's hint (for out of hours: seconds until the service hours start). */
  readonly retryAfterSeconds?: number;
  /** ApproximateReceiveCount of the delivery (1 on the first). */
  readonly receiveCount: number;
  readonly retry?: RetryState;
  readonly now: number;
}

const clamp = (n: number, min: number, max: number) => Math.min(max, Math.max(min, Math.ceil(n)));

/** Backoff of the n-th receive: base, 2×base, 4×base… capped. */
export const backoffSeconds = (settings: RetrySettings, receiveCount: number): number => {
  const n = Math.max(1, Math.floor(receiveCount));
  const raw = settings.baseSeconds * 2 ** Math.min(n - 1, 30);
  return clamp(Math.min(raw, settings.maxSeconds), 0, MAX_VISIBILITY_SECONDS);
};

export const decideRetry = (settings: RetrySettings, attempt: FailedAttempt): RetryDecision => {
  const resends = attempt.retry?.resends ?? 0;
  if (attempt.reason === 'OUT_OF_HOURS' && resends < settings.outOfHoursMaxResends) {
    const hint = attempt.retryAfterSeconds ?? settings.outOfHoursMaxDelaySeconds;
    const waitSeconds = Math.max(1, Math.ceil(Math.min(hint, settings.outOfHoursMaxWaitSeconds)));
    return {
      kind: 'resend',
      delaySeconds: clamp(Math.min(waitSeconds, settings.outOfHoursMaxDelaySeconds), 0, MAX_DELAY_SECONDS),
      retry: { resends: resends + 1, notBefore: attempt.now + waitSeconds * 1000 },
    };
  }
  let seconds = backoffSeconds(settings, attempt.receiveCount);
  // A throttling LRS said how long to wait: respect it, within the cap.
  if (attempt.reason === 'THROTTLED' && attempt.retryAfterSeconds !== undefined) {
    seconds = Math.max(seconds, Math.min(settings.maxSeconds, Math.ceil(attempt.retryAfterSeconds)));
  }
  return {
    kind: 'backoff',
    visibilitySeconds: seconds,
    lastAttempt: attempt.receiveCount >= settings.maxReceiveCount,
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
  if (retry.resends >= settings.outOfHoursMaxResends) return undefined;
  return {
    delaySeconds: clamp(Math.min(leftMs / 1000, settings.outOfHoursMaxDelaySeconds), 0, MAX_DELAY_SECONDS),
    retry: { resends: retry.resends + 1, notBefore: retry.notBefore },
  };
};
