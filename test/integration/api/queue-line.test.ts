/**
 * The queue worker's line for the LRS under random batches, on the real DynamoDB store (dynalite): records
 * drawn from a few request ids (so copies meet in one batch), LRS answers of random length, 1–3 records at a
 * time, and the invocation running short of time after a random number of answers. Whatever the draw, at
 * most `limit` LRS calls run at once and at most `limit` more leases are held ahead of them, no request is
 * sent to the LRS twice, no record is reported failed, and every request either completed once or is back
 * where a later delivery takes it at once (PENDING or untouched, and a copy of it re-sent).
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LrsPort } from '../../../shared/ports/lrs.js';
import type { ResultsStore } from '../../../shared/ports/results-store.js';
import { handleQueueEvent } from '../../../shared/queue/queue-worker.js';
import { lambdaContext, sqsEvent, sqsRecord } from '../../support/events.js';
import {
  FIND_BY_ULN_QUEUE_ARN,
  findByUlnMessage,
  noMatchAnswer,
  queueDependencies,
} from '../../support/queue-worker.js';
import { resultsStoreOn, useLocalTable } from './dynalite.js';

const table = useLocalTable();

const MIN_REMAINING_MS = 23_000;

const draw = fc.record({
  // Each record names one of four requests; its LRS answer takes 0–12 ms.
  records: fc.array(fc.record({ request: fc.nat(3), lrsMs: fc.nat(12) }), { minLength: 1, maxLength: 10 }),
  limit: fc.integer({ min: 1, max: 3 }),
  // The invocation runs short of time once this many LRS calls have been answered (never, if undefined).
  shortAfter: fc.option(fc.nat(10), { nil: undefined }),
});

describe('queue worker: the line for the LRS', () => {
  it('keeps its bounds, sends no request twice and leaves every request done once or ready to be taken', async () => {
    await fc.assert(
      fc.asyncProperty(draw, async ({ records, limit, shortAfter }) => {
        const ids = Array.from({ length: 4 }, () => randomUUID());
        const lrsMsOf = new Map<string, number>();
        for (const r of records) lrsMsOf.set(ids[r.request] as string, r.lrsMs);
        let calling = 0;
        let maxCalling = 0;
        let answered = 0;
        const leased = new Set<string>();
        let maxAhead = 0;
        const called: string[] = [];
        const call = (async (_op, _req, ctx) => {
          leased.delete(ctx.requestId);
          called.push(ctx.requestId);
          calling++;
          maxCalling = Math.max(maxCalling, calling);
          await new Promise((r) => setTimeout(r, lrsMsOf.get(ctx.requestId) ?? 0));
          calling--;
          answered++;
          return noMatchAnswer();
        }) as LrsPort['call'];
        const real = resultsStoreOn(table);
        // Leases held ahead of their LRS call: taken by begin, ended by the call or by giving them back.
        const store = Object.assign(Object.create(real), {
          begin: async (input: Parameters<ResultsStore['begin']>[0]) => {
            const out = await real.begin(input);
            if (out.acquired) {
              leased.add(input.requestId);
              maxAhead = Math.max(maxAhead, leased.size);
            }
            return out;
          },
          giveBack: async (requestId: string, attempt: number) => {
            leased.delete(requestId);
            return real.giveBack(requestId, attempt);
          },
        }) as ResultsStore;
        const resent: string[] = [];
        const deps = queueDependencies(call, store, {
          recordConcurrency: limit,
          minRemainingMs: MIN_REMAINING_MS,
          resend: async (_record, body) => void resent.push(body),
        });
        const context = Object.assign(lambdaContext(), {
          getRemainingTimeInMillis: () =>
            shortAfter !== undefined && answered >= shortAfter ? MIN_REMAINING_MS - 1 : 60_000,
        });
        const bodies = records.map((r) => findByUlnMessage(ids[r.request] as string));
        const res = await handleQueueEvent(
          'findLearnerByUln',
          deps,
          sqsEvent(bodies.map((b) => sqsRecord(b, FIND_BY_ULN_QUEUE_ARN))),
          context,
        );

        expect(res.batchItemFailures).toEqual([]);
        expect(maxCalling).toBeLessThanOrEqual(limit);
        expect(maxAhead).toBeLessThanOrEqual(limit);
        expect(new Set(called).size).toBe(called.length);
        const resentIds = new Set(resent.map((b) => (JSON.parse(b) as { requestId: string }).requestId));
        for (const id of new Set(records.map((r) => ids[r.request] as string))) {
          const stored = await real.get(id);
          if (called.includes(id)) {
            expect(stored).toMatchObject({ status: 'COMPLETED', attempts: 1 });
          } else {
            // Never sent: untouched or given back, with no lease to wait out, and a copy on its way back.
            expect(stored === undefined || (stored.status === 'PENDING' && stored.attempts === 0)).toBe(true);
            expect(stored?.leaseExpiresAt).toBeUndefined();
            expect(resentIds.has(id)).toBe(true);
          }
        }
        // Without running short of time every request is done in this invocation.
        if (shortAfter === undefined) expect(resent).toEqual([]);
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});
