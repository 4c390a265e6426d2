/**
 * The cost model's inputs from this run's measurements: the HTTP path from phase 6 (the handler's run time
 * and CPU against the realistic LRS, its AWS requests as metered), the queue path from phase 4 (billed run
 * time and CPU per learner with one call in flight, its AWS requests from the metered run, the event
 * source's receives and deletes included), and the bulk path as the queue path plus the job bookkeeping
 * each item adds (counted from the jobs store's code, see BULK_ITEM).
 */
import type { ColdFigures } from './cold.js';
import { ASSUMPTIONS, type CostFigures, costModel, type PathInput } from './cost.js';
import { handlerMaxRss, type QueueFigures, SIMULATOR_LATENCY_MS } from './queue.js';
import type { RealisticFigures } from './realistic.js';

/**
 * What a bulk job adds per item over a queue message, from shared/adapters/dynamodb-jobs-store.ts: the
 * item row written when the job is created (BatchWriteItem, 1 WRU for an item under 1 KiB), the job's open
 * count taken off when the item settles (UpdateItem ADD, 1 WRU) and the item row settled with its outcome
 * and result (UpdateItem, 1 WRU under 1 KiB; 2 assumed, the result makes it larger). Per job: one POST and
 * ASSUMPTIONS.jobStatusReads status reads (the job's summary item, eventually consistent: 0.5 RRU each).
 */
export const BULK_ITEM = { writeUnits: 1 + 1 + 2, readUnits: 0, sqs: 0 } as const;

export const costInputs = (figures: {
  readonly queue: QueueFigures;
  readonly realistic: RealisticFigures | undefined;
  readonly cold: readonly ColdFigures[];
}): CostFigures | undefined => {
  const { realistic, queue } = figures;
  const one = queue.levels.find((l) => l.concurrency === 1);
  const inputs: PathInput[] = [];
  if (realistic) {
    inputs.push({
      label: 'HTTP',
      durationMs: realistic.gateway.wait.mean,
      cpuMs: realistic.gateway.cpuMs ?? 0,
      invocations: 1,
      apiRequests: 1,
      counts: realistic.aws,
      learners: realistic.gatewayCalls,
    });
  }
  if (one && queue.metered) {
    // The billed run time at 50 ms, with the realistic LRS's mean answer time instead when phase 6 ran.
    const lrsMs = realistic ? realistic.exchanges.answer.mean : SIMULATOR_LATENCY_MS;
    const busy = one.queue.busyMsPerItem ?? 0;
    const base = {
      durationMs: busy - SIMULATOR_LATENCY_MS + lrsMs,
      cpuMs: one.queue.cpuMsPerItem,
      invocations: (queue.metered.run.invocations ?? 0) / queue.metered.learners,
      counts: queue.metered.counts,
      learners: queue.metered.learners,
    };
    inputs.push({ label: 'queue', apiRequests: 0, ...base });
    const { jobLearners, jobStatusReads } = ASSUMPTIONS;
    inputs.push({
      label: 'bulk job',
      apiRequests: (1 + jobStatusReads) / jobLearners,
      extra: { ...BULK_ITEM, readUnits: (jobStatusReads * 0.5) / jobLearners },
      ...base,
    });
  }
  if (inputs.length === 0) return undefined;
  const operationCold = figures.cold.filter((c) => !c.error && c.name !== 'requests' && c.name !== 'jobs');
  const coldMs = operationCold.length
    ? operationCold.map((c) => c.totalMs).sort((a, b) => a - b)[Math.floor(operationCold.length / 2)]
    : undefined;
  // A Lambda instance runs one invocation at a time: the memory it needs is the one-in-flight peak.
  const rss = one?.queue.peakRssBytes ?? handlerMaxRss(queue.levels);
  return costModel(inputs, rss, coldMs);
};
