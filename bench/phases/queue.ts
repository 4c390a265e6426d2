/**
 * 4. Queue throughput (SQS emulator -> poller -> handler -> simulator -> DynamoDB) vs. bare calls, with the
 * simulator answering in 50 ms; 5. the handler process's memory meanwhile.
 */
import { kebab, OPERATIONS, type OperationId, SERVICES } from '../../shared/lrs/contract/operations.js';
import { verifiableLearners } from '../../simulator/seed.js';
import { type BenchContext, log, PHASES, QUICK, soapBodyOf, Worker } from '../harness.js';
import { mib, table, verdict } from '../report.js';
import { TARGETS } from '../targets.js';
import type { BareRunRequest, QueueRunRequest, RunResult } from '../workers/protocol.js';

/**
 * Concurrency = LRS calls in flight. An invocation handles its batch one record at a time (the queue
 * worker's default QUEUE_RECORD_CONCURRENCY of 1), so that is the number of concurrent invocations (the
 * event source's maximum concurrency), each with the deployed batch size.
 */
const QUEUE_LEVELS = [
  { concurrency: 1, invocations: 1, batchSize: 10, count: QUICK ? 30 : 100 },
  { concurrency: 10, invocations: 10, batchSize: 10, count: QUICK ? 100 : 500 },
  { concurrency: 50, invocations: 50, batchSize: 10, count: QUICK ? 300 : 1500 },
] as const;
export const QUEUE_OPERATION: OperationId = 'verifyLearner';
export const SIMULATOR_LATENCY_MS = 50;

type Measured = RunResult & { hostCpuMsPerItem: number };

export interface QueueLevelFigures {
  readonly concurrency: number;
  readonly invocations: number;
  readonly batchSize: number;
  readonly queue: Measured;
  readonly bare: Measured;
}

export const runQueue = async (ctx: BenchContext): Promise<QueueLevelFigures[]> => {
  if (!PHASES.has('queue')) return [];
  log(`[bench] 4. queue throughput (simulator latency ${SIMULATOR_LATENCY_MS} ms)`);
  const { runtime } = ctx;
  runtime.simulator.setConditions({ latencyMs: SIMULATOR_LATENCY_MS });
  const queueWorker = new Worker('queue', ctx.workers.queue, ctx.env);
  const bareWorker = new Worker('bare', ctx.workers.bare, ctx.env);
  try {
    const learners = verifiableLearners(Math.max(...QUEUE_LEVELS.map((l) => l.count)));
    const requests = learners.map((l) => ({
      uln: l.uln,
      givenName: l.givenName,
      familyName: l.familyName,
      dateOfBirth: l.dateOfBirth,
      gender: l.gender,
    }));
    const bodies = requests.map((r) => soapBodyOf(QUEUE_OPERATION, r));
    const def = OPERATIONS[QUEUE_OPERATION];
    /** A run, with the CPU this process (simulator and emulators) spent per item meanwhile. */
    const withHostCpu = async (count: number, run: () => Promise<RunResult>): Promise<Measured> => {
      const cpu0 = process.cpuUsage();
      const result = await run();
      const cpu = process.cpuUsage(cpu0);
      return { ...result, hostCpuMsPerItem: (cpu.user + cpu.system) / 1000 / count };
    };
    const queueRun = (invocations: number, batchSize: number, count: number) =>
      withHostCpu(count, () =>
        queueWorker.request<RunResult>({
          kind: 'queue',
          functionName: kebab(QUEUE_OPERATION),
          bundle: ctx.bundleOf(QUEUE_OPERATION).file,
          op: QUEUE_OPERATION,
          queueUrl: runtime.resources.queueUrls[QUEUE_OPERATION],
          queueArn: runtime.resources.queueArns[QUEUE_OPERATION],
          region: runtime.emulators.region,
          sqsEndpoint: runtime.emulators.sqs.url,
          requests: requests.slice(0, count),
          invocations,
          batchSize,
          timeoutMs: 60_000,
        } satisfies QueueRunRequest),
      );
    const bareRun = (concurrency: number, count: number) =>
      withHostCpu(count, () =>
        bareWorker.request<RunResult>({
          kind: 'bare',
          lrs: ctx.lrs,
          servicePath: SERVICES[def.service].path,
          lrsMethod: def.lrsName,
          soapBodies: bodies.slice(0, count),
          concurrency,
          timeoutMs: 60_000,
        } satisfies BareRunRequest),
      );
    // Warm-up of both processes (module init, TLS, JIT), not reported.
    await queueRun(4, 10, 40);
    await bareRun(10, 40);
    const levels: QueueLevelFigures[] = [];
    for (const [i, level] of QUEUE_LEVELS.entries()) {
      // Alternate which side goes first, so a slow spell of the shared machine does not always hit one side.
      let q: Measured;
      let b: Measured;
      if (i % 2 === 0) {
        q = await queueRun(level.invocations, level.batchSize, level.count);
        b = await bareRun(level.concurrency, level.count);
      } else {
        b = await bareRun(level.concurrency, level.count);
        q = await queueRun(level.invocations, level.batchSize, level.count);
      }
      levels.push({ ...level, queue: q, bare: b });
      log(
        `[bench]    c=${level.concurrency}: queue ${q.perSecond.toFixed(1)}/s, bare ${b.perSecond.toFixed(1)}/s`,
      );
    }
    return levels;
  } finally {
    runtime.simulator.setConditions({ latencyMs: 0 });
    queueWorker.stop();
    bareWorker.stop();
  }
};

export const handlerMaxRss = (queue: readonly QueueLevelFigures[]): number =>
  Math.max(0, ...queue.map((q) => q.queue.maxRssBytes));

export const queueTables = (queue: readonly QueueLevelFigures[]): string[] => [
  table(
    `4. Queue throughput: ${QUEUE_OPERATION}, simulator answering in ${SIMULATOR_LATENCY_MS} ms (concurrency = LRS calls in flight)`,
    [
      'concurrency',
      'invocations x batch',
      'learners',
      'queue /s',
      'bare /s',
      'ratio',
      'CPU ms/learner: function',
      'emulators+simulator',
      'target',
    ],
    queue.map((q) => {
      const ratio = q.queue.perSecond / q.bare.perSecond;
      return [
        String(q.concurrency),
        `${q.invocations} x ${q.batchSize}`,
        String(q.queue.count),
        q.queue.perSecond.toFixed(1),
        q.bare.perSecond.toFixed(1),
        `${ratio.toFixed(2)}x`,
        `${q.queue.cpuMsPerItem.toFixed(2)} vs ${q.bare.cpuMsPerItem.toFixed(2)}`,
        `${q.queue.hostCpuMsPerItem.toFixed(2)} vs ${q.bare.hostCpuMsPerItem.toFixed(2)}`,
        `${verdict(ratio >= TARGETS.queueRatio)} (>=${TARGETS.queueRatio}x)`,
      ];
    }),
  ),
  table(
    '5. Memory: RSS of the handler process during 4 (sampled every 25 ms)',
    ['concurrency', 'peak RSS', 'bare client process'],
    queue.map((q) => [String(q.concurrency), mib(q.queue.peakRssBytes), mib(q.bare.peakRssBytes)]),
  ),
  `   high-water mark of the handler process (maxRSS): ${mib(handlerMaxRss(queue))}`,
];
