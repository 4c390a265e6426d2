/**
 * What a job shows while its work waits for the LRS: one summary over its waiting items (pure).
 */
import type { JobWaiting } from '../ports/jobs-store.js';

/** The most common reason, the earliest start and the earliest next attempt of the waiting items. */
export const summariseWaiting = (
  items: readonly JobWaiting[],
): (JobWaiting & { readonly items: number }) | undefined => {
  if (items.length === 0) return undefined;
  const byReason = new Map<string, number>();
  let since = items[0]?.since ?? '';
  let next = items[0]?.nextAttemptAt ?? '';
  for (const w of items) {
    byReason.set(w.reason, (byReason.get(w.reason) ?? 0) + 1);
    if (w.since < since) since = w.since;
    if (w.nextAttemptAt < next) next = w.nextAttemptAt;
  }
  const reason = [...byReason.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
  return { reason: reason ?? 'UNKNOWN', since, nextAttemptAt: next, items: items.length };
};
