/**
 * What a job shows while its work waits for the LRS: one summary over its waiting items (pure).
 */
import type { JobWaiting } from '../ports/jobs-store.js';

/**
 * The reason of the latest wait decided (the latest next attempt: what the LRS says now), the start of
 * the earliest wait, and the next attempt due (the earliest still ahead; the latest when all are due, as
 * when a backlog is being worked through).
 */
export const summariseWaiting = (
  items: readonly JobWaiting[],
  now: Date = new Date(),
): (JobWaiting & { readonly items: number }) | undefined => {
  const first = items[0];
  if (!first) return undefined;
  const at = now.toISOString();
  let latest = first;
  let since = first.since;
  let nextAhead: string | undefined;
  for (const w of items) {
    if (w.nextAttemptAt > latest.nextAttemptAt) latest = w;
    if (w.since < since) since = w.since;
    if (w.nextAttemptAt >= at && (nextAhead === undefined || w.nextAttemptAt < nextAhead)) {
      nextAhead = w.nextAttemptAt;
    }
  }
  return {
    reason: latest.reason,
    since,
    nextAttemptAt: nextAhead ?? latest.nextAttemptAt,
    items: items.length,
  };
};
